/**
 * Messages an application (drachtio-srf) sends to the server, decoded once from the leader
 * tokens into typed values (drachtio-protocol.md §4).
 */
import { parsePayload } from './payload.js';

export interface AuthenticateMessage {
  type: 'authenticate';
  id: string;
  secret: string;
  /** From `new Srf(['t1','t2'])`; stored, not used for routing. */
  tags: string[];
}

export interface RouteMessage {
  type: 'route' | 'remove_route';
  id: string;
  /** Lowercase SIP method name or `cdr:attempt|start|stop`. */
  verb: string;
}

export interface PingMessage {
  type: 'ping';
  id: string;
}

export interface SipCommand {
  type: 'sip';
  id: string;
  /** token 2: server transaction id being answered, or the INVITE to CANCEL; empty otherwise. */
  transactionId: string;
  /** token 3: dialog of an in-dialog request; empty otherwise. */
  dialogId: string;
  /** token 4 (optional): outbound proxy URI (`opts.proxy` in srf). */
  routeUri: string | null;
  /** The SIP message text as the application wrote it. */
  sip: Buffer;
}

export interface ProxyCommand {
  type: 'proxy';
  id: string;
  transactionId: string;
  remainInDialog: boolean;
  fullResponse: boolean;
  followRedirects: boolean;
  simultaneous: boolean;
  /** Raw timeout tokens (`2s`, `1500ms`, or empty). */
  provisionalTimeout: string;
  finalTimeout: string;
  destinations: string[];
  sip: Buffer;
}

export interface UnknownMessage {
  type: 'unknown';
  id: string;
  /** The type token as received. */
  rawType: string;
}

export type ClientMessage = AuthenticateMessage | RouteMessage | PingMessage | SipCommand | ProxyCommand | UnknownMessage;

const EMPTY = Buffer.alloc(0);

/** Decode one frame payload. Messages that miss required parts decode as `unknown`. */
export function decodeClientMessage(payload: Buffer): ClientMessage {
  const { tokens, sip } = parsePayload(payload);
  const id = tokens[0] ?? '';
  const type = tokens[1] ?? '';
  const at = (index: number): string => tokens[index] ?? '';
  switch (type) {
    case 'authenticate':
      return { type, id, secret: at(2), tags: at(3) === '' ? [] : at(3).split(',') };
    case 'route':
    case 'remove_route':
      return { type, id, verb: at(2).toLowerCase() };
    case 'ping':
      return { type, id };
    case 'sip':
      return {
        type,
        id,
        transactionId: at(2),
        dialogId: at(3),
        routeUri: tokens.length > 4 && at(4) !== '' ? at(4) : null,
        sip: sip ?? EMPTY,
      };
    case 'proxy':
      return {
        type,
        id,
        transactionId: at(2),
        remainInDialog: at(3) === 'remainInDialog',
        fullResponse: at(4) === 'fullResponse',
        followRedirects: at(5) === 'followRedirects',
        simultaneous: at(6) === 'simultaneous',
        provisionalTimeout: at(7),
        finalTimeout: at(8),
        destinations: tokens.slice(9).filter((d) => d !== ''),
        sip: sip ?? EMPTY,
      };
    default:
      return { type: 'unknown', id, rawType: type };
  }
}
