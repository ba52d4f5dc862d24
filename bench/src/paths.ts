import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const resultsDir = new URL('../results/', import.meta.url).pathname;
/** The repository root, without a trailing slash: services and artifacts are found from it. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
