/**
 * Building a request inside a dialog (RFC 3261 §12.2.1.1): From/To with tags, Call-ID, CSeq from
 * the dialog state; Request-URI and Route from the remote target and route set.
 */
import type { HeaderField, SipRequest } from '../message/sip-message.js';
import type { DialogState } from './dialog-state.js';
import { requestTarget } from './request-target.js';

export interface InDialogRequestOptions {
  method: string;
  /** From `nextLocalCSeq` (for ACK and CANCEL: the INVITE's number, §13.2.2.4 / §9.1). */
  cseq: number;
  /** Complete top Via value, e.g. `SIP/2.0/UDP 127.0.0.1:5060;rport;branch=z9hG4bK…`. */
  via: string;
  maxForwards?: number;
  /** Contact header value; omitted when null/undefined. */
  contact?: string | null;
  /** An explicit Request-URI overrides the remote target (the Route header still follows §12.2.1.1). */
  requestUri?: string;
  /** Further headers, written after Content-Length in the given order and case. */
  headers?: readonly HeaderField[];
  body?: Buffer;
  contentType?: string;
}

export interface BuiltRequest {
  request: SipRequest;
  /** Where to send it (RFC 3261 §8.1.2): first loose Route, else the Request-URI. */
  nextHop: string;
}

export function buildInDialogRequest(dialog: DialogState, options: InDialogRequestOptions): BuiltRequest {
  const target = requestTarget(dialog);
  const body = options.body ?? Buffer.alloc(0);
  const headers: HeaderField[] = [
    { name: 'Via', value: options.via },
    { name: 'Max-Forwards', value: String(options.maxForwards ?? 70) },
    { name: 'From', value: dialog.localParty },
    { name: 'To', value: dialog.remoteParty },
    { name: 'Call-ID', value: dialog.callId },
    { name: 'CSeq', value: `${options.cseq} ${options.method}` },
  ];
  for (const route of target.routes) headers.push({ name: 'Route', value: route });
  if (options.contact) headers.push({ name: 'Contact', value: options.contact });
  if (body.length > 0 && options.contentType) headers.push({ name: 'Content-Type', value: options.contentType });
  headers.push({ name: 'Content-Length', value: String(body.length) });
  if (options.headers) headers.push(...options.headers);
  const explicit = options.requestUri !== undefined && options.requestUri !== '';
  return {
    request: {
      kind: 'request',
      method: options.method,
      uri: explicit ? options.requestUri! : target.requestUri,
      version: 'SIP/2.0',
      headers,
      body,
    },
    // With an explicit URI and no route set, the request goes where the URI says.
    nextHop: explicit && target.routes.length === 0 ? options.requestUri! : target.nextHop,
  };
}
