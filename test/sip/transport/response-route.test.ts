import { describe, expect, it } from 'vitest';
import type { Via } from '../../../src/sip/message/index.js';
import type { SipAddress } from '../../../src/sip/message/sip-message.js';
import { routeResponse } from '../../../src/sip/transport/response-route.js';

function via(transport: string, host: string, port: number | null, params: Record<string, string | null> = {}): Via {
  return { protocol: `SIP/2.0/${transport}`, transport, host, port, params: { branch: 'z9hG4bK1', ...params }, branch: 'z9hG4bK1' };
}
const udpSource: SipAddress = { transport: 'udp', address: '192.0.2.7', port: 40000 };
const tcpSource: SipAddress = { transport: 'tcp', address: '192.0.2.7', port: 40001 };

describe('routeResponse (RFC 3261 §18.2.2, RFC 3581 §4)', () => {
  const cases: { name: string; via: Via; source: SipAddress; expected: ReturnType<typeof routeResponse> }[] = [
    {
      name: 'UDP, received + rport value → received:rport',
      via: via('UDP', 'pc33.example.com', 5066, { received: '192.0.2.7', rport: '40000' }),
      source: udpSource,
      expected: { transport: 'udp', target: { transport: 'udp', address: '192.0.2.7', port: 40000 } },
    },
    {
      name: 'UDP, received without rport → received:sent-by port',
      via: via('UDP', 'pc33.example.com', 5066, { received: '192.0.2.7' }),
      source: udpSource,
      expected: { transport: 'udp', target: { transport: 'udp', address: '192.0.2.7', port: 5066 } },
    },
    {
      name: 'UDP, received, no sent-by port → 5060',
      via: via('UDP', 'pc33.example.com', null, { received: '192.0.2.7' }),
      source: udpSource,
      expected: { transport: 'udp', target: { transport: 'udp', address: '192.0.2.7', port: 5060 } },
    },
    {
      name: 'UDP, rport flag without value is ignored',
      via: via('UDP', '192.0.2.7', 5070, { rport: null }),
      source: udpSource,
      expected: { transport: 'udp', target: { transport: 'udp', address: '192.0.2.7', port: 5070 } },
    },
    {
      name: 'UDP, maddr wins over received/rport, with sent-by port',
      via: via('UDP', '192.0.2.7', 5070, { maddr: '239.255.255.1', received: '192.0.2.9', rport: '1234' }),
      source: udpSource,
      expected: { transport: 'udp', target: { transport: 'udp', address: '239.255.255.1', port: 5070 } },
    },
    {
      name: 'UDP, nothing stamped → sent-by',
      via: via('UDP', '192.0.2.7', 5070),
      source: udpSource,
      expected: { transport: 'udp', target: { transport: 'udp', address: '192.0.2.7', port: 5070 } },
    },
    {
      name: 'UDP, IPv6 received without brackets (RFC 5118 §4.5)',
      via: via('UDP', '2001:db8::9', 5070, { received: '2001:db8::7', rport: '5999' }),
      source: { transport: 'udp', address: '2001:db8::7', port: 5999 },
      expected: { transport: 'udp', target: { transport: 'udp', address: '2001:db8::7', port: 5999 } },
    },
    {
      name: 'UDP, tolerates a bracketed received',
      via: via('UDP', '2001:db8::9', 5070, { received: '[2001:db8::7]' }),
      source: { transport: 'udp', address: '2001:db8::7', port: 5999 },
      expected: { transport: 'udp', target: { transport: 'udp', address: '2001:db8::7', port: 5070 } },
    },
    {
      name: 'UDP, a bad rport value falls back to sent-by port',
      via: via('UDP', '192.0.2.7', 5070, { received: '192.0.2.8', rport: '99999' }),
      source: udpSource,
      expected: { transport: 'udp', target: { transport: 'udp', address: '192.0.2.8', port: 5070 } },
    },
    {
      name: 'TCP → same connection, fallback received:sent-by port (not rport)',
      via: via('TCP', 'pc33.example.com', 5070, { received: '192.0.2.7', rport: '40001' }),
      source: tcpSource,
      expected: { transport: 'tcp', connectionId: 'tcp-9', fallback: { transport: 'tcp', address: '192.0.2.7', port: 5070 } },
    },
    {
      name: 'TCP without received → fallback sent-by host, default port',
      via: via('TCP', '192.0.2.7', null),
      source: tcpSource,
      expected: { transport: 'tcp', connectionId: 'tcp-9', fallback: { transport: 'tcp', address: '192.0.2.7', port: 5060 } },
    },
    {
      name: 'DEVIATION: arrived on TCP with a UDP Via → still the connection',
      via: via('UDP', '192.0.2.7', 5070),
      source: tcpSource,
      expected: { transport: 'tcp', connectionId: 'tcp-9', fallback: { transport: 'tcp', address: '192.0.2.7', port: 5070 } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const connectionId = c.source.transport === 'tcp' ? 'tcp-9' : null;
      expect(routeResponse(c.via, { source: c.source, connectionId })).toEqual(c.expected);
    });
  }
});
