// `npm run bench -- recs [--url http://127.0.0.1:8080] [--rates 25,50,100,150,200,300] [--seconds 20]
//                        [--artifacts .cache/artifacts/recs/default] [--new-users 0.05] [--count 20]
//                        [--warmup-seconds 5]`
//
// End-to-end GET /v1/recommendations against a RUNNING recs stack (`npm start`, or the five recs
// services started by hand: see services/rec-api/README.md). It does not start the services itself:
// in-process they would share one event loop and one core, which is not the system the SLO is about.
//
// Open model: at each fixed arrival rate, request i is due at t0 + i / rate and is sent then whether
// or not earlier ones have answered; latency runs from the due time, so a queue building up in the
// stack (or in this generator) shows in the figures instead of slowing the arrivals down.
// Per rate: p50/p95/p99 and the p99 of the requests due in the rate's first second
// (`first_second_p99_ms`; with `--warmup-seconds 0` on a stack just started, the first rate's is the
// first second after the start), availability, the share of degraded answers, each stage's time from the
// gateway's Server-Timing, and the ratio of end-to-end latency to the compute the stages reported
// (what transport, serialisation and queueing add on top of the work itself).
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Readiness, Recommendations } from '@mlsys/contracts';
import { JsonServiceClient, ServiceCallError, type TimingEntry } from '@mlsys/http-client';
import { SLO } from '@mlsys/load-tests';
import { loadRecsArtifacts } from '@mlsys/recs-core/artifacts';
import { buildResult, percentile, type RunResult, writeResult } from '@mlsys/results';
import { resultsDir } from '../paths.js';
import { type HostNoise, hostCpuTimes, hostNoise } from '../stack/host-cpu.js';

const root = join(import.meta.dirname, '..', '..', '..');
const P95_TARGET_MS = SLO.recs.endToEndP95.target;
/** The stages the gateway reports, wall time as it saw each, then the compute sum and its total. */
const STAGES = ['features', 'candidates', 'ranker', 'rules', 'compute', 'total'] as const;
/**
 * A rate "holds" only when nearly every answer is the full pipeline: a
 * degraded answer is a fast fallback, and a p95 made of fallbacks is not the
 * SLO the design asks for.
 */
const MAX_DEGRADED_SHARE = 0.01;
/** Past this p95 the stack is saturated: higher rates would only pile up a queue. */
const OVERLOAD_P95_MS = 1000;

export interface Sample {
  latencyMs: number;
  ok: boolean;
  degraded: boolean;
  timings: TimingEntry[];
  /** How late the generator sent the request after its due time. */
  sendLagMs: number;
}

export interface RateRow {
  rate: number;
  requests: number;
  achieved_rps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  /** p99 of the requests due in the rate's first second: lazy work left after a (re)start shows here, not in `p99_ms`. */
  first_second_p99_ms: number | null;
  /** p95 of the answers that went through every stage. */
  p95_full_ms: number;
  availability: number;
  degraded_share: number;
  generator_lag_p99_ms: number;
  stages_mean_ms: Record<string, number>;
  stages_p95_ms: Record<string, number>;
  e2e_over_compute: number;
}

interface Target {
  path: (i: number) => string;
  describe: string;
}

