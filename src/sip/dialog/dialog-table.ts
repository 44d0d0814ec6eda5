/**
 * The dialogs the server knows, by drachtio dialog id, with request matching per RFC 3261
 * §12.2.2: a request belongs to a dialog when Call-ID, local tag (To tag) and remote tag (From
 * tag) match; otherwise the in-dialog request gets 481.
 */
import { getHeader, parseNameAddr } from '../message/index.js';
import type { SipRequest } from '../message/sip-message.js';
import { dialogId, type DialogState } from './dialog-state.js';

function tag(value: string | undefined): string | null {
  if (value === undefined) return null;
  try {
    return parseNameAddr(value).tag;
  } catch {
    return null;
  }
}

export class DialogTable<D extends { dialog: DialogState }> {
  private readonly byId = new Map<string, D>();
  private readonly byCallId = new Map<string, Set<string>>();

  get size(): number {
    return this.byId.size;
  }

  get(id: string): D | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  add(entry: D): void {
    const { id, callId } = entry.dialog;
    this.byId.set(id, entry);
    const ids = this.byCallId.get(callId) ?? new Set<string>();
    ids.add(id);
    this.byCallId.set(callId, ids);
  }

  delete(id: string): D | undefined {
    const entry = this.byId.get(id);
    if (!entry) return undefined;
    this.byId.delete(id);
    const ids = this.byCallId.get(entry.dialog.callId);
    ids?.delete(id);
    if (ids?.size === 0) this.byCallId.delete(entry.dialog.callId);
    return entry;
  }

  /** Dialogs sharing a Call-ID (drachtio-protocol.md §7 case 4). */
  byCall(callId: string): D[] {
    return [...(this.byCallId.get(callId) ?? [])].map((id) => this.byId.get(id)!);
  }

  values(): IterableIterator<D> {
    return this.byId.values();
  }

  /**
   * §12.2.2 matching. A UAS dialog's id uses the peer's From tag; a UAC dialog's id uses our
   * From tag, which the peer sends back as the To tag.
   */
  match(request: SipRequest): D | null {
    const callId = getHeader(request, 'Call-ID');
    if (!callId) return null;
    const fromTag = tag(getHeader(request, 'From'));
    const toTag = tag(getHeader(request, 'To'));
    if (fromTag !== null) {
      const uas = this.byId.get(dialogId(callId, fromTag));
      if (uas && uas.dialog.role === 'uas' && uas.dialog.localTag === toTag) return uas;
    }
    if (toTag !== null) {
      const uac = this.byId.get(dialogId(callId, toTag));
      // An empty remote tag (peer sent a 2xx without To tag) matches any From tag.
      if (uac && uac.dialog.role === 'uac' && (uac.dialog.remoteTag === '' || uac.dialog.remoteTag === fromTag)) return uac;
    }
    return null;
  }
}
