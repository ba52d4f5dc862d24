export { REBUILD_HINT, RecsArtifactError } from './errors.js';
export {
  ARTIFACT_FILES,
  type ArtifactKind,
  type ArtifactRole,
  DataWindow,
  decodeSongRow,
  encodeSongRow,
  HnswParams,
  MANIFEST_FILE,
  RankerInfo,
  RECENT_LISTEN_RECORD_BYTES,
  RECS_ARTIFACT_FORMAT_VERSION,
  REQUIRED_ROLES,
  RecsManifest,
  SONGS_CSV_HEADER,
} from './format.js';
export {
  loadAnnBenchmarkArtifacts,
  loadRecsArtifacts,
  type RecentListensTable,
  type RecsArtifacts,
  recentListensOf,
  type UserRecord,
} from './reader.js';
