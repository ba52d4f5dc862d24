/**
 * Typed environment, parsed once at start. A service describes the variables
 * it needs; `loadConfig` returns a typed object or throws one ConfigError
 * that names every missing or malformed variable, so a service never starts
 * on a silent '' default.
 */

export interface VarSpec<T> {
  readonly description: string;
  /** Used when the variable is unset; a spec without one makes the variable required. */
  readonly fallback?: T;
  parse(raw: string): T;
}

type Options<T> = { description: string; default?: T };

function spec<T>(options: Options<T>, parse: (raw: string) => T): VarSpec<T> {
  return options.default === undefined
    ? { description: options.description, parse }
    : { description: options.description, fallback: options.default, parse };
}

export const env = {
  string: (options: Options<string>) =>
    spec(options, (raw) => {
      if (raw.trim() === '') throw new Error('is empty');
      return raw;
    }),
  int: (options: Options<number> & { min?: number; max?: number }) =>
    spec(options, (raw) => {
      if (!/^-?\d+$/.test(raw.trim())) throw new Error(`must be a whole number, got "${raw}"`);
      const value = Number.parseInt(raw, 10);
      if (options.min !== undefined && value < options.min)
        throw new Error(`must be >= ${options.min}, got ${value}`);
      if (options.max !== undefined && value > options.max)
        throw new Error(`must be <= ${options.max}, got ${value}`);
      return value;
    }),
  port: (options: Options<number>) => env.int({ ...options, min: 1, max: 65_535 }),
  bool: (options: Options<boolean>) =>
    spec(options, (raw) => {
      const value = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off'].includes(value)) return false;
      throw new Error(`must be true or false, got "${raw}"`);
    }),
  /** Comma-separated list, e.g. KAFKA_BROKERS=127.0.0.1:9092,127.0.0.1:9093. */
  list: (options: Options<string[]>) =>
    spec(options, (raw) => {
      const items = raw
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
      if (items.length === 0) throw new Error('must list at least one value');
      return items;
    }),
  oneOf: <const V extends string>(values: readonly V[], options: Options<V>) =>
    spec(options, (raw) => {
      if (!values.includes(raw as V)) throw new Error(`must be one of ${values.join(', ')}, got "${raw}"`);
      return raw as V;
    }),
  /**
   * Where Redis is: `redis://` or `rediss://` for one server, or `redis-sentinel://` for a primary
   * the Sentinels name (see `parseRedisAddress`). The value stays a string, so whatever passes
   * "the Redis URL" along (a worker thread's settings, an error message) needs no second form.
   */
  redisUrl: (options: Options<string>) =>
    spec(options, (raw) => {
      parseRedisAddress(raw);
      return raw;
    }),
  url: (options: Options<string> & { protocols?: string[] }) =>
    spec(options, (raw) => {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new Error(`must be a URL, got "${raw}"`);
      }
      if (options.protocols && !options.protocols.includes(url.protocol.replace(/:$/, ''))) {
        throw new Error(`must use ${options.protocols.join(' or ')}, got "${url.protocol}"`);
      }
      return raw;
    }),
};

export type ConfigShape = Record<string, VarSpec<unknown>>;
export type ConfigOf<S extends ConfigShape> = { [K in keyof S]: S[K] extends VarSpec<infer T> ? T : never };

export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(
      `${service} cannot start, its environment is incomplete:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends ConfigShape>(
  service: string,
  shape: S,
  source: Readonly<Record<string, string | undefined>>,
): ConfigOf<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(shape)) {
    const raw = source[name];
    if (raw === undefined || raw === '') {
      if ('fallback' in variable) out[name] = variable.fallback;
      else problems.push(`${name} is required (${variable.description})`);
      continue;
    }
    try {
      out[name] = variable.parse(raw);
    } catch (error) {
      problems.push(`${name} ${(error as Error).message} (${variable.description})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(service, problems);
  return out as ConfigOf<S>;
}

/** The variables every service reads: where to listen, how much to log, how long shutdown may take. */
export function serviceEnv(defaultPort: number) {
  return {
    PORT: env.port({ description: 'HTTP port', default: defaultPort }),
    HOST: env.string({ description: 'interface to listen on', default: '127.0.0.1' }),
    LOG_LEVEL: env.oneOf(['debug', 'info', 'warn', 'error'] as const, {
      description: 'log level',
      default: 'info',
    }),
    SHUTDOWN_DEADLINE_MS: env.int({
      description: 'longest a graceful shutdown may take',
      default: 10_000,
      min: 100,
    }),
  };
}

/**
 * `loadConfig` for a process entry point: a ConfigError is printed as it is
 * (one line per variable) and the process exits 1, with no stack trace.
 */
