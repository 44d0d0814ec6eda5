/**
 * Test harness: an embedded SIP server on loopback (free ports) plus real drachtio-srf
 * applications connected to it. Everything it starts is closed by `close()`.
 */
import { once } from 'node:events';
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import Srf from 'drachtio-srf';
import { describeSippRun, runSipp, type SippResult } from '../../../helpers/sipp.js';
import { createEmbeddedSipServer, type EmbeddedSipServer, type EmbeddedSipServerOptions } from '../../../../src/sip/server/embedded-sip-server.js';

export const SECRET = 'cymru';

export class EmbeddedHarness {
  readonly srfs: Srf[] = [];
  private constructor(readonly server: EmbeddedSipServer) {}

  static async start(options: Partial<EmbeddedSipServerOptions> = {}): Promise<EmbeddedHarness> {
    const server = createEmbeddedSipServer({
      sip: [{ transport: 'udp', address: '127.0.0.1', port: 0 }],
      control: { host: '127.0.0.1', port: 0, secret: SECRET },
      ...options,
    });
    await server.start();
    return new EmbeddedHarness(server);
  }

  get sipPort(): number {
    return this.server.addresses().sip[0]!.port;
  }

  /** A connected srf; `setup` runs before connect (handlers register their routes on connect). */
  async connect(setup: (srf: Srf) => void = () => {}): Promise<Srf> {
    const srf = new Srf();
    setup(srf);
    this.srfs.push(srf);
    srf.connect({ host: '127.0.0.1', port: this.server.addresses().control.port, secret: SECRET });
    const [err] = (await once(srf, 'connect')) as [Error | null];
    if (err) throw err;
    return srf;
  }

  async close(): Promise<void> {
    for (const srf of this.srfs.splice(0)) {
      try {
        srf.disconnect();
      } catch {
        // already gone
      }
    }
    await this.server.close();
  }
}

/** A UDP port free right now on 127.0.0.1 (for SIPp in UAS mode, which needs -p). */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/**
 * Resolves once something is bound to the UDP port (SIPp UAS is listening). Reads the kernel's
 * socket table instead of probing with bind(), which would race with SIPp's own bind.
 */
export async function udpPortBound(port: number): Promise<void> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  for (;;) {
    const tables = await Promise.all(['/proc/net/udp', '/proc/net/udp6'].map((f) => readFile(f, 'utf8').catch(() => '')));
    if (tables.some((table) => table.split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex.trim())))) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Resolves once a socket listens on the TCP port (kernel table, no probing connect). */
export async function tcpPortListening(port: number): Promise<void> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (;;) {
    const table = await readFile('/proc/net/tcp', 'utf8').catch(() => '');
    const listening = table.split('\n').some((line) => {
      const cols = line.trim().split(/\s+/);
      return cols[1]?.endsWith(hex) === true && cols[3] === '0A';
    });
    if (listening) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * `createUAC` that CANCELs as soon as the 180 arrives; resolves with the rejection (487 expected)
 * and the request srf reports as sent.
 */
export async function uacCancelledOnRinging(srf: Srf, uri: string, localSdp: string): Promise<{ status: number | undefined; sent: Srf.SrfRequest | undefined }> {
  let sent: Srf.SrfRequest | undefined;
  const error = await srf
    .createUAC(uri, { localSdp }, {
      cbRequest: (_e: unknown, req: Srf.SrfRequest) => (sent = req),
      cbProvisional: (res: Srf.SrfResponse) => {
        if (res.status === 180) sent?.cancel(() => {});
      },
    } as never)
    .then(
      () => null,
      (e: { status?: number }) => e,
    );
  return { status: error?.status, sent };
}

/** Resolves on the next emission of `event` (typed loosely for srf's emitters). */
export function nextEvent<T extends unknown[]>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  return once(emitter, event) as Promise<T>;
}

/** srf's Dialog as the tests use it (its bundled typings lack `id` and the destroy arguments). */
export interface SrfDialog {
  id: string;
  remote: { sdp: string };
  local: { sdp: string };
  on(event: string, listener: (...args: never[]) => void): void;
  destroy(opts?: unknown): Promise<void>;
  modify(sdp: string): Promise<string>;
  request(opts: unknown): Promise<unknown>;
}

export const asDialog = (dialog: unknown): SrfDialog => dialog as SrfDialog;

/** Start SIPp as a callee on its own port; resolves once it listens (or fails if SIPp exits first). */
export async function startCallee(
  scenario: string,
  serverPort: number,
  extraArgs: string[] = [],
): Promise<{ uri: string; port: number; done: Promise<SippResult> }> {
  const port = await freeUdpPort();
  const done = runSipp({
    scenario: `sip-scenarios/drachtio/${scenario}`,
    target: { address: '127.0.0.1', port: serverPort },
    localPort: port,
    extraArgs,
  });
  await Promise.race([
    udpPortBound(port),
    done.then((r) => {
      throw new Error(`SIPp exited before listening:\n${describeSippRun(r)}`);
    }),
  ]);
  return { uri: `sip:callee@127.0.0.1:${port}`, port, done };
}

/** SIPp as the caller towards the embedded server. */
export function startCaller(scenario: string, serverPort: number): Promise<SippResult> {
  return runSipp({ scenario: `sip-scenarios/drachtio/${scenario}`, target: { address: '127.0.0.1', port: serverPort } });
}

/** The app side of a call, failing fast with SIPp's logs when SIPp gives up first. */
export async function withSipp<T>(done: Promise<SippResult>, work: Promise<T>): Promise<T> {
  const failed = done.then((r) => {
    if (r.code !== 0) throw new Error(describeSippRun(r));
    return new Promise<never>(() => {});
  });
  return Promise.race([work, failed]);
}
