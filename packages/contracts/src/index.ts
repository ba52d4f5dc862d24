export * from './common.js';
export * from './console.js';
export * from './fraud.js';
export * from './fraud-stream.js';
export * from './recs.js';
export * from './topics.js';
export * from './validation.js';
