export {
  infraFromEnv,
  type ProvisionedInfra,
  provisionInfra,
  repoRoot,
  type TestInfra,
  testArtifactsDir,
} from './infra.js';
export { freePort } from './ports.js';
export { uniqueName, waitUntil } from './wait.js';
