export {
  infraFromEnv,
  type ProvisionedInfra,
  provisionInfra,
  repoRoot,
  type TestInfra,
  testArtifactsDir,
} from './infra.js';
export { freePort } from './ports.js';
export { ServiceProcess } from './service-process.js';
export { uniqueName, waitUntil } from './wait.js';
