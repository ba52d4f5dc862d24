// The load one mode of the fraud-sync bench is measured under: payments with fresh and returning
// cards, sent open-model over a keep-alive pool, each answer classified; and the CPU the mode's
// processes and this generator spent meanwhile.
import { loadavg } from 'node:os';
import { Decision, type Transaction, TransactionAccepted } from '@mlsys/contracts';
import { fraud } from '@mlsys/datagen';
import {
  DeadlineExceededError,
  JsonServiceClient,
  ServiceContractError,
  ServiceStatusError,
  ServiceUnreachableError,
} from '@mlsys/http-client';
import { hostCpuTimes, hostNoise } from '../stack/host-cpu.js';
import { type Call, openLoop } from './open-loop.js';
import { PaymentMix } from './payment-mix.js';
import { type Mode, type RateRow, summarizeRate } from './rows.js';
import type { MeasuredStack } from './stacks.js';

/** The decision API's synchronous route; the floor serves the same path. */
export const DECISION_PATH = '/v1/transactions?wait=true';

export interface LoadSettings {
  seconds: number;
  warmupSeconds: number;
  returningShare: number;
  /** The simulation profile payments come from (the artifacts' own, so their terminals are known). */
  dataProfile: string;
  connections: number;
  timeoutMs: number;
}

/** The simulator's payments in time order, over and over (a run may outlast one simulation). */
function* simulatedPayments(profile: string): Generator<Transaction> {
  for (;;) {
    for (const event of fraud.simulateFraud(fraud.fraudProfile(profile))) {
      if (event.kind === 'transaction') yield event.transaction;
    }
  }
}

/** What one mode's processes are sent, and how its answers are read. */
export class Load {
  private readonly client: JsonServiceClient;
  private readonly mix: PaymentMix;
  private sequence = 0;
  private readonly call: Call;

  constructor(
    private readonly settings: LoadSettings,
    private readonly mode: Mode,
    private readonly stack: MeasuredStack,
  ) {
    this.client = new JsonServiceClient({
      service: mode === 'sync' ? 'txn-api' : 'floor',
      baseUrl: stack.url,
      connections: settings.connections,
    });
    // Fresh cards start with the run id, so no card of an earlier run (or of the stack) has history.
    this.mix = new PaymentMix(simulatedPayments(settings.dataProfile), {
      returningShare: settings.returningShare,
      cardPrefix: `${stack.run}.`,
    });
    const call = { deadlineMs: settings.timeoutMs };
    const failed = (error: unknown) => ({ failed: failureReason(error) });
    this.call =
      mode === 'sync'
        ? (t) =>
            this.client.post(DECISION_PATH, t, Decision, call).then(
              (a) => ({
                full: a.body.mode === 'full',
                phases: Object.fromEntries(a.serverTiming.map(({ name, ms }) => [name, ms])),
                source: a.serverTiming.find((t) => t.name === 'decision')?.description,
              }),
              failed,
            )
        : (t) =>
            this.client
              .post(DECISION_PATH, t, TransactionAccepted, call)
              .then(() => ({ full: null }), failed);
  }

  /** Sends `rate` req/s for `seconds`, unmeasured: JIT, connection pools and consumer groups settle. */
  async warmUp(rate: number): Promise<void> {
    if (this.settings.warmupSeconds <= 0) return;
    console.log(`  ${this.mode}: warming up ${this.settings.warmupSeconds} s at ${rate} req/s (unmeasured)`);
    await this.send(rate, this.settings.warmupSeconds, false);
  }

  async measure(rate: number, batchWindowMs: number | null): Promise<RateRow> {
    const cpuBefore = this.stack.cpuSeconds();
    const hostBefore = hostCpuTimes();
    const generatorBefore = process.cpuUsage();
    const { samples, spanMs } = await this.send(rate, this.settings.seconds, true);
    const generator = process.cpuUsage(generatorBefore);
    const cpuAfter = this.stack.cpuSeconds();
    const hostAfter = hostCpuTimes();
    const cpuSeconds = Object.fromEntries(
      Object.entries(cpuAfter).map(([name, seconds]) => [name, seconds - (cpuBefore[name] ?? 0)]),
    );
    const generatorCpuSeconds = (generator.user + generator.system) / 1e6;
    const measured = Object.values(cpuSeconds).reduce((sum, seconds) => sum + seconds, generatorCpuSeconds);
    return summarizeRate({
      mode: this.mode,
      batchWindowMs,
      rate,
      samples,
      spanMs,
      cpuSeconds,
      generatorCpuSeconds,
      loadAvg1m: loadavg()[0]!,
      host: hostNoise(hostBefore, hostAfter, measured),
    });
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private send(rate: number, seconds: number, showProgress: boolean) {
    return openLoop({
      rate,
      seconds,
      next: () => this.mix.next(),
      nextId: () => `${this.stack.run}-${this.sequence++}`,
      call: this.call,
      ...(showProgress ? { progress: progressLine(`${this.mode} ${rate}/s`, rate) } : {}),
    });
  }
}

/** A short reason that stays the same from one failed request to the next, so they can be counted. */
function failureReason(error: unknown): string {
  if (error instanceof ServiceStatusError) return `${error.status}${error.code ? ` ${error.code}` : ''}`;
  if (error instanceof DeadlineExceededError) return 'timeout';
  if (error instanceof ServiceUnreachableError) return 'unreachable';
  if (error instanceof ServiceContractError) return 'answer breaks the contract';
  return (error as Error).name ?? 'unknown';
}

/** A progress line rewritten in place on a terminal; one line every 10 s otherwise. */
function progressLine(label: string, rate: number): (sent: number, answered: number, total: number) => void {
  let printedAt = 0;
  return (sent, answered, total) => {
    const text = `  ${label}: ${Math.round(sent / rate)}/${Math.round(total / rate)} s, sent ${sent}/${total}, answered ${answered}`;
    if (process.stdout.isTTY) {
      process.stdout.write(sent === total && answered === total ? '\r\x1b[K' : `\r\x1b[K${text}`);
    } else if (Date.now() - printedAt >= 10_000 && sent < total) {
      printedAt = Date.now();
      console.log(text);
    }
  };
}
