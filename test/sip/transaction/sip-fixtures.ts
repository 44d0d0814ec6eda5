/**
 * Small message builders for transaction tests (objects, no parsing needed).
 */
import type { SipRequest, SipResponse } from '../../../src/sip/message/sip-message.js';

export interface RequestSpec {
  method?: string;
  branch?: string;
  sentBy?: string;
  transport?: 'UDP' | 'TCP';
  uri?: string;
  toTag?: string | null;
  fromTag?: string;
  callId?: string;
  cseq?: number;
  cseqMethod?: string;
  extraVia?: string[];
  viaParams?: string;
}

export function request(spec: RequestSpec = {}): SipRequest {
  const method = spec.method ?? 'INVITE';
  const branch = spec.branch === undefined ? 'z9hG4bK-abc' : spec.branch;
  const branchParam = branch === '' ? '' : `;branch=${branch}`;
  const toTag = spec.toTag ?? null;
  return {
    kind: 'request',
    method,
    uri: spec.uri ?? 'sip:bob@127.0.0.1',
    version: 'SIP/2.0',
    headers: [
      { name: 'Via', value: `SIP/2.0/${spec.transport ?? 'UDP'} ${spec.sentBy ?? '127.0.0.1:5070'}${branchParam}${spec.viaParams ?? ''}` },
      ...(spec.extraVia ?? []).map((value) => ({ name: 'Via', value })),
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: `"Alice" <sip:alice@127.0.0.1>;tag=${spec.fromTag ?? 'f1'}` },
      { name: 'To', value: `<sip:bob@127.0.0.1>${toTag === null ? '' : `;tag=${toTag}`}` },
      { name: 'Call-ID', value: spec.callId ?? 'call-1@127.0.0.1' },
      { name: 'CSeq', value: `${spec.cseq ?? 1} ${spec.cseqMethod ?? method}` },
      { name: 'Content-Length', value: '0' },
    ],
    body: Buffer.alloc(0),
  };
}

/** A response to `req` as the peer would send it (Via/From/To/Call-ID/CSeq copied, To tag added). */
export function response(req: SipRequest, status: number, toTag: string | null = 't9'): SipResponse {
  const headers = req.headers
    .filter((h) => ['via', 'from', 'to', 'call-id', 'cseq'].includes(h.name.toLowerCase()))
    .map((h) => (h.name === 'To' && toTag !== null && status > 100 && !/tag=/.test(h.value) ? { name: 'To', value: `${h.value};tag=${toTag}` } : { ...h }));
  return { kind: 'response', version: 'SIP/2.0', status, reason: `R${status}`, headers: [...headers, { name: 'Content-Length', value: '0' }], body: Buffer.alloc(0) };
}

export function header(message: SipRequest | SipResponse, name: string): string | undefined {
  return message.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}
