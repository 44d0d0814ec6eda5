/**
 * Call detail records for applications that routed `cdr:attempt|start|stop`
 * (drachtio-protocol.md §5.5): attempt when an INVITE arrives or is sent, start on the 2xx, stop
 * on a failure final response, CANCEL, or the BYE that ends the call. Every application routed
 * for the event gets it. Nothing is built while nobody listens.
 */
import type { ApplicationConnection } from './application-connection.js';
import type { DialogEntry } from './bridge-types.js';
import { cdr, formatWireTime, type CdrEvent } from './server-messages.js';

export type CdrSource = 'network' | 'application';
export type CdrRole = Extract<CdrEvent, { event: 'start' }>['role'];
export type CdrReason = Extract<CdrEvent, { event: 'stop' }>['reason'];

export interface CdrDeps {
  /** Applications routed for `cdr:<event>`. */
  subscribers(verb: string): readonly ApplicationConnection[];
  newId(): string;
}

export class CdrReporter {
  constructor(private readonly deps: CdrDeps) {}

  /** An INVITE that starts a call was received (network) or sent (application). */
  attempt(source: CdrSource, wire: () => Buffer): void {
    this.emit({ event: 'attempt' }, source, wire);
  }

  /** The call was answered; the dialog remembers it so exactly one stop follows. */
  start(entry: DialogEntry | null, source: CdrSource, role: CdrRole, wire: () => Buffer): void {
    if (entry) {
      if (entry.cdr !== 'none' || entry.dialog.usage !== 'invite') return;
      entry.cdr = 'started';
    }
    this.emit({ event: 'start', role }, source, wire);
  }

  /** A call that never started ended (rejected or canceled). */
  failed(source: CdrSource, status: number, wire: () => Buffer): void {
    this.emit({ event: 'stop', reason: status === 487 ? 'call-canceled' : 'call-rejected' }, source, wire);
  }

  /** A started call ended (BYE); later BYEs of the same dialog (digest retries) add nothing. */
  stop(entry: DialogEntry, source: CdrSource, reason: CdrReason, wire: () => Buffer): void {
    if (entry.cdr !== 'started') return;
    entry.cdr = 'stopped';
    this.emit({ event: 'stop', reason }, source, wire);
  }

  private emit(record: CdrEvent, source: CdrSource, wire: () => Buffer): void {
    const apps = this.deps.subscribers(`cdr:${record.event}`).filter((app) => app.connected);
    if (apps.length === 0) return;
    const bytes = wire();
    const time = formatWireTime();
    for (const app of apps) app.send(cdr(this.deps.newId(), record, source, time, bytes));
  }
}
