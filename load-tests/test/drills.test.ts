import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DrillTargets, defineDrill } from '../src/drills/drill.js';
import { drillLoad } from '../src/drills/drill-load.js';
import { estimateCli, sheetLatency, sheetValue } from '../src/drills/estimate.js';
import { LabelLedger } from '../src/drills/label-ledger.js';
import { figuresOf, phaseAt } from '../src/drills/phases.js';
import { DRILL_EXIT, runDrill } from '../src/drills/run-drill.js';
import { renderTable } from '../src/drills/table.js';
import { fraudTenX } from '../src/drills/traffic-10x-designs.js';
import { redisCommand } from '../src/faults/redis-command.js';
import { param } from '../src/params.js';
import { type FakeServer, startFakeServer } from './helpers/fake-server.js';
import { constantRate, httpScenario } from './helpers/http-scenario.js';

const ROOT = join(import.meta.dirname, '..', '..');

const targets = (origin: string): DrillTargets => ({
  'rec-api': origin,
  'txn-api': origin,
  'fraud-monitor': origin,
  kafka: '127.0.0.1:1',
  redis: 'redis://127.0.0.1:1',
});

const outDirs: string[] = [];
function capture() {
  const lines: string[] = [];
  const outDir = mkdtempSync(join(tmpdir(), 'drills-'));
  outDirs.push(outDir);
  return {
    lines,
    text: () => lines.join('\n'),
    io: { print: (l: string) => lines.push(l), progress: () => {}, outDir },
  };
}

const stub = (run: () => Promise<unknown>) =>
  defineDrill({
    name: 'stub',
    question: 'What if?',
    summary: 'a stand-in',
    needs: ['txn-api'],
    params: { rate: param.int({ description: 'rate', default: 5, min: 1 }) },
    budgetMs: 1000,
    run: run as never,
  });

let servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  for (const dir of outDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('drill runner', () => {
  it('when a service the drill needs does not answer, then it refuses with exit 2, says to npm start, and does nothing', async () => {
    const gone = await startFakeServer(() => {});
    await gone.close();
    let ran = false;
    const { io, text } = capture();
    const outcome = await runDrill(
      {
        drill: stub(async () => {
          ran = true;
        }),
        given: {},
        targets: targets(gone.origin),
        root: ROOT,
      },
      io,
    );
    expect(outcome.exit).toBe(DRILL_EXIT.refused);
    expect(ran).toBe(false);
    expect(text()).toContain('npm start');
    expect(text()).toContain('TXN_API_URL');
    expect(existsSync(join(io.outDir, 'stub.json'))).toBe(false);
  });

  it('when a --param is unknown or bad, then it refuses naming it, before touching the stack', async () => {
    const { io, text } = capture();
    const ready = async () => {
      throw new Error('must not be asked');
    };
    const drill = stub(async () => ({}));
    expect(
      (await runDrill({ drill, given: { nope: '1' }, targets: targets('http://x'), root: ROOT, ready }, io))
        .exit,
    ).toBe(2);
    expect(
      (await runDrill({ drill, given: { rate: '0' }, targets: targets('http://x'), root: ROOT, ready }, io))
        .exit,
    ).toBe(2);
    expect(text()).toContain('has no parameter nope');
    expect(text()).toContain('rate');
  });

  it('when the drill runs, then the question, its steps, the table and the talking point are printed and written to <name>.json, without the Redis password', async () => {
    const { io, text } = capture();
    const drill = stub(async function (this: unknown, ...args: unknown[]) {
      const context = args[0] as { step: (l: string) => void; params: { rate: number } };
      context.step(`sent ${context.params.rate}/s`);
      return {
        table: {
          columns: ['phase', 'p95 ms'],
          rows: [
            ['before', 1.234],
            ['after', null],
          ],
        },
        talkingPoint: 'it held',
        metrics: { held: true },
        notes: ['a note'],
      };
    });
    const withPassword = { ...targets('http://x'), redis: 'redis://:hunter2@127.0.0.1:6379' };
    const outcome = await runDrill(
      { drill, given: { rate: '7' }, targets: withPassword, root: ROOT, ready: async () => {} },
      io,
    );
    expect(outcome.exit).toBe(DRILL_EXIT.done);
    const printed = text();
    for (const part of ['Q: What if?', 'sent 7/s', 'before', '1.23', 'Talking point: it held', 'a note'])
      expect(printed).toContain(part);
    const json = JSON.parse(readFileSync(join(io.outDir, 'stub.json'), 'utf8'));
    expect(json.name).toBe('drill-stub');
    expect(json.params.params).toEqual({ rate: 7 });
    expect(json.metrics.held).toBe(true);
    expect(json.metrics.table.rows[1]).toEqual(['after', null]);
    expect(json.notes.join(' ')).toContain('sent 7/s');
    expect(json.params.targets.redis).toBe('redis://:***@127.0.0.1:6379');
  });

  it('when the drill fails part-way, then exit 1 with its reason and no results file', async () => {
    const { io, text } = capture();
    const drill = stub(async () => {
      throw new Error('Kafka went away');
    });
    const outcome = await runDrill(
      { drill, given: {}, targets: targets('http://x'), root: ROOT, ready: async () => {} },
      io,
    );
    expect(outcome.exit).toBe(DRILL_EXIT.failed);
    expect(text()).toContain('Kafka went away');
    expect(existsSync(join(io.outDir, 'stub.json'))).toBe(false);
  });

  it('when the drill never finishes, then it is stopped past its budget and reported as overrun', async () => {
    const { io, text } = capture();
    const drill = { ...stub(() => new Promise(() => {})), budgetMs: 0 };
    const outcome = await runDrill(
      { drill, given: {}, targets: targets('http://x'), root: ROOT, ready: async () => {}, graceMs: 20 },
      io,
    );
    expect(outcome).toEqual({ exit: DRILL_EXIT.failed, overran: true });
    expect(text()).toContain('overran');
  });
});

describe('table', () => {
  it('when rendered, then columns line up, numbers right-aligned, null as a dash', () => {
    const lines = renderTable({
      columns: ['phase', 'n', 'p95 ms'],
      rows: [
        ['before', 1200, 3.456],
        ['during the pause', 7, null],
      ],
    });
    expect(lines[0]).toBe('phase                 n  p95 ms');
    expect(lines[2]).toBe('before            1,200    3.46');
    expect(lines[3]).toBe('during the pause      7       —');
  });
});

describe('phases', () => {
  it('when a time falls between phase starts, then it belongs to the latest phase begun', () => {
    const phases = [
      { name: 'before', fromMs: 0 },
      { name: 'during', fromMs: 1000 },
      { name: 'after', fromMs: 2000 },
    ];
    expect(phaseAt(phases, 0).name).toBe('before');
    expect(phaseAt(phases, 999).name).toBe('before');
    expect(phaseAt(phases, 1000).name).toBe('during');
    expect(phaseAt(phases, 5000).name).toBe('after');
  });

  it('when a fault is injected at a phase start, then that phase alone shows it, and the hook runs once per phase', async () => {
    let failing = false;
    const server = await startFakeServer((app) => {
      app.get('/thing', async (_req, reply) => (failing ? reply.code(503).send('paused') : 'ok'));
    });
    servers.push(server);
    const entered: string[] = [];
    const scenario = {
      ...httpScenario({ method: 'GET', path: '/thing' }, constantRate(10, '2s')),
      target: 'txn-api' as const,
    };
    const run = await drillLoad({
      scenario,
      targets: targets(server.origin),
      ratePerSecond: 10,
      durationMs: 2000,
      warmupMs: 0,
      phases: [
        { name: 'before', fromMs: 0 },
        { name: 'during', fromMs: 1000 },
      ],
      onPhase: (phase) => {
        entered.push(phase.name);
        if (phase.name === 'during') failing = true;
      },
      label: 'test',
      progress: () => {},
    });
    expect(entered).toEqual(['before', 'during']);
    const before = figuresOf(run.recorder, { filter: { phase: 'before' } });
    const during = figuresOf(run.recorder, { filter: { phase: 'during' } });
    expect(before.requests).toBe(10);
    expect(during.requests).toBe(10);
    expect(before.availability).toBe(1);
    expect(during.availability).toBe(0);
  });
});

describe('redis command', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  async function fakeRedis(reply: string): Promise<{ url: string; received: () => string }> {
    let received = '';
    server = createServer((socket) => {
      socket.on('data', (chunk) => {
        received += chunk.toString();
        socket.write(reply);
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return { url: `redis://127.0.0.1:${port}`, received: () => received };
  }

  it('when a command is sent, then it goes out as a RESP array and the simple reply comes back', async () => {
    const redis = await fakeRedis('+OK\r\n');
    expect(await redisCommand(redis.url, ['CLIENT', 'PAUSE', '8000', 'ALL'])).toBe('OK');
    expect(redis.received()).toBe('*4\r\n$6\r\nCLIENT\r\n$5\r\nPAUSE\r\n$4\r\n8000\r\n$3\r\nALL\r\n');
  });

  it('when Redis answers an error, then it is thrown with its message', async () => {
    const redis = await fakeRedis('-ERR unknown subcommand\r\n');
    await expect(redisCommand(redis.url, ['CLIENT', 'PAUSE', 'x'])).rejects.toThrow(
      'Redis refused CLIENT: ERR unknown subcommand',
    );
  });

  it('when nothing listens, then the error names the address', async () => {
    await expect(redisCommand('redis://127.0.0.1:1', ['PING'])).rejects.toThrow(
      'cannot reach Redis at 127.0.0.1:1',
    );
  });
});

describe('label ledger', () => {
  // A random source at 0.5: no fraud is "never disputed", and every dispute delay is the same draw (about 3.5 days).
  const ledger = () => new LabelLedger(() => 0.5);
  const payment = (id: string, flagged: boolean, isFraud: boolean) => ({
    transactionId: id,
    cardId: `c-${id}`,
    eventTime: 1_000,
    amount: 50,
    flagged,
    isFraud,
  });

  it('when no chargeback has matured, then precision counts as 0 and recall is unknown, though the truth is 50 %', () => {
    const l = ledger();
    for (const p of [
      payment('a', true, true),
      payment('b', true, false),
      payment('c', false, true),
      payment('d', false, false),
    ])
      l.add(p);
    expect(l.release(1, 5_000)).toEqual([]);
    expect(l.counted()).toEqual({ flagged: 2, frauds: 0, truePositives: 0, precision: 0, recall: null });
    expect(l.truth()).toEqual({ flagged: 2, frauds: 2, truePositives: 1, precision: 0.5, recall: 0.5 });
  });

  it('when the chargebacks mature, then each is released once, carrying the payment, and the count reaches the truth', () => {
    const l = ledger();
    for (const p of [payment('a', true, true), payment('b', true, false), payment('c', false, true)])
      l.add(p);
    const released = l.release(7, 9_000);
    expect(released).toEqual([
      { transactionId: 'a', cardId: 'c-a', eventTime: 1_000, reportedAt: 9_000 },
      { transactionId: 'c', cardId: 'c-c', eventTime: 1_000, reportedAt: 9_000 },
    ]);
    expect(l.release(90, 10_000)).toEqual([]);
    expect(l.counted()).toEqual(l.truth());
  });
});

describe('capacity model sheet', () => {
  it('when the estimate CLI runs, then the rows the traffic-10x drill reads exist with values', async () => {
    const sheet = await estimateCli(ROOT)([
      '--design',
      'recs',
      '--users',
      '1M',
      '--songs',
      '1M',
      '--rps',
      '100',
    ]);
    expect(sheet.design).toBe('recs');
    expect(sheetValue(sheet, 'instances, all services')).toBeGreaterThan(0);
    expect(sheetValue(sheet, 'cores in use at peak, all services')).toBeGreaterThan(0);
    expect(sheetValue(sheet, 'monthly cost')).toBeGreaterThan(0);
    expect(sheetValue(sheet, 'index shard instances')).toBeGreaterThan(0);
    expect(sheetValue(sheet, 'degraded answers (a stage fell back)')).toBeGreaterThanOrEqual(0);
    expect(sheetLatency(sheet, 'p95')).toBeGreaterThan(0);
    expect(sheetValue(sheet, 'no such row')).toBeNull();
  }, 60_000);

  it('when the estimate CLI runs for fraud, then the rows the traffic-10x drill reads are on its sheet', async () => {
    const sheet = await estimateCli(ROOT)(['--design', 'fraud', '--tps', '100', '--peak', '1']);
    expect(sheet.design).toBe('fraud');
    const names = sheet.rows.map((row) => row.what);
    // Their values can be "not measured" (null) when no committed fraud-sync row is within the fallback limit.
    for (const name of [
      'instances, all services',
      'cores in use at peak, all services',
      'monthly cost',
      'feature-engine instances',
      fraudTenX.fellBackRow,
    ])
      expect(names).toContain(name);
  }, 60_000);
});
