export { type AnnMeasurement, type AnnSetup, exactNeighbours, measureAnn } from './ef-sweep.js';
export { ANN_SPACE, SongIndex } from './song-index.js';
