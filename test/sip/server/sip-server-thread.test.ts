/**
 * The embedded SIP server in a worker thread (sip.server.thread: worker): real drachtio-srf
 * connects to it, SIPp talks to it over loopback, and its logs and stats reach the parent.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import Srf from 'drachtio-srf';
import { afterEach, describe, expect, it } from 'vitest';
import type { SipLogger } from '../../../src/sip/drachtio/sip-logger.js';
import type { EmbeddedSipServer } from '../../../src/sip/server/embedded-sip-server.js';
import { SipServerThreadError, createSipServerThread } from '../../../src/sip/server/sip-server-thread.js';
import { describeSippRun, freePort, runSipp } from '../../helpers/sipp.js';

const SECRET = 'thread-secret';

interface Record_ {
  level: string;
  obj: object;
  msg: string | undefined;
}

function recordingLogger(): { logger: SipLogger; records: Record_[] } {
  const records: Record_[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void records.push({ level, obj, msg });
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, records };
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const servers: EmbeddedSipServer[] = [];
const apps: Srf[] = [];
afterEach(async () => {
  for (const srf of apps.splice(0)) {
    try {
      srf.disconnect();
    } catch {
      // never connected (wrong secret) or already gone
    }
  }
  for (const server of servers.splice(0)) await server.close();
});

async function startThread(logger: SipLogger, logLevel: 'debug' | 'info' | 'warn' | 'error' = 'info') {
  const sipPort = await freePort('udp');
  const server = createSipServerThread({
    sip: [{ transport: 'udp', address: '127.0.0.1', port: sipPort }],
    control: { host: '127.0.0.1', port: 0, secret: SECRET },
    logger,
    logLevel,
  });
  servers.push(server);
  await server.start();
  return { server, sipPort, controlPort: server.addresses().control.port };
}

async function connectApp(controlPort: number, secret = SECRET): Promise<Srf> {
  const srf = new Srf();
  apps.push(srf);
  srf.on('error', () => undefined);
  srf.connect({ host: '127.0.0.1', port: controlPort, secret });
  return srf;
}

describe('SIP server in a worker thread', () => {
  it('serves drachtio-srf over its control socket: an OPTIONS from SIPp reaches the app and gets its 200', async () => {
    const { logger } = recordingLogger();
    const { server, sipPort, controlPort } = await startThread(logger);
    expect(server.addresses().sip).toEqual([{ transport: 'udp', address: '127.0.0.1', port: sipPort }]);
    const srf = await connectApp(controlPort);
    await once(srf, 'connect');
    // srf routes OPTIONS like any method; its typings omit the method helpers.
    (srf as unknown as { options(fn: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void): void }).options((_req, res) =>
      res.send(200, { headers: { 'X-Answered-By': 'thread-test' } }),
    );
    const result = await runSipp({ scenario: 'sip-scenarios/drachtio/uac-options-expect-200.xml', target: { address: '127.0.0.1', port: sipPort } });
    expect(result.code, describeSippRun(result)).toBe(0);
    expect(result.messages).toContain('X-Answered-By: thread-test');
  });

  it('forwards its log records at or above the level asked for, and sends stats the parent can read', async () => {
    const { logger, records } = recordingLogger();
    const { server, controlPort } = await startThread(logger, 'info');
    const good = await connectApp(controlPort);
    await once(good, 'connect');
    await connectApp(controlPort, 'not-the-secret');
    await until(() => records.some((r) => r.msg === 'drachtio application used an incorrect secret'), 'the incorrect-secret warning');
    const warning = records.find((r) => r.msg === 'drachtio application used an incorrect secret');
    expect(warning?.level).toBe('warn');
    expect(warning?.obj).toMatchObject({ remote: '127.0.0.1' });
    expect(records.some((r) => r.level === 'info' && r.msg === 'drachtio application connected')).toBe(true);
    expect(records.some((r) => r.level === 'debug')).toBe(false);
    await until(() => server.stats().applications === 1, 'stats showing one connected application', 3000);
  });

  it('close() releases its SIP port: it can be bound again at once', async () => {
    const { logger } = recordingLogger();
    const { server, sipPort } = await startThread(logger);
    await server.close();
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(sipPort, '127.0.0.1', () => resolve());
    });
    socket.close();
  });

  it('a listen address already in use fails start() with the transport error, and nothing keeps running', async () => {
    const taken = createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', () => resolve()));
    const port = taken.address().port;
    const server = createSipServerThread({
      sip: [{ transport: 'udp', address: '127.0.0.1', port }],
      control: { host: '127.0.0.1', port: 0, secret: SECRET },
    });
    servers.push(server);
    const failure = await server.start().then(
      () => null,
      (error: unknown) => error,
    );
    taken.close();
    expect(failure).toBeInstanceOf(SipServerThreadError);
    expect((failure as SipServerThreadError).code).toBe('TRANSPORT_ERR_LISTEN');
    expect((failure as Error).message).toContain(String(port));
    expect(() => server.addresses()).toThrow(/not started/);
    // The thread is gone already: close() has nothing to wait for.
    await expect(server.close()).resolves.toBeUndefined();
  });
});
