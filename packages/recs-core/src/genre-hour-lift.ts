/**
 * How much more (or less) a genre is played at a given local hour than on
 * average: P(genre | hour) / P(genre), measured on the training listens.
 * A 24 x genres table shipped as an artifact; the ranker crosses it with the
 * candidate's genre and the request's hour.
 */
export interface GenreHourTable {
  /** lift[hour][genre], hour in 0..23. */
  lift: readonly (readonly number[])[];
}

export function genreHourLift(table: GenreHourTable, genre: number, hourOfDay: number): number {
  return table.lift[Math.floor(hourOfDay) % 24]?.[genre] ?? 1;
}

/**
 * Builds the table from listens (genre and local hour of each). `smoothing`
 * pseudo-listens at the expected rate keep rare genre-hour cells near 1
 * instead of swinging on a handful of listens.
 */
export function buildGenreHourTable(
  genres: number,
  listens: number,
  genreOf: (listen: number) => number,
  hourOf: (listen: number) => number,
  smoothing = 20,
): GenreHourTable {
  const counts = new Float64Array(24 * genres);
  const genreTotals = new Float64Array(genres);
  const hourTotals = new Float64Array(24);
  for (let i = 0; i < listens; i++) {
    const genre = genreOf(i);
    const hour = Math.floor(hourOf(i)) % 24;
    counts[hour * genres + genre]!++;
    genreTotals[genre]!++;
    hourTotals[hour]!++;
  }
  const total = Math.max(1, listens);
  const lift: number[][] = [];
  for (let h = 0; h < 24; h++) {
    const row: number[] = [];
    for (let g = 0; g < genres; g++) {
      const expected = (genreTotals[g]! / total) * hourTotals[h]!;
      row.push(Number(((counts[h * genres + g]! + smoothing) / (expected + smoothing)).toFixed(4)));
    }
    lift.push(row);
  }
  return { lift };
}
