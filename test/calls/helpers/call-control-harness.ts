/**
 * Call control wired as main.ts would wire it, on a fake srf, a manual clock and a real SQLite
 * store in a temp directory.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createCallControl, type CallControl } from '../../../src/calls/create-call-control.js';
import type { TalkbridgeConfig } from '../../../src/config/config.schema.js';
import { SessionEvents } from '../../../src/sessions/session-events.js';
import { SessionService } from '../../../src/sessions/session-service.js';
import type { Session } from '../../../src/sessions/session.js';
import { openSqliteStore, type SqliteStore } from '../../../src/store/sqlite/open-sqlite-store.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { callsConfig } from './calls-config.js';
import { FakeSrf, sdpFor } from './fake-srf.js';
import { ManualClock, flush } from './manual-clock.js';

export interface Harness {
  srf: FakeSrf;
  clock: ManualClock;
  store: SqliteStore;
  control: CallControl;
  events: SessionEvents;
  sessions: SessionService;
  config: TalkbridgeConfig;
  registry: Registry;
  close(): Promise<void>;
}

export const AGENT_URI = 'sip:agent@127.0.0.1:5998';
export const ZENDESK_URI = 'sip:line@127.0.0.1:5997';
export const BUSY_URI = 'sip:busy@127.0.0.1:5996';
export const NOANSWER_URI = 'sip:ring@127.0.0.1:5995';
export const CALLER_SDP = sdpFor('caller', 4000, '111 0 8 101');
export const AGENT_SDP = sdpFor('agent', 6000);
export const ZENDESK_SDP = sdpFor('zendesk', 7000, '0 101');

export async function startHarness(config: TalkbridgeConfig = callsConfig()): Promise<Harness> {
  const dir = makeTempDir('talkbridge-calls-');
  const clock = new ManualClock();
  const store = await openSqliteStore(dir.path, { now: () => clock.now() });
  const srf = new FakeSrf();
  const events = new SessionEvents();
  const sessions = new SessionService({ sessions: store.sessions, instanceId: config.instance.id, now: () => clock.now() });
  const registry = new Registry();
  const control = createCallControl({
    srf,
    config,
    store,
    logger: pino({ level: process.env.TB_LOG ?? 'silent' }),
    sessionEvents: events,
    sessionService: sessions,
    metrics: registry,
    clock,
  });
  control.start();
  srf.farEnd(AGENT_URI, { kind: 'answer', sdp: AGENT_SDP });
  srf.farEnd(ZENDESK_URI, { kind: 'answer', sdp: ZENDESK_SDP });
  srf.farEnd(BUSY_URI, { kind: 'reject', status: 486, reason: 'Busy Here' });
  srf.farEnd(NOANSWER_URI, { kind: 'ring' });
  return {
    srf,
    clock,
    store,
    control,
    events,
    sessions,
    config,
    registry,
    async close() {
      await control.close();
      await flush();
      await store.close();
      dir.remove();
    },
  };
}

/** A carrier call to +15550100 answered by the AI agent; resolves with its live session. */
export async function liveCall(
  h: Harness,
  init: { from?: string; headers?: Record<string, string>; to?: string } = {},
): Promise<{ session: Session; call: ReturnType<FakeSrf['placeCall']> }> {
  const call = h.srf.placeCall({ to: init.to ?? '+15550100', from: init.from ?? '+14155551212', sdp: CALLER_SDP, headers: init.headers ?? {} });
  const final = await call.res.final;
  if (final.status !== 200) throw new Error(`call not answered: ${final.status}`);
  await flush();
  await h.control.idle();
  const [session] = await h.store.sessions.list('acme', { state: 'live' });
  if (!session) throw new Error('no live session');
  return { session, call };
}
