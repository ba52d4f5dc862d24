import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedStep, hashJson } from '../src/shared/step-cache.js';

function step(dir: string, key: string, force = false) {
  const output = join(dir, 'out.txt');
  let ran = false;
  let skipped = false;
  const done = cachedStep({
    stampPath: join(dir, 'stamps', 'step.json'),
    key,
    outputs: [output],
    force,
    onSkip: () => {
      skipped = true;
    },
    run: async () => {
      ran = true;
      writeFileSync(output, key);
      return { built: key };
    },
  });
  return done.then((result) => ({ result, ran, skipped, output }));
}

describe('step cache', () => {
  it('when run twice with the same key, then the second run is skipped and returns the recorded result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'step-cache-'));
    await step(dir, 'a');

    const second = await step(dir, 'a');

    expect(second).toMatchObject({ ran: false, skipped: true, result: { built: 'a' } });
  });

  it('when the key changes, then the step runs again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'step-cache-'));
    await step(dir, 'a');

    expect(await step(dir, 'b')).toMatchObject({ ran: true, result: { built: 'b' } });
  });

  it('when an output was deleted, then the step runs again despite a matching stamp', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'step-cache-'));
    const first = await step(dir, 'a');
    rmSync(first.output);

    expect((await step(dir, 'a')).ran).toBe(true);
  });

  it('when forced, then the step runs even with a matching stamp', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'step-cache-'));
    await step(dir, 'a');

    expect((await step(dir, 'a', true)).ran).toBe(true);
  });

  it('when parameters are hashed, then the same values give the same key and different values another', () => {
    expect(hashJson({ m: 16, ef: [1000] })).toBe(hashJson({ m: 16, ef: [1000] }));
    expect(hashJson({ m: 16 })).not.toBe(hashJson({ m: 32 }));
  });
});
