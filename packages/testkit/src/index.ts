export { infraFromEnv, provisionInfra, repoRoot, testArtifactsDir } from './infra.js';
export { freePort } from './ports.js';
export { ServiceProcess } from './service-process.js';
export type { ProvisionedInfra, TestInfra } from './test-infra.js';
export { uniqueName, waitUntil } from './wait.js';
