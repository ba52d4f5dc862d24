import type { ConfigOf, ConfigShape } from '@mlsys/config';

/**
 * A what-if drill: one question an interviewer asks ("and if Redis goes
 * down?"), answered by doing it to the running stack for one to three
 * minutes and printing what was measured before and after. A drill never
 * starts servers: it refuses, with what to start, when a service it needs
 * does not answer.
 */

/** Every address a drill may touch; the CLI fills them from the environment with the stack's ports. */
export interface DrillTargets {
  'rec-api': string;
  'txn-api': string;
  'fraud-monitor': string;
  kafka: string;
  redis: string;
}

/** The HTTP services of the stack a drill can require (each answers `/readyz`). */
export type DrillService = 'rec-api' | 'txn-api' | 'fraud-monitor';

/** One cell of the before/after table: a measured number, a label, or null (not measured). */
export type Cell = string | number | null;

export interface DrillTable {
  columns: string[];
  rows: Cell[][];
}

/** What a drill found: the table, the talking point built from it, and the figures for the JSON file. */
export interface DrillFindings {
  table: DrillTable;
  talkingPoint: string;
  metrics: Record<string, unknown>;
  notes?: string[];
}

export interface DrillContext<P> {
  targets: DrillTargets;
  params: P;
  /** Records one thing the drill did (printed as it happens, kept for the JSON file). */
  step(line: string): void;
  /** Progress of the load runs inside the drill. */
  progress(line: string): void;
  /** The checkout `npm start` runs from: its pid files and entry points. */
  root: string;
}

export interface DrillDefinition<S extends ConfigShape = ConfigShape> {
  name: string;
  /** The interviewer's question, as asked. */
  question: string;
  /** What the drill does, in one line, for `--list`. */
  summary: string;
  /** Services that must be ready before anything is done (any of them, for a drill whose settings choose). */
  needs: DrillService[];
  /** Those of `needs` the given settings use (a drill that pushes one design of two); all when absent. */
  needsFor?(params: ConfigOf<S>): DrillService[];
  /** `--param name=value` settings, with defaults that fit the 1-3 minute budget. */
  params: S;
  /** How long the drill may take at its default settings; past it the runner stops it. */
  budgetMs: number;
  run(context: DrillContext<ConfigOf<S>>): Promise<DrillFindings>;
}

export function defineDrill<S extends ConfigShape>(drill: DrillDefinition<S>): DrillDefinition<S> {
  return drill;
}

/**
 * The drill cannot run: the stack is not up, a parameter is wrong, or what
 * the fault needs is missing. Thrown only before anything was done to the stack.
 */
export class DrillRefused extends Error {
  override name = 'DrillRefused';
}
