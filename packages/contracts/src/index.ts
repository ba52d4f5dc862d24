export * from './common.js';
export * from './fraud.js';
export * from './fraud-stream.js';
export * from './recs.js';
export * from './topics.js';
export * from './validation.js';
export * from './console.js';
