import { uniqueName } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  closeRedis,
  connectRedis,
  createRedis,
  defineLuaScript,
  pingRedis,
  type RedisClient,
} from '../src/index.js';

const infra = inject('infra');
let redis: RedisClient;
const prefix = `${uniqueName('redis-test')}:`;

beforeAll(async () => {
  redis = createRedis({ url: infra.redisUrl, keyPrefix: prefix });
  await connectRedis(redis, infra.redisUrl);
});
afterAll(async () => {
  await closeRedis(redis);
});

describe('redis client (real server)', () => {
  it('when a value is written, then it reads back under the key prefix', async () => {
    await redis.set('greeting', 'hello');
    expect(await redis.get('greeting')).toBe('hello');
    const raw = createRedis({ url: infra.redisUrl });
    await connectRedis(raw, infra.redisUrl);
    expect(await raw.get(`${prefix}greeting`)).toBe('hello');
    await closeRedis(raw);
  });

  it('when a Lua script runs twice, then it is sent whole once and applied atomically each time', async () => {
    const incrementBy = defineLuaScript<[number], number>(
      'testIncrBy',
      "return redis.call('INCRBY', KEYS[1], ARGV[1])",
    );
    expect(await incrementBy.run(redis, ['counter'], 5)).toBe(5);
    expect(await incrementBy.run(redis, ['counter'], 2)).toBe(7);
  });

  it('when a new script first runs beside other commands of the same tick on an auto-pipelining client, then all answer and the key prefix applies', async () => {
    // A script unknown to the server (its text is unique to this run), so the first call needs EVAL.
    const setOnce = defineLuaScript<[string], string>(
      'testSetOnce',
      `-- ${prefix}\nreturn redis.call('SET', KEYS[1], ARGV[1])`,
    );
    const piped = createRedis({ url: infra.redisUrl, keyPrefix: prefix, autoPipelining: true });
    await connectRedis(piped, infra.redisUrl);
    try {
      const answers = await Promise.all([
        piped.get('before'),
        setOnce.run(piped, ['scripted'], 'v'),
        piped.get('after'),
      ]);

      expect(answers).toEqual([null, 'OK', null]);
      expect(await redis.get('scripted')).toBe('v');
      expect(await setOnce.run(piped, ['scripted'], 'w')).toBe('OK');
    } finally {
      await closeRedis(piped);
    }
  });

  it('when pinged, then the readiness probe reports PONG', async () => {
    expect(await pingRedis(redis)).toBe('redis PONG');
  });

  it('when the server is unreachable, then connecting fails with the URL named', async () => {
    const url = 'redis://127.0.0.1:1';
    const client = createRedis({ url });
    await expect(connectRedis(client, url)).rejects.toThrow(`cannot reach Redis at ${url}`);
    client.disconnect();
  });
});
