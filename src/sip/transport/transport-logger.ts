/**
 * The logger the transport layer accepts: a pino `Logger` fits as is. src/sip imports nothing from
 * the application, so the interface is declared here and passed in through the constructor.
 */
export type TransportLogFn = (fields: Record<string, unknown>, message?: string) => void;

export interface TransportLogger {
  debug: TransportLogFn;
  info: TransportLogFn;
  warn: TransportLogFn;
  error: TransportLogFn;
}

const noop: TransportLogFn = () => undefined;

/** Used when no logger is given. */
export const silentLogger: TransportLogger = { debug: noop, info: noop, warn: noop, error: noop };
