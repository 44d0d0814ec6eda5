/**
 * The logger of one call: a pino child bound to `{callId, sessionId}` (STYLE.md habit 9), created
 * the first time something is logged at an enabled level. A pino child (bindings serialised, redact
 * set up) cost more per call than all of a call's logging when its lines are below the level.
 */
import type { Bindings, Logger } from 'pino';

type Level = 'debug' | 'info' | 'warn' | 'error';

export class CallLog {
  private child: Logger | null = null;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
  ) {}

  debug(objOrMsg: object | string, msg?: string): void {
    this.write('debug', objOrMsg, msg);
  }

  info(objOrMsg: object | string, msg?: string): void {
    this.write('info', objOrMsg, msg);
  }

  warn(objOrMsg: object | string, msg?: string): void {
    this.write('warn', objOrMsg, msg);
  }

  error(objOrMsg: object | string, msg?: string): void {
    this.write('error', objOrMsg, msg);
  }

  private write(level: Level, objOrMsg: object | string, msg: string | undefined): void {
    if (!this.parent.isLevelEnabled(level)) return;
    this.child ??= this.parent.child(this.bindings);
    if (typeof objOrMsg === 'string') this.child[level](objOrMsg);
    else this.child[level](objOrMsg, msg);
  }
}
