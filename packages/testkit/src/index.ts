export { infraFromEnv, type ProvisionedInfra, provisionInfra, repoRoot, type TestInfra } from './infra.js';
export { uniqueName, waitUntil } from './wait.js';
