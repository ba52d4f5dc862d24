export * from './errors.js';
export {
  type CallOptions,
  type JsonAnswer,
  type JsonClientOptions,
  JsonServiceClient,
} from './json-client.js';
export { parseServerTiming, type TimingEntry } from './server-timing.js';
