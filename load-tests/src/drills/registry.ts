import { coldStart } from './cold-start.js';
import type { DrillDefinition } from './drill.js';
import { lateLabels } from './late-labels.js';
import { redisDown } from './redis-down.js';
import { scorerKill } from './scorer-kill.js';
import { trafficTenX } from './traffic-10x.js';

/**
 * Every drill `npm run drill -- <name>` knows, in the order `--list` shows them.
 * Each drill's params type is its own; the list erases it (the runner parses
 * every drill's params with the drill's own spec, so the cast loses nothing).
 */
export const DRILLS: readonly DrillDefinition[] = [
  trafficTenX(),
  redisDown(),
  scorerKill(),
  coldStart,
  lateLabels(),
] as unknown as readonly DrillDefinition[];
