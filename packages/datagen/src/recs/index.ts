export { Random } from '../random.js';
export { BufferedFileWriter, readFloat32Matrix } from './binary-io.js';
export {
  DATASET_FILES,
  DATASET_FORMAT_VERSION,
  LISTEN_RECORD_BYTES,
  type ListenTable,
  type RecsDataMeta,
  type RecsDataset,
  readDatasetMeta,
  readRecsDataset,
  type SongTable,
} from './dataset-format.js';
export { type GenerationProgress, generateRecsDataset } from './generate.js';
export { LATENT_MODEL } from './latent-model.js';
export { RECS_PROFILES, type RecsProfile, type RecsProfileName, recsProfile } from './profiles.js';
export { GENRES, REGIONS } from './world.js';
