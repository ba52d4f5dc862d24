// The fuzz runs against the real Redis and Kafka the testkit's global setup
// resolves once per run (env, containers, or local servers). One file at a
// time: each starts a design's services and keeps both cores busy fuzzing them.
import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

export default mergeConfig(shared, {
  test: {
    globalSetup: ['../../packages/testkit/src/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 240_000,
  },
});
