import sdpTransform from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import { g711Offer, reofferWithin } from '../../src/calls/g711-offer.js';

function sdp(lines: string[]): string {
  return `${lines.join('\r\n')}\r\n`;
}

const HEAD = ['v=0', 'o=caller 123 456 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0'];

function audioCodecs(text: string): { payloads: string; codecs: string[] }[] {
  return sdpTransform
    .parse(text)
    .media.filter((m) => m.type === 'audio')
    .map((m) => ({ payloads: String(m.payloads), codecs: m.rtp.map((r) => `${r.payload}/${r.codec}/${r.rate}`) }));
}

describe('g711Offer', () => {
  const rows: { name: string; input: string; want?: { payloads: string; codecs: string[] }[]; fail?: RegExp }[] = [
    {
      name: 'opus + G.722 + PCMU + PCMA + DTMF → PCMU, PCMA, DTMF',
      input: sdp([
        ...HEAD,
        'm=audio 4000 RTP/AVP 111 9 0 8 101',
        'a=rtpmap:111 opus/48000/2',
        'a=fmtp:111 minptime=10;useinbandfec=1',
        'a=rtpmap:9 G722/8000',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-16',
        'a=sendrecv',
      ]),
      want: [{ payloads: '0 8 101', codecs: ['0/PCMU/8000', '8/PCMA/8000', '101/telephone-event/8000'] }],
    },
    {
      name: 'static payloads without rtpmap gain one',
      input: sdp([...HEAD, 'm=audio 4000 RTP/AVP 8 0', 'a=sendrecv']),
      want: [{ payloads: '8 0', codecs: ['8/PCMA/8000', '0/PCMU/8000'] }],
    },
    {
      name: 'telephone-event at 48 kHz is dropped',
      input: sdp([...HEAD, 'm=audio 4000 RTP/AVP 0 110', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:110 telephone-event/48000']),
      want: [{ payloads: '0', codecs: ['0/PCMU/8000'] }],
    },
    {
      name: 'video stream removed',
      input: sdp([...HEAD, 'm=audio 4000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'm=video 4002 RTP/AVP 96', 'a=rtpmap:96 VP8/90000']),
      want: [{ payloads: '0', codecs: ['0/PCMU/8000'] }],
    },
    { name: 'only opus → refused', input: sdp([...HEAD, 'm=audio 4000 RTP/AVP 111', 'a=rtpmap:111 opus/48000/2']), fail: /neither PCMU nor PCMA/ },
    { name: 'only DTMF → refused', input: sdp([...HEAD, 'm=audio 4000 RTP/AVP 101', 'a=rtpmap:101 telephone-event/8000']), fail: /neither/ },
    { name: 'disabled audio → refused', input: sdp([...HEAD, 'm=audio 0 RTP/AVP 0']), fail: /no active audio/ },
    { name: 'empty SDP → refused', input: '', fail: /empty/ },
  ];
  it.each(rows)('$name', (row) => {
    const result = g711Offer(row.input);
    if (row.fail) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(row.fail);
      return;
    }
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(audioCodecs(result.sdp)).toEqual(row.want);
    expect(result.sdp).not.toMatch(/opus|G722|fmtp:111/);
    // Connection address and port are the caller's: media flows caller ↔ destination.
    expect(result.sdp).toContain('c=IN IP4 127.0.0.1');
    expect(result.sdp).toMatch(/m=audio 4000 /);
  });
});

describe('reofferWithin', () => {
  it('keeps the previous origin and increments its version', () => {
    const previous = sdp(['v=0', 'o=agent 777 3 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', 'm=audio 6000 RTP/AVP 0']);
    const next = sdp(['v=0', 'o=zendesk 1 1 IN IP4 10.0.0.9', 's=-', 'c=IN IP4 10.0.0.9', 't=0 0', 'm=audio 7000 RTP/AVP 0']);
    const out = reofferWithin(previous, next);
    expect(out).toContain('o=agent 777 4 IN IP4 10.0.0.1');
    expect(out).toContain('c=IN IP4 10.0.0.9');
    expect(out).toContain('m=audio 7000');
  });
});