export async function run(args: string[]): Promise<RunResult> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: 'string', default: process.env.REC_API_URL ?? 'http://127.0.0.1:8080' },
      rates: { type: 'string', default: '25,50,100,150,200,300' },
      seconds: { type: 'string', default: '20' },
      artifacts: { type: 'string', default: join(root, '.cache', 'artifacts', 'recs', 'default') },
      'new-users': { type: 'string', default: '0.05' },
      count: { type: 'string', default: '20' },
      'stage-urls': { type: 'string' },
      'warmup-seconds': { type: 'string', default: '5' },
    },
  });
  const rates = values.rates
    .split(',')
    .map(Number)
    .filter((r) => r > 0)
    .sort((a, b) => a - b);
  const seconds = Number(values.seconds);
  const startedAt = new Date();
  const cpus = availableParallelism();
  const client = new JsonServiceClient({ service: 'rec-api', baseUrl: values.url, connections: 512 });
  try {
    await assertStackUp(client);
    const target = requestMix(values.artifacts, Number(values['new-users']), Number(values.count));
    const notes: string[] = [];
    const probe = await client.get(target.path(0), Recommendations, { deadlineMs: 5000 });
    if (probe.body.degraded) {
      notes.push(
        `the probe request was already degraded (${probe.body.degradedStages.map((d) => `${d.stage}: ${d.reason}`).join('; ')}): a stage is down or slow`,
      );
    }

    const warmupSeconds = Number(values['warmup-seconds']);
    console.log(
      `recs: ${warmupSeconds > 0 ? `warming up ${warmupSeconds} s, then ` : ''}${rates.join(', ')} req/s for ${seconds} s each against ${values.url} (${target.describe})`,
    );
    if (warmupSeconds > 0) await openLoad(client, target, Math.min(50, rates[0]!), warmupSeconds);

    const services = serviceUrls(values.url, values['stage-urls']);
    const rows: (RateRow & { cpu_ms_per_request: Record<string, number>; host: HostNoise | null })[] = [];
    for (const rate of rates) {
      const cpuBefore = await cpuSeconds(services);
      const hostBefore = hostCpuTimes();
      const generatorBefore = process.cpuUsage();
      const samples = await openLoad(client, target, rate, seconds);
      const generator = process.cpuUsage(generatorBefore);
      const cpuAfter = await cpuSeconds(services);
      const measured = Object.entries(cpuAfter).reduce(
        (sum, [name, after]) => sum + after - (cpuBefore[name] ?? after),
        (generator.user + generator.system) / 1e6,
      );
      const row = {
        ...summarize(rate, seconds, samples),
        cpu_ms_per_request: cpuPerRequest(cpuBefore, cpuAfter, samples.length),
        host: hostNoise(hostBefore, hostCpuTimes(), measured),
      };
      rows.push(row);
      console.log(
        `  ${String(rate).padStart(4)} req/s: p50 ${row.p50_ms.toFixed(1)} p95 ${row.p95_ms.toFixed(1)} p99 ${row.p99_ms.toFixed(1)} (first second ${row.first_second_p99_ms?.toFixed(1) ?? '-'}) ms, ` +
          `degraded ${(100 * row.degraded_share).toFixed(1)} %, e2e/compute ${row.e2e_over_compute.toFixed(2)}, CPU ${row.cpu_ms_per_request.all ?? '?'} ms/request`,
      );
      if (row.host && row.host.steal_share >= 0.05)
        notes.push(
          `at ${rate} req/s the hypervisor stole ${(100 * row.host.steal_share).toFixed(0)} % of the host's CPU time: latencies include it (CPU per request does not)`,
        );
      if (row.generator_lag_p99_ms > 5)
        notes.push(
          `at ${rate} req/s the generator sent its p99 request ${row.generator_lag_p99_ms.toFixed(1)} ms late: it shares the CPU with the stack`,
        );
      if (row.degraded_share > 0.01)
        notes.push(
          `at ${rate} req/s ${(100 * row.degraded_share).toFixed(1)} % of answers were degraded (a stage missed its deadline): fast, but not the full pipeline`,
        );
      if (row.p95_ms > OVERLOAD_P95_MS) {
        notes.push(`stopped after ${rate} req/s: p95 above ${OVERLOAD_P95_MS} ms, the stack is saturated`);
        break;
      }
    }

    const [load1m] = loadavg();
    if (load1m! > cpus)
      notes.push(
        `the host's 1-minute load average was ${load1m!.toFixed(1)} on ${cpus} cores at the end: other work competed with the stack for CPU`,
      );

    const at100 = rows.find((r) => r.rate === 100);
    const holding = rows.filter(
      (r) =>
        r.p95_ms < P95_TARGET_MS &&
        r.availability >= SLO.recs.availability.target &&
        r.degraded_share <= MAX_DEGRADED_SHARE,
    );
    const result = buildResult({
      name: 'recs',
      startedAt,
      params: {
        url: values.url,
        rates,
        seconds_per_rate: seconds,
        artifacts: values.artifacts,
        new_user_share: Number(values['new-users']),
        count: Number(values.count),
        warmup_seconds: warmupSeconds,
        model: 'open (arrivals on schedule, latency from the due time)',
      },
      metrics: {
        p50_ms_at_100_rps: at100?.p50_ms ?? null,
        p95_ms_at_100_rps: at100?.p95_ms ?? null,
        p99_ms_at_100_rps: at100?.p99_ms ?? null,
        first_second_p99_ms_at_100_rps: at100?.first_second_p99_ms ?? null,
        availability_at_100_rps: at100?.availability ?? null,
        degraded_share_at_100_rps: at100?.degraded_share ?? null,
        e2e_over_compute_at_100_rps: at100?.e2e_over_compute ?? null,
        cpu_ms_per_request_at_100_rps: at100?.cpu_ms_per_request.all ?? null,
        p95_full_ms_at_100_rps: at100?.p95_full_ms ?? null,
        max_rate_p95_under_100ms: holding.length > 0 ? Math.max(...holding.map((r) => r.rate)) : 0,
        host_load_avg_1m_at_end: Math.round(loadavg()[0]! * 10) / 10,
        rates: rows,
      },
      slo: [
        { metric: 'p95_ms_at_100_rps', op: SLO.recs.endToEndP95.op, target: P95_TARGET_MS },
        {
          metric: 'availability_at_100_rps',
          op: SLO.recs.availability.op,
          target: SLO.recs.availability.target,
        },
      ],
      notes,
    });
    writeResult(join(resultsDir, 'recs.json'), result);
    return result;
  } finally {
    await client.close();
  }
}

