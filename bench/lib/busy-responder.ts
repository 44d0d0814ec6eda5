/**
 * A minimal SIP far end on a raw UDP socket for the transfer bench: it timestamps each INVITE the
 * moment it arrives (process.hrtime, same clock as the bench) and answers 486 Busy Here, so the
 * transfer ends at once and the caller stays with the AI agent for the next round.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';

export class BusyResponder {
  private readonly waiting = new Map<string, (arrivedNs: bigint) => void>();
  invites = 0;

  private constructor(private readonly socket: Socket) {
    socket.on('message', (data, rinfo) => this.onMessage(data.toString('utf8'), rinfo.address, rinfo.port));
  }

  static async start(): Promise<BusyResponder> {
    const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    return new BusyResponder(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Resolves with the arrival time of the next INVITE carrying X-OPENCX-SESSION-ID: `sessionId`. */
  nextInvite(sessionId: string): Promise<bigint> {
    return new Promise((resolve) => this.waiting.set(sessionId, resolve));
  }

  async close(): Promise<void> {
    this.socket.close();
    await once(this.socket, 'close');
  }

  private onMessage(text: string, address: string, port: number): void {
    const arrived = process.hrtime.bigint();
    if (!text.startsWith('INVITE ')) return; // ACK of our 486 and anything else: nothing to do
    this.invites++;
    const head = text.slice(0, text.indexOf('\r\n\r\n'));
    const lines = head.split('\r\n').slice(1);
    const pick = (name: string): string[] => lines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    const session = pick('X-OPENCX-SESSION-ID')[0]?.split(':')[1]?.trim();
    if (session) {
      this.waiting.get(session)?.(arrived);
      this.waiting.delete(session);
    }
    const to = pick('To')[0] ?? 'To: <sip:line@127.0.0.1>';
    const response = [
      'SIP/2.0 486 Busy Here',
      ...pick('Via'),
      ...pick('From'),
      /;tag=/.test(to) ? to : `${to};tag=busy${this.invites}`,
      ...pick('Call-ID'),
      ...pick('CSeq'),
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    this.socket.send(response, port, address);
  }
}
