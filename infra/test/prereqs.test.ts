import { describe, expect, it } from 'vitest';
import { newClusterId, serverProperties } from '../src/kafka-server.js';
import { requireTool, type Tool } from '../src/prereqs.js';

const fakeTool = (command: string, minimum: [number, number]): Tool => ({
  name: 'Node 99 or newer',
  command,
  args: ['--version'],
  version: /v(\d+)\.(\d+)/,
  minimum,
  install: 'apt-get install -y nodejs',
});

describe('requireTool', () => {
  it('when the program is not on PATH, then one line names it and how to install it', () => {
    expect(() => requireTool(fakeTool('no-such-program-mlsys', [1, 0]))).toThrow(
      'Node 99 or newer is required but `no-such-program-mlsys` is not on PATH. Install it: apt-get install -y nodejs',
    );
  });

  it('when the program is too old, then the error quotes the version it reported', () => {
    expect(() => requireTool(fakeTool(process.execPath, [99, 0]))).toThrow(
      /reports "v\d+\.\d+\.\d+"\. Install it/,
    );
  });

  it('when the program is new enough, then its version is returned', () => {
    expect(requireTool(fakeTool(process.execPath, [18, 0]))).toMatch(/^\d+\.\d+$/);
  });
});

describe('serverProperties', () => {
  it('when rendered, then the broker is KRaft on loopback with fast-start settings', () => {
    const text = serverProperties({
      port: 19092,
      controllerPort: 19093,
      dir: '/tmp/k',
      logFile: '',
      pidFile: '',
    });
    expect(text).toContain('process.roles=broker,controller');
    expect(text).toContain('listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(text).toContain('group.initial.rebalance.delay.ms=0');
    expect(text).toContain('offsets.topic.num.partitions=1');
    expect(text).toContain('auto.create.topics.enable=false');
  });
});

describe('newClusterId', () => {
  it('when drawn many times, then no id starts with a dash that kafka-storage would read as an option', () => {
    const ids = Array.from({ length: 2000 }, newClusterId);
    expect(ids.every((id) => /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id))).toBe(true);
  });
});
