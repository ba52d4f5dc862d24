import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

/**
 * Paths never written to a log line. Card tokens are not PANs, but together
 * with an amount and a time they still identify a person, so they are
 * redacted too; so are network addresses and credentials.
 */
export const REDACTED_PATHS = [
  'cardId',
  '*.cardId',
  'pan',
  '*.pan',
  'cardNumber',
  '*.cardNumber',
  'ip',
  '*.ip',
  'password',
  '*.password',
  'req.headers.authorization',
  'req.headers.cookie',
];

export interface LoggerSettings {
  service: string;
  level?: LoggerOptions['level'];
  /** Where to write; stdout unless a test passes a stream to read back. */
  destination?: NodeJS.WritableStream;
}

/** Structured JSON logs to stdout with the service name on every line. */
export function createLogger({ service, level = 'info', destination }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
