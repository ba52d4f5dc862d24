import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULTS, KILLABLE_SERVICES } from '@mlsys/load-tests/faults';
import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../src/adapters/fault-injector.js';
import type { TrafficSettings } from '../src/adapters/traffic-runner.js';

const root = mkdtempSync(join(tmpdir(), 'console-faults-'));

function injector() {
  const commands: string[][] = [];
  const changes: Array<Partial<TrafficSettings>> = [];
  const faults = new FaultInjector({
    stack: { root },
    redisCommand: async (...command) => {
      commands.push(command);
      return 'OK';
    },
    traffic: { update: (change: Partial<TrafficSettings>) => changes.push(change) } as never,
  });
  return { faults, commands, changes };
}

describe('faults from the shared list', () => {
  it("when the list is read, then it holds the load runner's kills and the console's own, each described", () => {
    const ids = FAULTS.map((f) => f.id);
    for (const service of KILLABLE_SERVICES) expect(ids).toContain(`kill-${service}`);
    expect(ids).toEqual(expect.arrayContaining(['pause-redis', 'stop-chargebacks', 'inject-drift']));
    expect(FAULTS.every((f) => f.description.length > 40)).toBe(true);
  });

  it('when Redis is paused for 3 s, then one CLIENT PAUSE of 3000 ms goes to the stack Redis', async () => {
    const { faults, commands } = injector();
    const outcome = await faults.inject({ fault: 'pause-redis', seconds: 3 });
    expect(commands).toEqual([['CLIENT', 'PAUSE', '3000', 'ALL']]);
    expect(outcome.message).toBe('Redis paused for 3 s');
  });

  it('when drift is injected for 1 s, then amounts are tripled, then set back', async () => {
    const { faults, changes } = injector();
    await faults.inject({ fault: 'inject-drift', seconds: 1 });
    expect(changes).toEqual([{ amountFactor: 3 }]);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(changes).toEqual([{ amountFactor: 3 }, { amountFactor: 1 }]);
    faults.stop();
  });

  it('when a kill finds no stack started from the checkout, then it is refused with the reason (409), nothing signalled', async () => {
    const { faults } = injector();
    await expect(faults.inject({ fault: 'kill-fraud-scorer' })).rejects.toMatchObject({
      statusCode: 409,
      message: expect.stringMatching(/no pid file .*npm start/),
    });
    rmSync(root, { recursive: true, force: true });
  });

  it('when the fault is not on the list, then 400 names it', async () => {
    const { faults } = injector();
    await expect(faults.inject({ fault: 'unplug-the-machine' })).rejects.toMatchObject({ statusCode: 400 });
  });
});
