import { checkReady } from '../http/client.js';
import { DrillRefused, type DrillService, type DrillTargets } from './drill.js';

/** The environment variable that moves each service's address (src/drills/cli.ts). */
const ADDRESS_VAR: Record<DrillService, string> = {
  'rec-api': 'REC_API_URL',
  'txn-api': 'TXN_API_URL',
  'fraud-monitor': 'FRAUD_MONITOR_URL',
};

/**
 * Asks every service the drill needs for `/readyz` at once and refuses with
 * all the problems together, so one start of the stack fixes them all.
 */
export async function requireStack(
  targets: DrillTargets,
  services: readonly DrillService[],
  ready: (origin: string, service: string) => Promise<void> = checkReady,
): Promise<void> {
  const problems = (
    await Promise.all(
      services.map((service) =>
        ready(targets[service], service).then(
          () => undefined,
          (error: Error) =>
            `${service}: ${error.message.replace(/, or point the scenario at .* with --target URL$/, '')} (its address: ${ADDRESS_VAR[service]})`,
        ),
      ),
    )
  ).filter((problem): problem is string => problem !== undefined);
  if (problems.length > 0) {
    throw new DrillRefused(
      `the stack is not running (or not ready), so nothing was done:\n  - ${problems.join('\n  - ')}\n` +
        'start it with `npm start` (and wait for its table to show every service ready), then run the drill again',
    );
  }
}
