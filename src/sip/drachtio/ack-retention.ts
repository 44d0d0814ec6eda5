/**
 * How long a UAC dialog keeps the ACK it sent for a 2xx. RFC 3261 §13.2.2.4: the UAC answers every
 * retransmission of the 2xx with the same ACK; the UAS retransmits the 2xx for at most 64×T1
 * (§13.3.1.4). Past that the ACK is dead weight for the rest of the call (a parsed request, its
 * headers and the target, ~2 KiB per established call), so it is dropped.
 *
 * One timer serves every dialog: held ACKs are collected in generations of `holdMs`; when a
 * generation is one period old it is dropped. An ACK is therefore kept between `holdMs` and
 * 2×`holdMs` — never less than the 2xx can be retransmitted.
 */
import type { TimerScheduler } from '../dialog/retransmit-runner.js';
import type { DialogEntry, LastAck } from './bridge-types.js';

export class AckRetention {
  private current = new Set<DialogEntry>();
  private previous = new Set<DialogEntry>();
  private timer: unknown = null;

  constructor(
    private readonly scheduler: TimerScheduler,
    private readonly holdMs: number,
  ) {}

  /** Remember `ack` as the dialog's last ACK (re-sent on a retransmitted 2xx) for a while. */
  hold(entry: DialogEntry, ack: LastAck): void {
    entry.lastAck = ack;
    this.previous.delete(entry);
    this.current.add(entry);
    if (this.timer === null) this.timer = this.scheduler.set(this.rotate, this.holdMs);
  }

  /** The dialog ended: forget its ACK now. */
  release(entry: DialogEntry): void {
    entry.lastAck = null;
    this.current.delete(entry);
    this.previous.delete(entry);
  }

  /** Dialogs holding an ACK now (tests, diagnostics). */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  close(): void {
    if (this.timer !== null) this.scheduler.clear(this.timer);
    this.timer = null;
    this.current.clear();
    this.previous.clear();
  }

  private readonly rotate = (): void => {
    this.timer = null;
    // A dialog that sent a newer ACK since (re-INVITE) moved to the current generation.
    for (const entry of this.previous) entry.lastAck = null;
    this.previous = this.current;
    this.current = new Set();
    if (this.previous.size > 0) this.timer = this.scheduler.set(this.rotate, this.holdMs);
  };
}
