import { describe, expect, it } from 'vitest';
import { parseHostPort, parseSipListen } from '../../src/cli/parse-endpoint.js';

describe('parseSipListen', () => {
  it.each([
    ['udp:127.0.0.1:5060', { transport: 'udp', address: '127.0.0.1', port: 5060 }],
    ['tcp:127.0.0.1:5061', { transport: 'tcp', address: '127.0.0.1', port: 5061 }],
    ['UDP:[::1]:5060', { transport: 'udp', address: '::1', port: 5060 }],
    ['tcp:[::1]:0', { transport: 'tcp', address: '::1', port: 0 }],
  ])('%s', (text, expected) => {
    expect(parseSipListen(text)).toEqual(expected);
  });

  it.each([
    ['tls:127.0.0.1:5061', 'must start with udp: or tcp:'],
    ['127.0.0.1:5060', 'must start with udp: or tcp:'],
    ['udp:::1:5060', 'write IPv6 addresses in brackets'],
    ['udp:[::1]5060', 'must look like [ipv6]:port'],
    ['udp:[127.0.0.1]:5060', 'is not an IPv6 address'],
    ['udp:localhost:5060', 'is not an IPv4 address'],
    ['udp:127.0.0.1:70000', 'out of range'],
    ['udp:127.0.0.1:x', 'is not a number'],
  ])('%s is refused naming the defect', (text, message) => {
    expect(() => parseSipListen(text)).toThrow(message);
  });
});

describe('parseHostPort', () => {
  it('parses the control address', () => {
    expect(parseHostPort('--control', '127.0.0.1:9022')).toEqual({ address: '127.0.0.1', port: 9022 });
  });
  it('names the option in errors', () => {
    expect(() => parseHostPort('--control', '9022')).toThrow(/^--control: /);
  });
});