/**
 * The services whose CPU time is read from `/metrics` around each rate:
 * the gateway, and the stages at `--stage-urls` (default: the stack's ports
 * 8081-8084 on the gateway's host when the gateway is on 8080).
 */
function serviceUrls(gateway: string, stageUrls: string | undefined): Record<string, string> {
  const url = new URL(gateway);
  const stages =
    stageUrls?.split(',') ??
    (url.port === '8080'
      ? [8081, 8082, 8083, 8084].map((port) => `${url.protocol}//${url.hostname}:${port}`)
      : []);
  const names = ['feature-store', 'candidate-gen', 'ranker', 'rules'];
  return {
    'rec-api': gateway,
    ...Object.fromEntries(stages.map((stageUrl, i) => [names[i] ?? stageUrl, stageUrl.trim()])),
  };
}

/** `process_cpu_seconds_total` of each service (user + system); services that do not answer are left out. */
async function cpuSeconds(services: Record<string, string>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  await Promise.all(
    Object.entries(services).map(async ([name, url]) => {
      try {
        const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
        const match = /^process_cpu_seconds_total(?:\{[^}]*\})? ([0-9.eE+-]+)$/m.exec(text);
        if (match) out[name] = Number(match[1]);
      } catch {
        // A service without metrics only leaves a gap in the CPU table.
      }
    }),
  );
  return out;
}

/** CPU ms each service spent per request over one rate, and their sum (`all`): the figure contention does not distort. */
function cpuPerRequest(
  before: Record<string, number>,
  after: Record<string, number>,
  requests: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  let all = 0;
  for (const [name, seconds] of Object.entries(after)) {
    if (before[name] === undefined) continue;
    const ms = ((seconds - before[name]!) * 1000) / Math.max(1, requests);
    out[name] = round(ms);
    all += ms;
  }
  out.all = round(all);
  return out;
}

/** Fails with what to do when the gateway is not there, instead of a wall of connection errors. */
async function assertStackUp(client: JsonServiceClient): Promise<void> {
  try {
    await client.get('/readyz', Readiness, { deadlineMs: 2000 });
  } catch (error) {
    const reason = error instanceof ServiceCallError ? error.message : String(error);
    throw new Error(
      `${reason}.\nThe recs bench measures a running stack: start it with \`npm start\` (or the five recs services by hand, see services/rec-api/README.md), or point it elsewhere with --url.`,
    );
  }
}

