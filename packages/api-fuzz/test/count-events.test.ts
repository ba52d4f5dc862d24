import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countEvents } from '../src/schemathesis.js';

const dir = mkdtempSync(join(tmpdir(), 'count-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (text: string) => ({ $base64: Buffer.from(text).toString('base64') });
const interaction = (status: number | null, body = '{}') => ({
  request: { method: 'POST', uri: 'http://127.0.0.1:1/v1/x', body: b64('{"a":1}') },
  response: status === null ? null : { status_code: status, content: b64(body) },
});
const ok = [
  { name: 'not_a_server_error', status: 'success' },
  { name: 'response_schema_conformance', status: 'success' },
];

/** Events shaped as schemathesis 4 writes them with `--report ndjson`. */
function events(): string {
  const scenario = (label: string, interactions: object, checks: object) =>
    JSON.stringify({ ScenarioFinished: { phase: 'fuzzing', recorder: { label, interactions, checks } } });
  return [
    JSON.stringify({ EngineStarted: {} }),
    JSON.stringify({
      ScenarioFinished: { phase: 'examples', status: 'skip', recorder: { label: 'GET /livez' } },
    }),
    scenario('GET /livez', { a: interaction(200) }, { a: ok }),
    scenario(
      'POST /v1/x',
      {
        b: interaction(400),
        c: interaction(500, '{"error":{"code":"internal_error"}}'),
        d: interaction(null),
      },
      {
        b: ok,
        c: [
          {
            name: 'not_a_server_error',
            status: 'failure',
            failure_info: { failure: { operation: 'POST /v1/x', title: 'Server error', message: '' } },
          },
          { name: 'response_schema_conformance', status: 'failure' },
        ],
      },
    ),
    scenario('Stateful tests', { e: interaction(202) }, { e: ok }),
    '',
  ].join('\n');
}

describe('countEvents', () => {
  it('when schemathesis reports its scenarios, then every request, status and failed check is counted once', async () => {
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, events());
    const counts = await countEvents(file);
    expect(counts.operations).toEqual(['GET /livez', 'POST /v1/x']);
    expect(counts.requests).toBe(5);
    expect(counts.statuses).toEqual({ '200': 1, '202': 1, '400': 1, '500': 1, none: 1 });
    expect(counts.serverErrors).toBe(1);
    expect(counts.schemaViolations).toBe(1);
    expect(counts.problems).toHaveLength(3);
    expect(counts.problems[0]).toBe('POST http://127.0.0.1:1/v1/x: no answer');
    expect(counts.problems[1]).toContain('not_a_server_error failure: Server error');
    expect(counts.problems[1]).toContain('got: 500 {"error":{"code":"internal_error"}}');
  });
});
