import type {} from 'vitest';

/** Where a test's Redis and Kafka are, and who provided them. */
export interface TestInfra {
  redisUrl: string;
  kafkaBrokers: string[];
  source: 'env' | 'containers' | 'local';
}

/** Test infra together with how to release it once the run ends. */
export interface ProvisionedInfra {
  infra: TestInfra;
  stop(): Promise<void>;
}

// `inject('infra')` in any test file that imports the testkit is typed.
declare module 'vitest' {
  export interface ProvidedContext {
    infra: TestInfra;
  }
}
