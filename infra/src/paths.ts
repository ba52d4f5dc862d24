import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (infra/src/ is two levels down). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Everything fetched, built or run locally lives here, and git ignores it. */
export const CACHE = join(ROOT, '.cache');

/**
 * A profile is one independent copy of the servers: `stack` for `npm start`, `test` for `npm test`,
 * `ha` for the replicated stack (three Kafka nodes, Redis with a replica and Sentinels, HAProxy).
 */
export type Profile = 'stack' | 'test' | 'ha';

export const profileDir = (profile: Profile) => join(CACHE, profile);
export const logsDir = (profile: Profile) => join(profileDir(profile), 'logs');
export const pidsDir = (profile: Profile) => join(profileDir(profile), 'pids');
