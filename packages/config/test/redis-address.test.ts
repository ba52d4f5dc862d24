import { describe, expect, it } from 'vitest';
import { ConfigError, env, loadConfig, parseRedisAddress, sentinelRedisUrl } from '../src/index.js';

const shape = { REDIS_URL: env.redisUrl({ description: 'where Redis is' }) };

describe('parseRedisAddress', () => {
  it('when the address is a redis:// URL, then it is one server, kept as given', () => {
    expect(parseRedisAddress('redis://127.0.0.1:6379/2')).toEqual({
      kind: 'server',
      url: 'redis://127.0.0.1:6379/2',
    });
  });

  it('when the address lists Sentinels, then each is a host and port and the primary is named', () => {
    expect(parseRedisAddress('redis-sentinel://127.0.0.1:6382,127.0.0.1:6383,sentinel-3:6384#mlsys')).toEqual(
      {
        kind: 'sentinel',
        sentinels: [
          { host: '127.0.0.1', port: 6382 },
          { host: '127.0.0.1', port: 6383 },
          { host: 'sentinel-3', port: 6384 },
        ],
        name: 'mlsys',
        db: 0,
      },
    );
  });

  it("when a Sentinel address has credentials, a database and a port-less host, then they are read and the port is Sentinel's own", () => {
    expect(parseRedisAddress('redis-sentinel://app:s%40cret@10.0.0.1,10.0.0.2:5000/3#my%20primary')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 5000 },
      ],
      name: 'my primary',
      db: 3,
      username: 'app',
      password: 's@cret',
    });
  });

  it('when sentinelRedisUrl builds an address, then parsing it gives the same Sentinels and name back', () => {
    const url = sentinelRedisUrl(['127.0.0.1:6382', '127.0.0.1:6383'], 'mlsys');
    expect(url).toBe('redis-sentinel://127.0.0.1:6382,127.0.0.1:6383#mlsys');
    expect(parseRedisAddress(url)).toMatchObject({
      sentinels: [
        { host: '127.0.0.1', port: 6382 },
        { host: '127.0.0.1', port: 6383 },
      ],
      name: 'mlsys',
    });
  });

  it.each([
    ['http://127.0.0.1:6379', /must start with redis:\/\/, rediss:\/\/ or redis-sentinel:\/\//],
    ['redis-sentinel://127.0.0.1:6382', /#primaryName/],
    ['redis-sentinel://127.0.0.1:99999#mlsys', /Sentinel "127.0.0.1:99999" that is not host:port/],
    ['redis-sentinel://a:1,,b:2#mlsys', /Sentinel "" that is not host:port/],
  ])('when the address is %s, then it is refused saying what is wrong', (raw, message) => {
    expect(() => parseRedisAddress(raw)).toThrow(message);
  });
});

describe('env.redisUrl', () => {
  it('when REDIS_URL names Sentinels, then the service gets the address as written', () => {
    const url = 'redis-sentinel://127.0.0.1:6382,127.0.0.1:6383#mlsys';
    expect(loadConfig('svc', shape, { REDIS_URL: url })).toEqual({ REDIS_URL: url });
  });

  it('when REDIS_URL is a Sentinel address without the primary name, then the start fails naming the variable', () => {
    let caught: unknown;
    try {
      loadConfig('svc', shape, { REDIS_URL: 'redis-sentinel://127.0.0.1:6382' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems).toEqual([
      expect.stringMatching(/^REDIS_URL must be redis-sentinel:/),
    ]);
  });
});
