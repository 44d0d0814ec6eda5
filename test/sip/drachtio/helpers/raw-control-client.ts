/** A bare control-protocol client for tests: writes raw bytes, collects decoded frames. */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder } from '../../../../src/sip/drachtio/frame-decoder.js';
import { parsePayload } from '../../../../src/sip/drachtio/payload.js';

export interface ReceivedFrame {
  tokens: string[];
  sip: string | null;
}

export class RawControlClient {
  readonly frames: ReceivedFrame[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder();
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk).frames) {
        const { tokens, sip } = parsePayload(frame);
        this.frames.push({ tokens, sip: sip?.toString('utf8') ?? null });
      }
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static async open(port: number, host = '127.0.0.1'): Promise<RawControlClient> {
    const socket = connect({ port, host });
    await once(socket, 'connect');
    return new RawControlClient(socket);
  }

  /** Send `<id>|<rest>` framed. */
  send(id: string, rest: string): void {
    this.socket.write(encodeFrame(`${id}|${rest}`));
  }

  writeRaw(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolve with the first frame (from the start) that answers `clientId`. */
  async response(clientId: string): Promise<ReceivedFrame> {
    return this.waitFor(() => this.frames.find((f) => f.tokens[1] === 'response' && f.tokens[2] === clientId));
  }

  async waitClosed(): Promise<void> {
    await this.waitFor(() => (this.closed ? true : undefined));
  }

  async waitFor<T>(probe: () => T | undefined): Promise<T> {
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (this.closed) {
        const last = probe();
        if (last !== undefined) return last;
        throw new Error('connection closed while waiting');
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
