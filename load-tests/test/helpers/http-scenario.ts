import { HttpClient } from '../../src/http/client.js';
import type { LoadOptions } from '../../src/options.js';
import { defineScenario, type HttpRequestSpec, type ScenarioDefinition } from '../../src/scenario.js';

/** A scenario sending one fixed request to `target` through a pool of `connections`. */
export function httpScenario(
  request: HttpRequestSpec,
  options: LoadOptions,
  connections = 16,
): ScenarioDefinition {
  return defineScenario({
    name: 'test-http',
    description: 'one fixed request',
    target: 'rec-api',
    params: {},
    options,
    async open({ target }) {
      const client = new HttpClient(target, { connections, timeoutMs: 10_000 });
      return {
        exec: { default: (iteration) => client.send(request, iteration.now) },
        honesty: { origin: target, connections, requests: (n) => Array.from({ length: n }, () => request) },
        close: () => client.close(),
      };
    },
  }) as ScenarioDefinition;
}

export const constantRate = (rate: number, duration: string): LoadOptions => ({
  scenarios: { main: { executor: 'constant-arrival-rate', rate, duration } },
});
