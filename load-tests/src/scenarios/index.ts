import type { ScenarioDefinition, SuiteDefinition } from '../scenario.js';
import drill from './drill.js';
import fraudAvailability from './fraud-availability.js';
import fraudHttp from './fraud-http.js';
import fraudStream from './fraud-stream.js';
import recsCapacity from './recs-capacity.js';
import recsRamp from './recs-ramp.js';
import recsSteady from './recs-steady.js';
import smoke from './smoke.js';

/** Every scenario `npm run load -- <name>` knows, by name. */
export const catalogue: Record<string, ScenarioDefinition | SuiteDefinition> = Object.fromEntries(
  [recsSteady, recsRamp, recsCapacity, fraudHttp, fraudStream, fraudAvailability, drill, smoke].map((s) => [
    s.name,
    s as ScenarioDefinition | SuiteDefinition,
  ]),
);
