/** Test helper: build raw message bytes from lines joined with CRLF. */
export function sip(lines: string[], body: string | Buffer = ''): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8'), b]);
}

export const INVITE_HEADERS = [
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@example.com>',
  'From: "Alice" <sip:alice@example.org>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.example.org',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@192.0.2.1>',
];
