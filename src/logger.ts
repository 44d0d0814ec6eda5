import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths that may carry secrets anywhere in a log object. pino replaces them with "[redacted]".
 * Keep in sync with every field that holds a key, token, secret or Authorization header.
 */
export const REDACT_PATHS = [
  'apiToken',
  '*.apiToken',
  'signingSecret',
  '*.signingSecret',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-zendesk-webhook-signature"]',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
];

export interface LoggerSettings {
  level?: string;
  /** Write to this destination instead of stdout (tests pass a stream to read lines back). */
  destination?: NodeJS.WritableStream;
  base?: Record<string, unknown>;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: settings.base ?? { service: 'talkbridge' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
