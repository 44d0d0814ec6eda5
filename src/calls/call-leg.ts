/**
 * One dialog of a bridged call (STYLE.md word `CallLeg`): the caller (carrier side, UAS), the AI
 * agent (UAC) or a transfer destination (UAC). Tracks whether the dialog is over so that a BYE is
 * sent at most once and never towards a party that already hung up.
 */
import type { DialogLike, SipHeaders } from './srf-port.js';

export type LegRole = 'caller' | 'agent' | 'destination';

export class CallLeg {
  private endedFlag = false;

  constructor(
    readonly role: LegRole,
    readonly dialog: DialogLike,
  ) {}

  get ended(): boolean {
    return this.endedFlag || this.dialog.connected === false;
  }

  /** The far end sent BYE (the dialog is already gone on the wire). */
  markEnded(): void {
    this.endedFlag = true;
  }

  /**
   * Send BYE unless the leg is over. `reason` becomes an RFC 3326 Reason header.
   * Failures (no answer to the BYE, transport) still end the leg: nothing more can be done with it.
   */
  async bye(reason?: { cause: number; text: string }): Promise<void> {
    if (this.ended) return;
    this.endedFlag = true;
    const headers: SipHeaders = {};
    // RFC 3326 §2: Reason: SIP ;cause=<status> ;text="<text>"
    if (reason) headers.Reason = `SIP ;cause=${reason.cause} ;text="${reason.text.replace(/["\\\r\n]/g, '')}"`;
    try {
      await this.dialog.destroy({ headers });
    } catch {
      // The dialog is released locally either way (srf removes it on error).
    }
  }
}
