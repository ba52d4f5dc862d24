import { describe, expect, it } from 'vitest';
import { ConfigError, env, loadConfig, serviceEnv } from '../src/index.js';

const shape = {
  PORT: env.port({ description: 'HTTP port', default: 8080 }),
  REDIS_URL: env.url({ description: 'Redis URL', protocols: ['redis', 'rediss'] }),
  KAFKA_BROKERS: env.list({ description: 'Kafka bootstrap servers' }),
  LOG_LEVEL: env.oneOf(['debug', 'info', 'warn'] as const, { description: 'log level', default: 'info' }),
  STRICT: env.bool({ description: 'strict mode', default: false }),
};

describe('loadConfig', () => {
  it('when every variable is valid, then it returns typed values with defaults filled in', () => {
    const config = loadConfig('svc', shape, {
      REDIS_URL: 'redis://127.0.0.1:6379',
      KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
      STRICT: 'yes',
    });
    expect(config).toEqual({
      PORT: 8080,
      REDIS_URL: 'redis://127.0.0.1:6379',
      KAFKA_BROKERS: ['127.0.0.1:9092', '127.0.0.1:9093'],
      LOG_LEVEL: 'info',
      STRICT: true,
    });
  });

  it('when variables are missing or malformed, then one error names each of them', () => {
    let caught: unknown;
    try {
      loadConfig('svc', shape, { PORT: '70000', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^PORT must be <= 65535, got 70000/);
    expect(problems[1]).toMatch(/^REDIS_URL must use redis or rediss/);
    expect(problems[2]).toMatch(/^KAFKA_BROKERS is required/);
    expect(problems[3]).toMatch(/^LOG_LEVEL must be one of debug, info, warn/);
    expect((caught as Error).message).toContain('svc cannot start');
  });

  it('when a variable is set to an empty string, then it counts as unset rather than as a value', () => {
    expect(() => loadConfig('svc', shape, { REDIS_URL: '', KAFKA_BROKERS: 'k:1' })).toThrow(
      /REDIS_URL is required/,
    );
  });
});

describe('serviceEnv', () => {
  it('when nothing is set, then the service listens on its default port on loopback', () => {
    expect(loadConfig('svc', serviceEnv(8123), {})).toEqual({
      PORT: 8123,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SHUTDOWN_DEADLINE_MS: 10_000,
    });
  });
});
