/**
 * The stack manifest: every server and service, its port, environment,
 * dependencies and health check, written once. The local runner (`npm
 * start`) and docker-compose.yml are both derived from it, and a test fails
 * when the committed compose file drifts from what this file renders.
 */

export type Design = 'recs' | 'fraud' | 'both';
export type InfraName = 'redis' | 'kafka';
export type ArtifactSet = 'recs' | 'fraud';

/** A value in a service's environment, resolved per target (local processes or compose). */
export type EnvValue =
  | { literal: string }
  | { redisUrl: true }
  | { kafkaBrokers: true }
  | { serviceUrl: string }
  | { artifacts: ArtifactSet };

export interface ServiceSpec {
  name: string;
  design: Design;
  /** One line for the `npm start` table and the README. */
  summary: string;
  /** Workspace folder; the built entry point is <dir>/dist/main.js. */
  dir: string;
  port: number;
  env: Record<string, EnvValue>;
  dependsOn: Array<InfraName | string>;
  /** Offline pipelines whose artifacts must exist before the service starts. */
  needs: ArtifactSet[];
  health: { live: string; ready: string };
}

export const INFRA_PORTS = {
  stack: { redis: 6379, kafka: 9092, kafkaController: 9093 },
  test: { redis: 16379, kafka: 19092, kafkaController: 19093 },
} as const;

/** The data profile `npm start` trains and serves. */
export const STACK_DATA_PROFILE = 'default';

const literal = (value: string): EnvValue => ({ literal: value });
const common = (port: number): Record<string, EnvValue> => ({
  PORT: literal(String(port)),
  HOST: literal('0.0.0.0'),
  LOG_LEVEL: literal('info'),
});

export const SERVICES: ServiceSpec[] = [
  {
    name: 'txn-api',
    design: 'fraud',
    summary: 'POST /v1/transactions -> Kafka `transactions`; GET /v1/decisions/:id',
    dir: 'services/txn-api',
    port: 8090,
    env: { ...common(8090), REDIS_URL: { redisUrl: true }, KAFKA_BROKERS: { kafkaBrokers: true } },
    dependsOn: ['redis', 'kafka'],
    needs: [],
    health: { live: '/livez', ready: '/readyz' },
  },
];

export function serviceByName(name: string): ServiceSpec {
  const spec = SERVICES.find((s) => s.name === name);
  if (!spec) throw new Error(`no service named ${name} in infra/src/manifest.ts`);
  return spec;
}

/** Services in an order where each comes after everything it depends on. */
export function startOrder(services: readonly ServiceSpec[] = SERVICES): ServiceSpec[] {
  const ordered: ServiceSpec[] = [];
  const visiting = new Set<string>();
  const visit = (spec: ServiceSpec) => {
    if (ordered.includes(spec)) return;
    if (visiting.has(spec.name)) throw new Error(`dependency cycle through ${spec.name}`);
    visiting.add(spec.name);
    for (const dep of spec.dependsOn) {
      const other = services.find((s) => s.name === dep);
      if (other) visit(other);
    }
    visiting.delete(spec.name);
    ordered.push(spec);
  };
  for (const spec of services) visit(spec);
  return ordered;
}

export interface EnvTarget {
  redisUrl: string;
  kafkaBrokers: string;
  serviceUrl(spec: ServiceSpec): string;
  artifactsDir(set: ArtifactSet): string;
}

export function resolveEnv(spec: ServiceSpec, target: EnvTarget): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.env)) {
    if ('literal' in value) out[name] = value.literal;
    else if ('redisUrl' in value) out[name] = target.redisUrl;
    else if ('kafkaBrokers' in value) out[name] = target.kafkaBrokers;
    else if ('serviceUrl' in value) out[name] = target.serviceUrl(serviceByName(value.serviceUrl));
    else out[name] = target.artifactsDir(value.artifacts);
  }
  return out;
}
