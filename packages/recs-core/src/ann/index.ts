export { type EfMeasurement, exactNeighbours, measureEf } from './ef-sweep.js';
export { ANN_SPACE, SongIndex } from './song-index.js';
