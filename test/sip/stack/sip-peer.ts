/**
 * A raw SIP peer for stack tests: sends bytes over UDP or TCP from 127.0.0.1 and collects parsed
 * messages; `next()` waits for the next one (no fixed sleeps).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { once } from 'node:events';
import { parseMessage } from '../../../src/sip/message/index.js';
import type { SipMessage } from '../../../src/sip/message/sip-message.js';

export class SipPeer {
  readonly received: SipMessage[] = [];
  private waiters: (() => void)[] = [];
  private buffer = Buffer.alloc(0);

  private constructor(
    readonly transport: 'udp' | 'tcp',
    private readonly udp: UdpSocket | null,
    private readonly tcp: TcpSocket | null,
    readonly port: number,
    private readonly target: { address: string; port: number },
  ) {}

  static async udp(target: { address: string; port: number }): Promise<SipPeer> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    const peer = new SipPeer('udp', socket, null, socket.address().port, target);
    socket.on('message', (data) => peer.push(data));
    return peer;
  }

  static async tcp(target: { address: string; port: number }): Promise<SipPeer> {
    const socket = connect({ host: target.address, port: target.port, localAddress: '127.0.0.1' });
    await once(socket, 'connect');
    const peer = new SipPeer('tcp', null, socket, socket.localPort ?? 0, target);
    socket.on('data', (chunk) => peer.frame(chunk));
    return peer;
  }

  /** `${port}` / `${transport}` in the text are replaced. CRLF line ends are added. */
  send(text: string): void {
    const wire = Buffer.from(text.replaceAll('${port}', String(this.port)).replaceAll('${transport}', this.transport.toUpperCase()).replace(/\r?\n/g, '\r\n'));
    this.sendRaw(wire);
  }

  sendRaw(wire: Buffer): void {
    if (this.udp) this.udp.send(wire, this.target.port, this.target.address);
    else this.tcp?.write(wire);
  }

  /** Wait for the message number `index` (0-based) to have arrived. */
  async nth(index: number): Promise<SipMessage> {
    while (this.received.length <= index) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.received[index] as SipMessage;
  }

  async close(): Promise<void> {
    if (this.udp) {
      this.udp.close();
      await once(this.udp, 'close');
    }
    if (this.tcp && !this.tcp.destroyed) {
      this.tcp.destroy();
      await once(this.tcp, 'close');
    }
  }

  private push(data: Buffer): void {
    const result = parseMessage(data);
    if (!result.ok) throw new Error(`peer got unparsable bytes: ${result.error.reason}`);
    this.received.push(result.message);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private frame(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = this.buffer.subarray(0, end).toString('latin1');
      const length = Number(/\r\n(?:content-length|l)\s*:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (this.buffer.length < end + 4 + length) return;
      this.push(this.buffer.subarray(0, end + 4 + length));
      this.buffer = this.buffer.subarray(end + 4 + length);
    }
  }
}

/** A request text from 127.0.0.1:${port}. */
export function sipRequest(method: string, options: { branch?: string; toTag?: string; callId?: string; cseq?: number; extra?: string[]; uri?: string; cseqMethod?: string } = {}): string {
  const lines = [
    `${method} ${options.uri ?? 'sip:service@127.0.0.1'} SIP/2.0`,
    `Via: SIP/2.0/\${transport} 127.0.0.1:\${port};branch=${options.branch ?? 'z9hG4bK-t1'};rport`,
    'Max-Forwards: 70',
    'From: <sip:tester@127.0.0.1>;tag=from1',
    `To: <sip:service@127.0.0.1>${options.toTag ? `;tag=${options.toTag}` : ''}`,
    `Call-ID: ${options.callId ?? 'stack-test-1'}`,
    `CSeq: ${options.cseq ?? 1} ${options.cseqMethod ?? method}`,
    ...(options.extra ?? []),
    'Content-Length: 0',
    '',
    '',
  ];
  return lines.join('\n');
}
