import { join } from 'node:path';

/** The repository root, where `bench/results/` is. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