export function loadConfigOrExit<S extends ConfigShape>(
  service: string,
  shape: S,
  source: Readonly<Record<string, string | undefined>>,
): ConfigOf<S> {
  try {
    return loadConfig(service, shape, source);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

/** The variables of a service that runs an exactly-once Kafka stream (`@mlsys/kafka/stream`). */
export function streamEnv(service: string) {
  return {
    MAX_BATCH_RECORDS: env.int({ description: 'most records per Kafka transaction', default: 5000, min: 1 }),
    KAFKA_SESSION_TIMEOUT_MS: env.int({
      description: 'how long the group waits for a crashed instance before moving its partitions',
      default: 10_000,
      min: 6_000,
    }),
    COMMIT_INTERVAL_MS: env.int({
      description:
        'least time between two Kafka transactions of the stream: batches gather records instead of committing each alone',
      default: 100,
      min: 0,
      max: 10_000,
    }),
    FETCH_MIN_BYTES: env.int({
      description: 'the broker holds a fetch until this many bytes (or 100 ms): fewer fetches at a trickle',
      default: 16_384,
      min: 1,
    }),
    CONSUMER_GROUP: env.string({ description: 'Kafka consumer group', default: service }),
    INSTANCE_ID: env.string({
      description: 'stable per instance: a restart with the same id fences its dead predecessor',
      default: '0',
    }),
  };
}

/** One Redis server, or a primary found through Sentinels: what a Redis address variable holds. */
export type RedisAddress =
  | { kind: 'server'; url: string }
  | {
      kind: 'sentinel';
      sentinels: Array<{ host: string; port: number }>;
      /** The name the Sentinels monitor the primary under. */
      name: string;
      db: number;
      username?: string;
      password?: string;
    };

/** Sentinel's customary port, for a Sentinel listed without one. */
const SENTINEL_PORT = 26_379;

/**
 * Parses a Redis address: `redis://` / `rediss://` (one server, as ioredis reads it), or
 * `redis-sentinel://[[user]:password@]host[:port][,host[:port]...][/db]#primaryName`, the form
 * Lettuce and Spring use for a Sentinel-monitored primary. Every Sentinel is listed so that a
 * client still finds the primary when one of them is down. Throws with what is wrong.
 */
export function parseRedisAddress(raw: string): RedisAddress {
  const scheme = /^([a-z+-]+):\/\//.exec(raw)?.[1];
  if (scheme === 'redis' || scheme === 'rediss') {
    try {
      new URL(raw);
    } catch {
      throw new Error(`must be a URL, got "${raw}"`);
    }
    return { kind: 'server', url: raw };
  }
  if (scheme !== 'redis-sentinel')
    throw new Error(`must start with redis://, rediss:// or redis-sentinel://, got "${raw}"`);
  const match = /^redis-sentinel:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/#]+)(?:\/(\d+))?#(.+)$/.exec(raw);
  if (!match)
    throw new Error(
      `must be redis-sentinel://host:port[,host:port...][/db]#primaryName (the name the Sentinels know the primary by), got "${raw}"`,
    );
  const [, username, password, hosts, db, name] = match;
  const sentinels = hosts!.split(',').map((hostPort) => {
    const parts = /^([^:,\s]+)(?::(\d{1,5}))?$/.exec(hostPort.trim());
    const port = Number(parts?.[2] ?? SENTINEL_PORT);
    if (!parts || port < 1 || port > 65_535)
      throw new Error(`has a Sentinel "${hostPort}" that is not host:port`);
    return { host: parts[1]!, port };
  });
  return {
    kind: 'sentinel',
    sentinels,
    name: decodeURIComponent(name!),
    db: Number(db ?? 0),
    ...(username ? { username: decodeURIComponent(username) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
  };
}

/** The `redis-sentinel://` address of a primary named `name` by the Sentinels at `host:port`s. */
export function sentinelRedisUrl(sentinels: readonly string[], name: string): string {
  return `redis-sentinel://${sentinels.join(',')}#${encodeURIComponent(name)}`;
}

/**
 * How the topics a service creates at start are replicated: the `ha` profile gives 3 and 2, so a
 * topic the servers did not create beforehand is no less safe than those they did. Topics that
 * exist are left as they are. Pass `topicReplication(config)` to `ensureTopics`.
 */
export function topicReplicationEnv() {
  return {
    KAFKA_REPLICATION_FACTOR: env.int({
      description: 'replicas of each topic this service creates (3 under the ha profile)',
      default: 1,
      min: 1,
    }),
    KAFKA_MIN_INSYNC_REPLICAS: env.int({
      description: 'replicas an acks=all write to such a topic waits for (2 under the ha profile)',
      default: 1,
      min: 1,
    }),
  };
}

/** The replication `ensureTopics` takes, from `topicReplicationEnv`'s variables. */
export function topicReplication(config: {
  KAFKA_REPLICATION_FACTOR: number;
  KAFKA_MIN_INSYNC_REPLICAS: number;
}) {
  return {
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS,
  };
}
