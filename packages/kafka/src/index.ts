export type { Kafka } from 'kafkajs';
export * from './client.js';
export * from './consumer.js';
export * from './producer.js';
export * from './reader.js';
export * from './record-appender.js';
