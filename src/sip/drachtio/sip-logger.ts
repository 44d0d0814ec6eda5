/** The slice of a pino logger the SIP engine uses; pino's `Logger` satisfies it. */
export interface SipLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};

/** Discards everything (default when no logger is given). */
export const silentLogger: SipLogger = { debug: noop, info: noop, warn: noop, error: noop };
