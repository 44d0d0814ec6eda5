/** Test helper: SIP messages from header lists, without depending on the parser. */
import type { SipRequest, SipResponse } from '../../../src/sip/message/sip-message.js';

type Headers = [name: string, value: string][];

export function request(method: string, uri: string, headers: Headers, body = ''): SipRequest {
  return { kind: 'request', method, uri, version: 'SIP/2.0', headers: headers.map(([name, value]) => ({ name, value })), body: Buffer.from(body) };
}

export function response(status: number, reason: string, headers: Headers, body = ''): SipResponse {
  return { kind: 'response', status, reason, version: 'SIP/2.0', headers: headers.map(([name, value]) => ({ name, value })), body: Buffer.from(body) };
}
