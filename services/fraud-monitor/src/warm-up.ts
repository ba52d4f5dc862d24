import type { ServiceApp, WarmUp } from '@mlsys/service-kit';
import type { DriftMonitor } from './domain/drift.js';

/**
 * The monitor's read side on made-up input, writing nothing: a scratch
 * drift monitor (never the live sample) fed made-up feature vectors and
 * reported, then the report and the metrics page through the app, which
 * read the label join in Redis (`MGET` and hash reads) and the live drift
 * sample without changing either. The consumers' writes into the join are
 * not warmed: warming them would write records.
 */
export function warmUpReport(
  warmUp: WarmUp,
  app: ServiceApp,
  deps: { scratchDrift: () => DriftMonitor; featureCount: number },
): void {
  warmUp.step('drift (scratch sample)', async () => {
    const drift = deps.scratchDrift();
    for (let i = 0; i < 500; i++) {
      drift.add(Array.from({ length: deps.featureCount }, (_, f) => ((i + 1) * (f + 3)) % 17));
    }
    drift.report();
  });
  warmUp.request(
    'report and metrics (reads only)',
    app,
    [
      { method: 'GET', url: '/v1/report' },
      { method: 'GET', url: '/metrics' },
    ],
    { times: 3 },
  );
}
