export * as fraud from './fraud/index.js';
export * as recs from './recs/index.js';
