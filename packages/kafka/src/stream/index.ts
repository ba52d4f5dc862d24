export * from './partition-buffers.js';
export * from './task.js';
export * from './transactional-stream.js';
