export * from './chargebacks.js';
export { LineWriter } from './csv-lines.js';
export * from './dataset.js';
export * from './labels.js';
export * from './profiles.js';
export { type SimulationOptions, simulateFraud } from './simulate.js';
export * from './stream.js';
export { buildWorld, type Customer, type Terminal, type World } from './world.js';
