/**
 * The fixed world the catalog lives in: genres and regions. The generator
 * writes these into the dataset's meta.json and training copies them into the
 * artifact manifest, so online services read them from data, never from a
 * second hard-coded list.
 */

export interface GenreSpec {
  name: string;
  /**
   * Local hour at which the genre is most played, or null when its share does
   * not depend on the hour. This is the hour-of-day effect the ranker can learn.
   */
  peakHour: number | null;
}

export const GENRES: readonly GenreSpec[] = [
  { name: 'pop', peakHour: null },
  { name: 'rock', peakHour: 18 },
  { name: 'hip-hop', peakHour: 21 },
  { name: 'electronic', peakHour: 23 },
  { name: 'dance', peakHour: 22 },
  { name: 'r&b', peakHour: 20 },
  { name: 'indie', peakHour: null },
  { name: 'metal', peakHour: 19 },
  { name: 'jazz', peakHour: 21 },
  { name: 'classical', peakHour: 9 },
  { name: 'ambient', peakHour: 2 },
  { name: 'lo-fi', peakHour: 10 },
  { name: 'folk', peakHour: null },
  { name: 'country', peakHour: 8 },
  { name: 'latin', peakHour: 20 },
  { name: 'k-pop', peakHour: 17 },
  { name: 'reggae', peakHour: null },
  { name: 'blues', peakHour: 22 },
  { name: 'soundtrack', peakHour: 14 },
  { name: 'workout', peakHour: 7 },
];

export interface RegionSpec {
  code: string;
  /** Offset of local time from UTC; a listen's hour of day is local. */
  utcOffsetHours: number;
  /** Share of users living there. */
  userShare: number;
}

export const REGIONS: readonly RegionSpec[] = [
  { code: 'US', utcOffsetHours: -5, userShare: 0.3 },
  { code: 'BR', utcOffsetHours: -3, userShare: 0.12 },
  { code: 'GB', utcOffsetHours: 0, userShare: 0.08 },
  { code: 'DE', utcOffsetHours: 1, userShare: 0.09 },
  { code: 'FR', utcOffsetHours: 1, userShare: 0.08 },
  { code: 'SE', utcOffsetHours: 1, userShare: 0.05 },
  { code: 'IN', utcOffsetHours: 5.5, userShare: 0.16 },
  { code: 'JP', utcOffsetHours: 9, userShare: 0.12 },
];
