export * from './partition-buffers.js';
export * from './task.js';
export { inRequestsOf } from './transaction-requests.js';
export * from './transactional-stream.js';
