/**
 * Build a response to a request per RFC 3261 §8.2.6: Via (all values, in order), From, Call-ID,
 * CSeq and To copied from the request; a To tag added when the request had none (§8.2.6.2),
 * except on 100 Trying where §17.2.1 downgrades the tag to SHOULD NOT; Timestamp copied into
 * 100 Trying (§8.2.6.1). Content-Length is always written so the response is valid on streams.
 */
import type { HeaderField, SipRequest, SipResponse } from '../message/sip-message.js';
import { fieldsNamed, isHeader, tagParam } from './header-fields.js';

export interface ResponseOptions {
  /** To tag for a response to a request without one; ignored when the request already has a tag. */
  toTag?: string;
  /** Extra header fields, appended after the copied ones in the given order. */
  headers?: HeaderField[];
  body?: Buffer;
}

/** Default reason phrases for the statuses the engine itself produces (RFC 3261 §21). */
const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  183: 'Session Progress',
  200: 'OK',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  486: 'Busy Here',
  487: 'Request Terminated',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
  513: 'Message Too Large',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status < 200 ? 'Session Progress' : status < 300 ? 'OK' : 'Unknown');
}

export function createResponse(request: SipRequest, status: number, reason?: string, options: ResponseOptions = {}): SipResponse {
  const headers: HeaderField[] = [];
  for (const field of request.headers) {
    if (isHeader(field, 'via') || isHeader(field, 'from') || isHeader(field, 'call-id') || isHeader(field, 'cseq')) {
      headers.push({ name: field.name, value: field.value });
    } else if (isHeader(field, 'to')) {
      const needsTag = status !== 100 && tagParam(field.value) === null && options.toTag !== undefined;
      headers.push({ name: field.name, value: needsTag ? `${field.value};tag=${options.toTag}` : field.value });
    } else if (status === 100 && field.name.toLowerCase() === 'timestamp') {
      headers.push({ name: field.name, value: field.value });
    }
  }
  headers.push(...(options.headers ?? []).filter((field) => !isHeader(field, 'content-length')));
  const body = options.body ?? Buffer.alloc(0);
  headers.push({ name: 'Content-Length', value: String(body.length) });
  return { kind: 'response', version: 'SIP/2.0', status, reason: reason ?? reasonPhrase(status), headers, body };
}

/** The To tag the request carries, or null (out-of-dialog request). */
export function requestToTag(request: SipRequest): string | null {
  const to = fieldsNamed(request, 'to')[0];
  return to === undefined ? null : tagParam(to.value);
}
