import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaLogEntryTo } from '../src/client.js';

function recordingSink() {
  const lines: Array<{ level: string; msg: string }> = [];
  const at = (level: string) => (_obj: object, msg: string) => lines.push({ level, msg });
  return { sink: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

const entry = (level: logLevel, message: string, extra: Record<string, unknown> = {}) => ({
  namespace: 'Producer',
  level,
  label: 'ERROR',
  log: { timestamp: '2026-11-29T00:00:00.000Z', message, ...extra },
});

describe('kafkajs log entries', () => {
  it('when kafkajs reports a transaction started while the previous one completes, then it is logged at debug (kafkajs retries it)', () => {
    const { sink, lines } = recordingSink();
    const write = kafkaLogEntryTo(sink);

    write(
      entry(
        logLevel.ERROR,
        'Failed to send messages: The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
      ),
    );
    write(
      entry(logLevel.ERROR, 'Response AddPartitionsToTxn(key: 24, version: 1)', {
        error:
          'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
      }),
    );

    expect(lines.map((l) => l.level)).toEqual(['debug', 'debug']);
  });

  it('when kafkajs reports any other error or warning, then it keeps its level', () => {
    const { sink, lines } = recordingSink();
    const write = kafkaLogEntryTo(sink);

    write(entry(logLevel.ERROR, 'The request included a message larger than the max message size'));
    write(entry(logLevel.WARN, 'Connection timeout'));

    expect(lines.map((l) => l.level)).toEqual(['error', 'warn']);
  });
});
