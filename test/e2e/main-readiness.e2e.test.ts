/**
 * The composition root started as `talkbridge start` does: /ready reports the drachtio connection
 * from drachtio-srf's own events, so it turns 503 when the SIP server goes away.
 */
import { afterEach, expect, it } from 'vitest';
import { pino } from 'pino';
import { buildConfig } from '../../src/config/build-config.js';
import { startTalkbridge, type RunningTalkbridge } from '../../src/main.js';
import { freePort } from '../helpers/sipp.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let app: RunningTalkbridge | null = null;
let cleanup: (() => void) | null = null;
afterEach(async () => {
  await app?.close();
  cleanup?.();
  app = null;
});

it.each(['main', 'worker'] as const)('SIP server on the %s thread: GET /ready is 200 while drachtio-srf is connected and 503 once the SIP server is gone', async (thread) => {
  const dir = makeTempDir('talkbridge-main-');
  cleanup = dir.remove;
  const config = buildConfig({
    http: { host: '127.0.0.1', port: 0 },
    sip: {
      server: {
        mode: 'embedded',
        listen: [`udp:127.0.0.1:${await freePort('udp')}`],
        control: { host: '127.0.0.1', port: await freePort('tcp') },
        secret: 'ready-test',
        thread,
      },
    },
    store: { type: 'sqlite', dataDir: dir.path },
  });
  app = await startTalkbridge({ config, logger: pino({ level: 'silent' }) });

  const ready = await app.http.inject({ method: 'GET', url: '/ready' });
  expect(ready.statusCode).toBe(200);
  expect(ready.json()).toEqual({ status: 'ready', checks: { sip: 'ok' } });

  await app.sipServer!.close();
  const deadline = Date.now() + 5_000;
  let notReady = await app.http.inject({ method: 'GET', url: '/ready' });
  while (notReady.statusCode !== 503 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    notReady = await app.http.inject({ method: 'GET', url: '/ready' });
  }
  expect(notReady.statusCode).toBe(503);
  expect(notReady.json()).toMatchObject({ status: 'not_ready' });
});
