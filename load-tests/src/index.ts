export * from './slo.js';