/** Known users in their home region, plus a share of users nobody knows (the cold-start path). */
function requestMix(artifactsDir: string, newUserShare: number, count: number): Target {
  const users = loadRecsArtifacts(artifactsDir).readUsers();
  // A fixed stride through the users: every run asks for the same sequence.
  return {
    describe: `${users.length} known users, ${(100 * newUserShare).toFixed(0)} % new users, count=${count}`,
    path: (i) => {
      if ((i * 0.618_034) % 1 < newUserShare)
        return `/v1/recommendations/bench-new-${i}?region=US&count=${count}`;
      const user = users[(i * 7919) % users.length]!;
      return `/v1/recommendations/${user.id}?region=${user.region}&count=${count}`;
    },
  };
}

/** Sends `rate x seconds` requests on schedule, never waiting for answers, and records each. */
async function openLoad(
  client: JsonServiceClient,
  target: Target,
  rate: number,
  seconds: number,
): Promise<Sample[]> {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const t0 = performance.now() + 20;
  const pending: Promise<Sample>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait > 0.5) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(send(client, target.path(i), due));
  }
  return Promise.all(pending);
}

async function send(client: JsonServiceClient, path: string, due: number): Promise<Sample> {
  const sendLagMs = performance.now() - due;
  try {
    const answer = await client.get(path, Recommendations, { deadlineMs: 10_000 });
    return {
      latencyMs: performance.now() - due,
      ok: true,
      degraded: answer.body.degraded,
      timings: answer.serverTiming,
      sendLagMs,
    };
  } catch {
    return { latencyMs: performance.now() - due, ok: false, degraded: false, timings: [], sendLagMs };
  }
}

/**
 * p99 latency of the requests due in a run's first second: the first `rate`
 * samples, since `openLoad` returns them in due order (request i due at
 * i / rate s). Null when there are none.
 */
export function firstSecondP99(samples: readonly Pick<Sample, 'latencyMs'>[], rate: number): number | null {
  const first = samples.slice(0, Math.ceil(rate));
  if (first.length === 0) return null;
  return round(percentile(Float64Array.from(first.map((s) => s.latencyMs)).sort(), 99));
}

export function summarize(rate: number, seconds: number, samples: Sample[]): RateRow {
  const ok = samples.filter((s) => s.ok);
  const latencies = Float64Array.from(samples.map((s) => s.latencyMs)).sort();
  const lags = Float64Array.from(samples.map((s) => s.sendLagMs)).sort();
  const stagesMean: Record<string, number> = {};
  const stagesP95: Record<string, number> = {};
  for (const stage of STAGES) {
    const values = Float64Array.from(ok.map((s) => s.timings.find((t) => t.name === stage)?.ms ?? 0)).sort();
    stagesMean[stage] = round(mean(values));
    stagesP95[stage] = round(percentile(values, 95));
  }
  const okLatencyMean = mean(Float64Array.from(ok.map((s) => s.latencyMs)));
  return {
    rate,
    requests: samples.length,
    achieved_rps: round(samples.length / seconds),
    p50_ms: round(percentile(latencies, 50)),
    p95_ms: round(percentile(latencies, 95)),
    p99_ms: round(percentile(latencies, 99)),
    first_second_p99_ms: firstSecondP99(samples, rate),
    p95_full_ms: round(
      percentile(Float64Array.from(ok.filter((s) => !s.degraded).map((s) => s.latencyMs)).sort(), 95),
    ),
    availability: ok.length / Math.max(1, samples.length),
    degraded_share: ok.filter((s) => s.degraded).length / Math.max(1, ok.length),
    generator_lag_p99_ms: round(percentile(lags, 99)),
    stages_mean_ms: stagesMean,
    stages_p95_ms: stagesP95,
    e2e_over_compute: stagesMean.compute! > 0 ? round(okLatencyMean / stagesMean.compute!) : Number.NaN,
  };
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return values.length === 0 ? 0 : sum / values.length;
}
const round = (value: number) => Math.round(value * 100) / 100;
