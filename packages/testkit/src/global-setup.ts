// Vitest globalSetup: resolves the Redis and Kafka for one package's test run
// once, and hands them to the tests through `inject('infra')`.
import type { TestProject } from 'vitest/node';
import { provisionInfra } from './infra.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const provisioned = await provisionInfra();
  project.provide('infra', provisioned.infra);
  return provisioned.stop;
}
