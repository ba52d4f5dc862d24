import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@mlsys/config';
import { buildResult, type RunResult } from '@mlsys/results';
import { type DrillDefinition, DrillRefused, type DrillTargets } from './drill.js';
import { requireStack } from './stack.js';
import { renderTable } from './table.js';

/** Exit statuses: 0 the drill ran (whatever it found), 1 it failed or overran part-way, 2 it refused before doing anything. */
export const DRILL_EXIT = { done: 0, failed: 1, refused: 2 } as const;

export interface DrillIo {
  print: (line: string) => void;
  /** The load runs' progress lines. */
  progress: (line: string) => void;
  /** Where `<name>.json` goes. */
  outDir: string;
}

export interface DrillRun {
  drill: DrillDefinition;
  /** `--param name=value` as given. */
  given: Record<string, string>;
  targets: DrillTargets;
  /** The checkout `npm start` runs from. */
  root: string;
  /** Readiness check per service; the real one asks `/readyz`. */
  ready?: (origin: string, service: string) => Promise<void>;
  /** Extra time past the drill's budget before it is declared overrun (the runner's drains, Kafka joins). */
  graceMs?: number;
}

export interface DrillOutcome {
  exit: number;
  result?: RunResult;
  /** True when the drill overran its budget and was abandoned (its load may still be in flight). */
  overran?: boolean;
}

function parseParams(drill: DrillDefinition, given: Record<string, string>): Record<string, unknown> {
  const unknown = Object.keys(given).filter((name) => !(name in drill.params));
  if (unknown.length > 0) {
    throw new DrillRefused(
      `${drill.name} has no parameter ${unknown.join(', ')}; it takes: ${Object.keys(drill.params).join(', ')}`,
    );
  }
  try {
    return loadConfig(drill.name, drill.params, given);
  } catch (error) {
    if (error instanceof ConfigError)
      throw new DrillRefused(`bad --param for ${drill.name}:\n  - ${error.problems.join('\n  - ')}`);
    throw error;
  }
}

/** The addresses as written to the results file: a password in a URL (REDIS_URL) is not kept. */
function withoutSecrets(targets: DrillTargets): Record<string, string> {
  return Object.fromEntries(
    Object.entries(targets).map(([name, address]) => {
      try {
        const url = new URL(address);
        if (url.password) url.password = '***';
        return [name, url.password ? url.toString() : address];
      } catch {
        return [name, address];
      }
    }),
  );
}

/**
 * Runs one drill: checks its parameters and the stack (refusing before any
 * traffic), prints the question, each step as it is done, the before/after
 * table and the talking point, and writes `<outDir>/<name>.json`.
 */
export async function runDrill(request: DrillRun, io: DrillIo): Promise<DrillOutcome> {
  const { drill, targets } = request;
  const startedAt = new Date();
  io.print(`\nDRILL ${drill.name}\n\nQ: ${drill.question}\n`);
  let params: Record<string, unknown>;
  try {
    params = parseParams(drill, request.given);
    await requireStack(targets, drill.needsFor?.(params) ?? drill.needs, request.ready);
  } catch (error) {
    if (!(error instanceof DrillRefused)) throw error;
    io.print(`✖ refused: ${error.message}`);
    return { exit: DRILL_EXIT.refused };
  }

  const steps: string[] = [];
  const began = Date.now();
  const context = {
    targets,
    params,
    root: request.root,
    progress: io.progress,
    step(line: string) {
      const at = ((Date.now() - began) / 1000).toFixed(1);
      steps.push(`${at} s: ${line}`);
      io.print(`  [${at.padStart(5)} s] ${line}`);
    },
  };
  io.print('What it did:');
  const limitMs = drill.budgetMs + (request.graceMs ?? 30_000);
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<'overran'>((resolve) => {
    timer = setTimeout(() => resolve('overran'), limitMs);
  });
  let findings: Awaited<ReturnType<DrillDefinition['run']>>;
  try {
    const outcome = await Promise.race([drill.run(context), overrun]);
    if (outcome === 'overran') {
      io.print(
        `✖ ${drill.name} overran its ${limitMs / 1000} s limit and was stopped; nothing is reported from a partial run`,
      );
      return { exit: DRILL_EXIT.failed, overran: true };
    }
    findings = outcome;
  } catch (error) {
    // A drill checks what it alone needs (a pid file, Redis) before its first request and refuses like the runner does.
    if (error instanceof DrillRefused) {
      io.print(`✖ refused: ${error.message}`);
      return { exit: DRILL_EXIT.refused };
    }
    io.print(`✖ ${drill.name} failed part-way: ${error instanceof Error ? error.message : String(error)}`);
    return { exit: DRILL_EXIT.failed };
  } finally {
    clearTimeout(timer);
  }

  const elapsedS = Math.round((Date.now() - began) / 100) / 10;
  io.print('\nBefore and after (measured in this run):\n');
  for (const line of renderTable(findings.table)) io.print(`  ${line}`);
  io.print(`\nTalking point: ${findings.talkingPoint}\n`);
  for (const note of findings.notes ?? []) io.print(`  note: ${note}`);
  const result = buildResult({
    name: `drill-${drill.name}`,
    startedAt,
    params: { drill: drill.name, question: drill.question, params, targets: withoutSecrets(targets) },
    metrics: { ...findings.metrics, table: findings.table, elapsed_s: elapsedS },
    notes: [
      `steps: ${steps.join(' | ')}`,
      `talking point: ${findings.talkingPoint}`,
      ...(findings.notes ?? []),
    ],
  });
  mkdirSync(io.outDir, { recursive: true });
  const file = join(io.outDir, `${drill.name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  io.print(`  took ${elapsedS} s; results: ${file}`);
  return { exit: DRILL_EXIT.done, result };
}
