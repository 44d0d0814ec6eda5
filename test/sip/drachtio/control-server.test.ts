/**
 * Control listener: raw protocol checks plus the real, unmodified drachtio-srf client.
 */
import { once } from 'node:events';
import Srf from 'drachtio-srf';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApplicationConnection, ApplicationHandler } from '../../../src/sip/drachtio/application-connection.js';
import type { ProxyCommand, SipCommand } from '../../../src/sip/drachtio/client-message.js';
import { ControlServer } from '../../../src/sip/drachtio/control-server.js';
import { okResponse } from '../../../src/sip/drachtio/server-messages.js';
import { RawControlClient } from './helpers/raw-control-client.js';

const SECRET = 'cymru';
const ENDPOINTS = { hostports: 'udp/127.0.0.1:5060,tcp/127.0.0.1:5060', localHostports: 'udp/127.0.0.1:5060,tcp/127.0.0.1:5060' };

class RecordingHandler implements ApplicationHandler {
  readonly sips: { app: ApplicationConnection; command: SipCommand }[] = [];
  readonly proxies: ProxyCommand[] = [];
  readonly gone: ApplicationConnection[] = [];
  private waiters: (() => void)[] = [];
  sip(app: ApplicationConnection, command: SipCommand): void {
    this.sips.push({ app, command });
    this.wake();
  }
  proxy(_app: ApplicationConnection, command: ProxyCommand): void {
    this.proxies.push(command);
    this.wake();
  }
  disconnected(app: ApplicationConnection): void {
    this.gone.push(app);
    this.wake();
  }
  async until(probe: () => boolean): Promise<void> {
    while (!probe()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }
}

let server: ControlServer;
let handler: RecordingHandler;
let port: number;
const clients: RawControlClient[] = [];
const srfs: Srf[] = [];

beforeEach(async () => {
  handler = new RecordingHandler();
  server = new ControlServer({ host: '127.0.0.1', port: 0, secret: SECRET, endpoints: () => ENDPOINTS, handler });
  port = (await server.listen()).port;
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const srf of srfs.splice(0)) {
    try {
      srf.disconnect();
    } catch {
      // already disconnected
    }
  }
  await server.close();
});

async function rawClient(authenticate = true): Promise<RawControlClient> {
  const c = await RawControlClient.open(port);
  clients.push(c);
  if (authenticate) {
    c.send('auth-1', `authenticate|${SECRET}|`);
    await c.response('auth-1');
  }
  return c;
}

