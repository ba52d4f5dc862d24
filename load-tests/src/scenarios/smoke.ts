import type { SuiteDefinition } from '../scenario.js';

/** Every scenario for a few seconds at a low rate: does the whole stack answer? CI runs it. */
const smoke: SuiteDefinition = {
  kind: 'suite',
  name: 'smoke',
  description:
    'every scenario for 5 s at 5/s (capacity: two short steps); throughput thresholds are left out',
  members: ['recs-steady', 'recs-ramp', 'recs-capacity', 'fraud-http', 'fraud-stream'],
  ratePerSecond: 5,
  duration: '5s',
};

export default smoke;
