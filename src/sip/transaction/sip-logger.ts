/**
 * The logger the transaction layer and the stack accept: a pino `Logger` fits as is (src/sip
 * imports nothing from the application, so the shape is declared here).
 */
export type SipLogFn = (fields: Record<string, unknown>, message?: string) => void;

export interface SipLogger {
  debug: SipLogFn;
  info: SipLogFn;
  warn: SipLogFn;
  error: SipLogFn;
}

const noop: SipLogFn = () => undefined;

export const silentSipLogger: SipLogger = { debug: noop, info: noop, warn: noop, error: noop };
