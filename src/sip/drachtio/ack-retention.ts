/**
 * How long a UAC dialog keeps the ACK it sent for a 2xx. RFC 3261 §13.2.2.4: the UAC answers every
 * retransmission of the 2xx with the same ACK; the UAS retransmits the 2xx for at most 64×T1
 * (§13.3.1.4). Past that the ACK is dead weight for the rest of the call (a parsed request, its
 * headers and the target, ~2 KiB per established call), so it is dropped.
 *
 * One timer serves every dialog: held ACKs are collected in generations a quarter of `holdMs`
 * long, and a generation is dropped once it is `holdMs` old. An ACK is therefore kept between
 * `holdMs` and 1.25 × `holdMs` — never less than the 2xx can be retransmitted.
 */
import type { TimerScheduler } from '../dialog/retransmit-runner.js';
import type { DialogEntry, LastAck } from './bridge-types.js';

const SLICES = 4;

export class AckRetention {
  /** Newest generation first; at most SLICES + 1 of them. */
  private generations: Set<DialogEntry>[] = [new Set()];
  private timer: unknown = null;

  constructor(
    private readonly scheduler: TimerScheduler,
    private readonly holdMs: number,
  ) {}

  /** Remember `ack` as the dialog's last ACK (re-sent on a retransmitted 2xx) for a while. */
  hold(entry: DialogEntry, ack: LastAck): void {
    entry.lastAck = ack;
    // A newer ACK (re-INVITE) restarts the hold for this dialog.
    for (let i = 1; i < this.generations.length; i++) this.generations[i]?.delete(entry);
    this.generations[0]?.add(entry);
    if (this.timer === null) this.timer = this.scheduler.set(this.rotate, this.holdMs / SLICES);
  }

  /** The dialog ended: forget its ACK now. */
  release(entry: DialogEntry): void {
    entry.lastAck = null;
    for (const generation of this.generations) generation.delete(entry);
  }

  /** Dialogs holding an ACK now (tests, diagnostics). */
  get size(): number {
    let n = 0;
    for (const generation of this.generations) n += generation.size;
    return n;
  }

  close(): void {
    if (this.timer !== null) this.scheduler.clear(this.timer);
    this.timer = null;
    this.generations = [new Set()];
  }

  private readonly rotate = (): void => {
    this.timer = null;
    this.generations.unshift(new Set());
    // Created SLICES rotations ago and rotated once more: everything in it is at least holdMs old.
    const expired = this.generations.length > SLICES + 1 ? this.generations.pop() : undefined;
    if (expired) for (const entry of expired) entry.lastAck = null;
    if (this.size > 0) this.timer = this.scheduler.set(this.rotate, this.holdMs / SLICES);
    else this.generations = [new Set()];
  };
}
