import {
  HA_SERVICES,
  HA_START,
  type HaLayout,
  type HaService,
  haInstanceName,
  haPidFile,
  instancesOf,
} from './ha-layout.js';
import { entryPointOf } from './kill-service.js';
import { type CheckedProcess, checkedProcess, KillRefused, type ProcessControl } from './process-check.js';

/**
 * SIGKILL to one instance of a service under the `ha` profile (`rec-api-1`):
 * the balancer or the callers' client passes over it, the other instance
 * serves its share, and `npm start`'s supervisor restarts it. Only the pid in
 * `.cache/ha/pids/<instance>.pid` is signalled, and only while it runs the
 * service's own entry point.
 */

export const killInstanceFaultId = (service: string) => `ha-kill-${service}`;

/** Checks the instance and returns its process; `KillRefused` says why not. */
export async function findInstanceProcess(
  service: string,
  instance: number,
  layout: HaLayout,
  control: ProcessControl,
): Promise<CheckedProcess> {
  if (!(HA_SERVICES as string[]).includes(service))
    throw new KillRefused(
      `refusing to kill "${service}": only ${HA_SERVICES.join(', ')} may be killed under ha`,
    );
  const known = service as HaService;
  if (!Number.isInteger(instance) || instance < 1 || instance > instancesOf(known))
    throw new KillRefused(
      `refusing to kill ${service} instance ${instance}: it runs ${instancesOf(known)} under ha`,
    );
  const name = haInstanceName(known, instance);
  const entry = entryPointOf(layout, service);
  return checkedProcess(
    {
      name,
      pidFile: haPidFile(layout, name),
      action: 'kill',
      kind: 'service',
      startCommand: HA_START,
      expected: `${service}'s entry point ${entry}`,
      matches: (commandLine) => commandLine.includes(entry),
    },
    control,
  );
}

export async function killInstance(
  service: string,
  instance: number,
  layout: HaLayout,
  control: ProcessControl,
): Promise<CheckedProcess> {
  const target = await findInstanceProcess(service, instance, layout, control);
  control.kill(target.pid, 'SIGKILL');
  return target;
}
