// Integration tests here talk to a real Redis and Kafka, which the testkit's
// global setup resolves once per run (env, containers, or local servers).
import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

export default mergeConfig(shared, { test: { globalSetup: ['../../packages/testkit/src/global-setup.ts'] } });
