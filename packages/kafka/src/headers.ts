import type { IHeaders } from 'kafkajs';

/**
 * A consumed record's headers as text (kafkajs hands them over as buffers).
 * A header without a value (null on the wire, whatever the types say)
 * becomes '', not the text 'null'.
 */
export function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    text[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value ?? '');
  }
  return text;
}
