/**
 * The knobs of the generative model, in one place so the README and the
 * dataset's meta.json can state exactly which process produced the listens.
 * They are fixed (not per profile) so that tiny and default data behave alike.
 */
export const LATENT_MODEL = {
  /** Song popularity weight is (rank + 1)^-zipfExponent. */
  zipfExponent: 1.0,
  /** Artists get songs in proportion to (rank + 1)^-artistZipfExponent. */
  artistZipfExponent: 0.8,
  /** How much an artist's popularity carries to its songs' popularity rank (log-scale weight). */
  artistPopularityCarry: 0.5,
  /** Noise around vectors: artist around its genre, song around its artist, user around its genres. */
  artistSpread: 0.7,
  songSpread: 0.5,
  tasteSpread: 0.5,
  /** Softmax temperature of the genre choice: logit = genreSharpness * (user . genre). */
  genreSharpness: 6,
  /** Amplitude of the hour-of-day effect on a genre's logit (cosine around its peak hour). */
  hourEffect: 0.8,
  /** Within a genre, the song is chosen among this many popularity draws ... */
  candidatesPerDraw: 8,
  /** ... with weight exp(tasteSharpness * (user . song)) * freshness. */
  tasteSharpness: 10,
  /** Freshness multiplier 1 + freshnessBoost * exp(-age / freshnessDays). */
  freshnessBoost: 2,
  freshnessDays: 30,
  /** Chance that the next listen of a session keeps the session's genre. */
  sessionStickiness: 0.7,
  /** Chance that the next listen of a session is another song by the previous artist. */
  artistContinuation: 0.25,
  /** Chance that a listen replays one of the user's last 50 listens. */
  replay: 0.15,
  meanSessionLength: 6,
  /** Chance that a session starts at a random hour instead of near the user's usual hour. */
  offHourSessions: 0.3,
  /** Share of songs licensed only in some regions (always including the artist's home region). */
  restrictedLicenseShare: 0.25,
  /** For a restricted song, the chance of each other region holding a licence. */
  restrictedExtraRegion: 0.3,
  explicitShare: 0.1,
} as const;
