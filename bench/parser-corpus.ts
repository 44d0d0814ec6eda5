/**
 * Realistic SIP traffic for the parser bench: INVITEs as a carrier sends them to talkbridge and
 * the 200 OKs that answer them — several Via, Record-Route, P-Asserted-Identity, X- headers, SDP.
 * Every message differs (branch, tags, Call-ID, ports) so nothing can be cached across inputs.
 */

const CRLF = '\r\n';

function sdp(i: number, ip: string): string {
  return [
    'v=0',
    `o=- ${1_000_000 + i} ${2_000_000 + i} IN IP4 ${ip}`,
    's=talkbridge',
    `c=IN IP4 ${ip}`,
    't=0 0',
    `m=audio ${20_000 + (i % 10_000) * 2} RTP/AVP 0 8 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join(CRLF);
}

function message(startLine: string, headers: string[], body: string): Buffer {
  const bodyBytes = Buffer.from(body, 'utf8');
  const head = [startLine, ...headers, `Content-Length: ${bodyBytes.length}`, '', ''].join(CRLF);
  return Buffer.concat([Buffer.from(head, 'utf8'), bodyBytes]);
}

const hex = (i: number, salt: number): string => ((i * 2_654_435_761 + salt) >>> 0).toString(16).padStart(8, '0');

export function inviteCorpus(count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const caller = `+1415555${String(1000 + (i % 9000)).padStart(4, '0')}`;
    const callId = `${hex(i, 1)}-${hex(i, 2)}@carrier.example.net`;
    out.push(
      message(
        `INVITE sip:+18005550100@talkbridge.example.com:5060;transport=udp SIP/2.0`,
        [
          `Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK${hex(i, 3)}${hex(i, 4)};rport`,
          `Via: SIP/2.0/UDP 198.51.100.7:5060;received=198.51.100.7;branch=z9hG4bK${hex(i, 5)}`,
          `Via: SIP/2.0/TCP [2001:db8::7]:5060;branch=z9hG4bK${hex(i, 6)}`,
          'Max-Forwards: 68',
          `Record-Route: <sip:203.0.113.10;lr;ftag=${hex(i, 7)}>`,
          `Record-Route: <sip:198.51.100.7;lr>, <sip:[2001:db8::7];lr;transport=tcp>`,
          `From: "Caller ${i % 97}" <sip:${caller}@carrier.example.net;user=phone>;tag=${hex(i, 8)}`,
          'To: <sip:+18005550100@talkbridge.example.com;user=phone>',
          `Call-ID: ${callId}`,
          `CSeq: ${(i % 30_000) + 1} INVITE`,
          `Contact: <sip:${caller}@203.0.113.10:5060;transport=udp>`,
          `P-Asserted-Identity: <sip:${caller}@carrier.example.net;user=phone>`,
          'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY',
          'Supported: timer, replaces, 100rel',
          'Session-Expires: 1800;refresher=uac',
          'Min-SE: 90',
          'User-Agent: CarrierSBC/4.2.1',
          `X-Carrier-Trace: ${hex(i, 9)}`,
          `X-Zendesk-Ticket-Id: ${100_000 + i}`,
          'Content-Type: application/sdp',
          'Content-Disposition: session',
        ],
        sdp(i, '203.0.113.10'),
      ),
    );
  }
  return out;
}

export function okCorpus(count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const callId = `${hex(i, 11)}-${hex(i, 12)}@talkbridge.example.com`;
    out.push(
      message(
        'SIP/2.0 200 OK',
        [
          `Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK${hex(i, 13)}${hex(i, 14)};rport=5060;received=192.0.2.20`,
          `Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK${hex(i, 15)}`,
          `Record-Route: <sip:198.51.100.7;lr;ftag=${hex(i, 16)}>, <sip:203.0.113.10;lr>`,
          `From: <sip:+14155550123@talkbridge.example.com>;tag=${hex(i, 17)}`,
          `To: "AI Agent" <sip:agent-${i % 50}@agents.example.org>;tag=${hex(i, 18)}`,
          `Call-ID: ${callId}`,
          `CSeq: ${(i % 30_000) + 1} INVITE`,
          `Contact: <sip:agent-${i % 50}@10.0.0.${(i % 200) + 1}:5080;transport=udp>`,
          'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, REFER',
          'Supported: timer, replaces',
          'Require: timer',
          'Session-Expires: 1800;refresher=uac',
          'Server: AgentUA/1.0',
          `X-OPENCX-SESSION-ID: ${hex(i, 19)}-${hex(i, 20)}`,
          'Content-Type: application/sdp',
        ],
        sdp(i, `10.0.0.${(i % 200) + 1}`),
      ),
    );
  }
  return out;
}