/** Wait until the server-side router state satisfies `probe` (driven by handler or polling frames). */
async function eventually(probe: () => boolean): Promise<void> {
  while (!probe()) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('control protocol (raw client)', () => {
  it('authenticate → OK|hostports|version|localHostports', async () => {
    const c = await rawClient(false);
    c.send('m1', 'authenticate|cymru|');
    const r = await c.response('m1');
    expect(r.tokens.slice(1)).toEqual(['response', 'm1', 'OK', ENDPOINTS.hostports, 'v0.9.4', ENDPOINTS.localHostports]);
    expect(r.tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('wrong secret → NO|incorrect secret, then the connection is closed', async () => {
    const c = await rawClient(false);
    c.send('m1', 'authenticate|wrong|');
    const r = await c.response('m1');
    expect(r.tokens.slice(3)).toEqual(['NO', 'incorrect secret']);
    await c.waitClosed();
  });

  it('route / remove_route / ping', async () => {
    const c = await rawClient();
    c.send('r1', 'route|invite');
    expect((await c.response('r1')).tokens.slice(3)).toEqual(['OK']);
    expect(server.pick('INVITE')).not.toBeNull();
    c.send('r2', 'remove_route|invite');
    expect((await c.response('r2')).tokens.slice(3)).toEqual(['OK']);
    expect(server.pick('INVITE')).toBeNull();
    c.send('p1', 'ping');
    expect((await c.response('p1')).tokens.slice(3)).toEqual(['OK', 'pong']);
  });

  it('unknown message type → NO|Unknown message type, then close', async () => {
    const c = await rawClient();
    c.send('u1', 'frobnicate|x');
    expect((await c.response('u1')).tokens.slice(3)).toEqual(['NO', 'Unknown message type']);
    await c.waitClosed();
  });

  it('commands before authenticate are refused and the connection closed', async () => {
    const c = await rawClient(false);
    c.send('s1', 'sip||\r\nOPTIONS sip:a SIP/2.0\r\n\r\n');
    expect((await c.response('s1')).tokens[3]).toBe('NO');
    await c.waitClosed();
    expect(handler.sips).toHaveLength(0);
  });

  it('a malformed frame closes that connection only', async () => {
    const bad = await rawClient();
    const good = await rawClient();
    bad.send('r1', 'route|invite');
    good.send('r1', 'route|invite');
    await bad.response('r1');
    await good.response('r1');
    bad.writeRaw('12x#garbage');
    await bad.waitClosed();
    await handler.until(() => handler.gone.length === 1);
    good.send('p1', 'ping');
    expect((await good.response('p1')).tokens.slice(3)).toEqual(['OK', 'pong']);
    // Only the good connection is left routed.
    const picked = new Set([server.pick('invite'), server.pick('invite')]);
    expect(picked.size).toBe(1);
    expect(server.applications()).toHaveLength(1);
  });

  it('frames split across writes and several per write', async () => {
    const c = await rawClient();
    const frames = '6#a|ping14#b|route|invite';
    c.writeRaw(frames.slice(0, 3));
    await new Promise<void>((resolve) => setImmediate(resolve));
    c.writeRaw(frames.slice(3));
    expect((await c.response('a')).tokens.slice(3)).toEqual(['OK', 'pong']);
    expect((await c.response('b')).tokens.slice(3)).toEqual(['OK']);
  });

  it('hands sip and proxy commands to the handler, who can answer on the connection', async () => {
    const c = await rawClient();
    c.send('s1', 'sip|txn-1|\r\nSIP/2.0 200 OK\r\nCall-ID: x\r\n\r\n');
    c.send('p1', 'proxy|txn-2|remainInDialog|fullResponse||serial|||sip:a@127.0.0.1\r\nINVITE sip:a@127.0.0.1 SIP/2.0\r\n\r\n');
    await handler.until(() => handler.sips.length === 1 && handler.proxies.length === 1);
    const { app, command } = handler.sips[0]!;
    expect(command).toMatchObject({ id: 's1', transactionId: 'txn-1', dialogId: '', routeUri: null });
    expect(command.sip.toString()).toBe('SIP/2.0 200 OK\r\nCall-ID: x\r\n\r\n');
    expect(handler.proxies[0]).toMatchObject({ transactionId: 'txn-2', destinations: ['sip:a@127.0.0.1'] });
    server.send(app, okResponse('srv-1', 's1', 'hello'));
    expect((await c.response('s1')).tokens).toEqual(['srv-1', 'response', 's1', 'OK', 'hello']);
  });

  it('a handler that throws gets NOK back, the connection stays up', async () => {
    server.setHandler({
      sip: () => {
        throw new Error('boom');
      },
      proxy: () => {},
      disconnected: () => {},
    });
    const c = await rawClient();
    c.send('s1', 'sip||\r\nOPTIONS sip:a SIP/2.0\r\n\r\n');
    expect((await c.response('s1')).tokens[3]).toBe('NOK');
    c.send('p1', 'ping');
    expect((await c.response('p1')).tokens[4]).toBe('pong');
  });

  it('disconnect removes the routes and tells the handler', async () => {
    const c = await rawClient();
    c.send('r1', 'route|options');
    await c.response('r1');
    c.close();
    await handler.until(() => handler.gone.length === 1);
    expect(server.pick('options')).toBeNull();
    expect(server.applications()).toHaveLength(0);
  });
});

describe('with the real drachtio-srf client', () => {
  function newSrf(): Srf {
    const srf = new Srf();
    srfs.push(srf);
    return srf;
  }

  it('connects: connect event carries hostport, version and local hostports', async () => {
    const srf = newSrf();
    srf.connect({ host: '127.0.0.1', port, secret: SECRET });
    const [err, hostport, version, localHostports] = (await once(srf, 'connect')) as [Error | null, string, string, string];
    expect(err).toBeNull();
    expect(hostport).toBe(ENDPOINTS.hostports);
    expect(version).toBe('v0.9.4');
    expect(localHostports).toBe(ENDPOINTS.localHostports);
  });

  it('wrong secret: connect reports "failed to authenticate to server"', async () => {
    const srf = newSrf();
    srf.connect({ host: '127.0.0.1', port, secret: 'nope', reconnect: { maxAttempts: 1 } } as never);
    const [err] = (await once(srf, 'connect')) as [Error | null];
    expect(err?.message).toBe('failed to authenticate to server');
    await eventually(() => server.applications().length === 0);
  });

  it('two applications: routes registered by method, round robin, disconnect handled', async () => {
    const a = newSrf();
    const b = newSrf();
    a.invite(() => {});
    b.invite(() => {});
    (b as unknown as { options(fn: () => void): void }).options(() => {});
    a.connect({ host: '127.0.0.1', port, secret: SECRET });
    b.connect({ host: '127.0.0.1', port, secret: SECRET });
    await Promise.all([once(a, 'connect'), once(b, 'connect')]);
    await eventually(() => server.router.subscribers('invite').length === 2 && server.router.has('options'));
    const first = server.pick('INVITE');
    const second = server.pick('INVITE');
    expect(first).not.toBe(second);
    expect(server.pick('INVITE')).toBe(first);
    expect(server.router.subscribers('options')).toHaveLength(1);
    const optionsApp = server.router.subscribers('options')[0]!;

    b.disconnect();
    await handler.until(() => handler.gone.length === 1);
    expect(handler.gone[0]).toBe(optionsApp);
    expect(server.pick('options')).toBeNull();
    expect(server.router.subscribers('invite')).toHaveLength(1);
    expect(server.pick('invite')).not.toBe(optionsApp);
  });

  it('reconnects after the server drops the connection and routes again', async () => {
    const srf = newSrf();
    srf.invite(() => {});
    srf.connect({ host: '127.0.0.1', port, secret: SECRET });
    await once(srf, 'connect');
    await eventually(() => server.router.has('invite'));
    const before = server.applications()[0]!;
    before.destroy();
    await once(srf, 'connect');
    await eventually(() => server.router.has('invite'));
    const after = server.pick('invite')!;
    expect(after).not.toBe(before);
    expect(after.authenticated).toBe(true);
  });

  it('ping (enablePing) is answered with pong', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const srf = newSrf();
      srf.connect({ host: '127.0.0.1', port, secret: SECRET, enablePing: true, pingInterval: 5000 } as never);
      await once(srf, 'connect');
      // srf's WireProtocol is reachable through its agent; watch its pings and the replies.
      const wp = (srf as unknown as { _app: { client: { wp: NodeJS.EventEmitter } } })._app.client.wp;
      const pinged = once(wp, 'ping') as Promise<[{ msgId: string }]>;
      const replies: string[] = [];
      wp.on('msg', (_socket: unknown, msg: string) => replies.push(msg));
      vi.advanceTimersByTime(5000);
      const [{ msgId }] = await pinged;
      await eventually(() => replies.some((m) => m.split('|')[2] === msgId));
      expect(replies.find((m) => m.split('|')[2] === msgId)!.split('|').slice(1)).toEqual(['response', msgId, 'OK', 'pong']);
    } finally {
      vi.useRealTimers();
    }
  });
});
