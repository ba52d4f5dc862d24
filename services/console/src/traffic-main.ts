// `npm run traffic -- recs 50 fraud 200`: the console's demo traffic without the console, until Ctrl-C.
import { fileURLToPath } from 'node:url';
import { env, loadConfigOrExit } from '@mlsys/config';
import { type Chargeback, Topics } from '@mlsys/contracts';
import { fraud } from '@mlsys/datagen';
import { createKafka, JsonProducer } from '@mlsys/kafka';
import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';
import { createLogger } from '@mlsys/telemetry';
import { TrafficRunner, type TrafficStatus } from './adapters/traffic-runner.js';
import { parseTrafficArgs, TRAFFIC_USAGE } from './domain/traffic-args.js';
import { listenerMix } from './domain/traffic-schedule.js';

const ARTIFACTS = fileURLToPath(new URL('../../../.cache/artifacts/', import.meta.url));

let rates: { recs: number; fraud: number };
try {
  rates = parseTrafficArgs(process.argv.slice(2));
} catch (error) {
  console.error(`${(error as Error).message}\n${TRAFFIC_USAGE}`);
  process.exit(2);
}

const config = loadConfigOrExit(
  'traffic',
  {
    REC_API_URL: env.url({ description: 'rec-api', default: 'http://127.0.0.1:8080' }),
    FEATURE_STORE_URL: env.url({ description: 'feature-store', default: 'http://127.0.0.1:8081' }),
    TXN_API_URL: env.url({ description: 'txn-api', default: 'http://127.0.0.1:8090' }),
    KAFKA_BROKERS: env.list({ description: 'Kafka brokers (chargebacks)', default: ['127.0.0.1:9092'] }),
    CHARGEBACKS_TOPIC: env.string({ description: 'chargebacks topic', default: Topics.chargebacks.name }),
    RECS_ARTIFACTS_DIR: env.string({
      description: 'the recs artifact set the stack serves (its listeners)',
      default: `${ARTIFACTS}recs/default`,
    }),
    FRAUD_PROFILE: env.oneOf(Object.keys(fraud.FRAUD_PROFILES) as (keyof typeof fraud.FRAUD_PROFILES)[], {
      description: 'the fraud simulator profile the stack was trained on',
      default: 'default',
    }),
  },
  process.env,
);

const logger = createLogger({ service: 'traffic', level: 'warn' });
const recs = loadRecsArtifacts(config.RECS_ARTIFACTS_DIR);
const runId = Date.now().toString(36);
const kafka = createKafka({ clientId: 'traffic', brokers: config.KAFKA_BROKERS, logger });
const producer = new JsonProducer(kafka);
if (rates.fraud > 0) await producer.connect();

const runner = new TrafficRunner({
  recApiUrl: config.REC_API_URL,
  featureStoreUrl: config.FEATURE_STORE_URL,
  txnApiUrl: config.TXN_API_URL,
  nextListener: listenerMix({
    users: recs.readUsers().map((u) => ({ id: String(u.id), region: u.region })),
    regions: recs.manifest.regions.map((r) => r.code),
    newUserShare: 0.05,
    travelShare: 0.1,
    zipfExponent: 1,
    random: Math.random,
    newUserPrefix: `new-${runId}-`,
  }),
  fraudProfile: fraud.fraudProfile(config.FRAUD_PROFILE),
  reportChargebacks: (chargebacks: Chargeback[]) =>
    producer.send(
      config.CHARGEBACKS_TOPIC,
      chargebacks.map((c) => ({ key: c.cardId, value: c, timestamp: c.reportedAt })),
    ),
  idPrefix: `traffic-${runId}-`,
});

const line = (s: TrafficStatus) =>
  `recs ${s.recs.ok} ok, ${s.recs.failed} failed, ${s.recs.skipped} skipped, ${s.recs.degraded} degraded | ` +
  `fraud ${s.fraud.ok} ok, ${s.fraud.failed} failed, ${s.fraud.skipped} skipped, day ${s.fraud.simulatedDay}, ` +
  `${s.fraud.chargebacksSent} chargebacks${s.recs.lastError || s.fraud.lastError ? ` | last error: ${s.fraud.lastError ?? s.recs.lastError}` : ''}`;

console.log(
  `▸ demo traffic: ${rates.recs} recommendation requests/s to ${config.REC_API_URL}, ${rates.fraud} payments/s to ${config.TXN_API_URL} (Ctrl-C stops)`,
);
runner.update(rates);
const progress = setInterval(() => console.log(`  ${line(runner.status())}`), 5000);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  clearInterval(progress);
  await runner.stop();
  await producer.disconnect().catch(() => undefined);
  console.log(`✓ stopped: ${line(runner.status())}`);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
