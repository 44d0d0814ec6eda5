import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallControllerPort, CommandResult, TransferAccepted, TransferCommand } from '../../src/calls/call-controller.js';
import { callError } from '../../src/calls/call-errors.js';
import { TenantDirectory } from '../../src/config/tenant-directory.js';
import { createHttpServer } from '../../src/http/create-http-server.js';
import { sessionsRoutes } from '../../src/http/routes/sessions-routes.js';
import type { Session, Transfer } from '../../src/sessions/session.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { ACME_KEY, GLOBEX_KEY, callsConfig } from '../calls/helpers/calls-config.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const config = callsConfig();
const tenants = new TenantDirectory(config);
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

class FakeController implements CallControllerPort {
  commands: TransferCommand[] = [];
  private created = 0;
  hangups: string[] = [];
  next: CommandResult<TransferAccepted> | null = null;
  settleWith: Partial<Transfer> | null = null;
  constructor(private readonly store: SqliteStore) {}

  async transfer(command: TransferCommand): Promise<CommandResult<TransferAccepted>> {
    this.commands.push(command);
    if (this.next) return this.next;
    const transfer: Transfer = {
      id: `trf_${++this.created}`,
      sessionId: command.sessionId,
      orgId: command.orgId,
      destinationId: 'zendesk',
      destinationType: 'sip',
      target: 'sip:line@zendesk.example',
      state: 'pending',
      sipStatus: null,
      reason: null,
      fromSent: null,
      headersSent: [],
      idempotencyKey: command.idempotencyKey,
      createdAt: T0,
      completedAt: null,
    };
    await this.store.transfers.create(transfer);
    return { ok: true, value: { transfer, replayed: false } };
  }

  async waitForTransfer(transferId: string): Promise<Transfer | null> {
    const current = await this.store.transfers.get(transferId);
    if (!current || !this.settleWith) return current;
    return this.store.transfers.update(transferId, this.settleWith);
  }

  async hangup(orgId: string, sessionId: string) {
    this.hangups.push(`${orgId}/${sessionId}`);
    const session = await this.store.sessions.get(sessionId);
    if (!session || session.orgId !== orgId) return { ok: false as const, error: callError('CALL_ERR_SESSION_NOT_FOUND') };
    return { ok: true as const, value: { sessionId, state: 'ended' as const } };
  }

  destinations(orgId: string, agentId: string) {
    const agent = tenants.agent(orgId, agentId);
    return agent ? { ok: true as const, value: agent.destinations } : { ok: false as const, error: callError('CALL_ERR_AGENT_NOT_FOUND') };
  }
}

let dir: ReturnType<typeof makeTempDir>;
let store: SqliteStore;
let controller: FakeController;
let app: FastifyInstance;

function session(id: string, orgId: string, state: Session['state'], createdAt = T0): Session {
  return {
    id,
    orgId,
    agentId: orgId === 'acme' ? 'agent-1' : 'g-agent',
    dialledNumber: '+15550100',
    callerPhone: '+14155551212',
    callerNational: '4155551212',
    anonymous: false,
    callId: `${id}@carrier`,
    state,
    endReason: state === 'ended' ? 'caller_hangup' : null,
    contactId: null,
    ticketId: null,
    ticketMatch: null,
    instanceId: 'talkbridge-1',
    createdAt,
    answeredAt: createdAt + 1000,
    endedAt: state === 'ended' ? createdAt + 5000 : null,
    updatedAt: createdAt,
  };
}

const auth = (key = ACME_KEY) => ({ authorization: `Bearer ${key}` });

beforeAll(async () => {
  dir = makeTempDir('talkbridge-http-sessions-');
  store = await openSqliteStore(dir.path);
  controller = new FakeController(store);
  app = await createHttpServer({
    config,
    tenants,
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    plugins: [sessionsRoutes({ controller, store, transferWaitMaxSeconds: 5 })],
  });
  await store.sessions.create(session('ses_live1', 'acme', 'live', T0));
  await store.sessions.create(session('ses_live2', 'acme', 'transferred', T0 + 10));
  await store.sessions.create(session('ses_old', 'acme', 'ended', T0 - 10));
  await store.sessions.create(session('ses_globex', 'globex', 'live', T0 + 20));
  await store.sessions.appendEvent({ sessionId: 'ses_live1', at: T0, type: 'call.invite', data: { carrier: 'carrier-a' } });
});

afterAll(async () => {
  await app.close();
  await store.close();
  dir.remove();
});

beforeEach(() => {
  controller.next = null;
  controller.settleWith = null;
  controller.commands = [];
});

describe('POST /v1/sessions/{id}/transfer', () => {
  it('202 with the transfer id and state, passing the organisation, destination and Idempotency-Key', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/sessions/ses_live1/transfer',
      headers: { ...auth(), 'idempotency-key': 'retry-1' },
      payload: { destination: 'Zendesk human agent' },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ id: 'trf_1', sessionId: 'ses_live1', state: 'pending', outcome: null, headersSent: [] });
    expect(res.headers.location).toBe('/v1/sessions/ses_live1');
    expect(controller.commands).toEqual([{ orgId: 'acme', sessionId: 'ses_live1', destination: 'Zendesk human agent', idempotencyKey: 'retry-1' }]);
  });

  it('?wait=true answers 200 with the outcome', async () => {
    controller.settleWith = {
      state: 'busy',
      sipStatus: 486,
      reason: 'Busy Here',
      completedAt: T0 + 3000,
      headersSent: [{ name: 'X-OPENCX-SESSION-ID', value: 'ses_live1' }],
      fromSent: '<sip:+14155551212@127.0.0.1>;tag=x',
    };
    const res = await app.inject({ method: 'POST', url: '/v1/sessions/ses_live1/transfer?wait=true', headers: auth(), payload: { destination: 'zendesk' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'busy', outcome: 'busy', sipStatus: 486, completedAt: new Date(T0 + 3000).toISOString() });
  });

  it('marks idempotent replays', async () => {
    const transfer = (await store.transfers.listBySession('ses_live1'))[0]!;
    controller.next = { ok: true, value: { transfer, replayed: true } };
    const res = await app.inject({
      method: 'POST',
      url: '/v1/sessions/ses_live1/transfer',
      headers: { ...auth(), 'idempotency-key': 'retry-1' },
      payload: { destination: 'zendesk' },
    });
    expect(res.statusCode).toBe(202);
    expect(res.headers['idempotent-replayed']).toBe('true');
    expect(res.json().id).toBe(transfer.id);
  });

  it.each([
    ['CALL_ERR_TRANSFER_IN_PROGRESS', 409],
    ['CALL_ERR_ALREADY_TRANSFERRED', 409],
    ['CALL_ERR_ENDED', 409],
    ['CALL_ERR_DESTINATION_NOT_FOUND', 422],
    ['CALL_ERR_SESSION_NOT_FOUND', 404],
    ['CALL_ERR_NOT_OWNED', 503],
    ['CALL_ERR_OWNER_UNREACHABLE', 503],
    ['CALL_ERR_OWNER_TIMEOUT', 504],
  ] as const)('%s → %i problem+json', async (code, status) => {
    controller.next = { ok: false, error: callError(code) };
    const res = await app.inject({ method: 'POST', url: '/v1/sessions/ses_live1/transfer', headers: auth(), payload: { destination: 'x' } });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code, status, type: `urn:talkbridge:problem:${code}`, instance: '/v1/sessions/ses_live1/transfer' });
  });

  it.each([
    ['missing destination', {}, {}],
    ['empty destination', { destination: '  ' }, {}],
    ['bad Idempotency-Key', { destination: 'zendesk' }, { 'idempotency-key': 'has space' }],
  ])('400 on %s', async (_name, payload, headers) => {
    const res = await app.inject({ method: 'POST', url: '/v1/sessions/ses_live1/transfer', headers: { ...auth(), ...headers }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('API_ERR_VALIDATION');
    expect(controller.commands).toHaveLength(0);
  });

  it('401 without a key, before any validation', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/sessions/ses_live1/transfer', payload: {} });
    expect(res.statusCode).toBe(401);
    expect(controller.commands).toHaveLength(0);
  });
});

describe('GET /v1/sessions/{id}', () => {
  it('shows the session, its transfers with the exact headers sent, and the timeline', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/sessions/ses_live1', headers: auth() });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.session).toMatchObject({ id: 'ses_live1', state: 'live', callerPhone: '+14155551212', createdAt: new Date(T0).toISOString() });
    expect(body.session).not.toHaveProperty('callerNational');
    expect(body.transfers.length).toBeGreaterThan(0);
    expect(body.transfers.find((t: { state: string }) => t.state === 'busy')).toMatchObject({
      headersSent: [{ name: 'X-OPENCX-SESSION-ID', value: 'ses_live1' }],
      fromSent: '<sip:+14155551212@127.0.0.1>;tag=x',
    });
    expect(body.timeline).toEqual([{ at: new Date(T0).toISOString(), type: 'call.invite', data: { carrier: 'carrier-a' } }]);
  });

  it("another organisation's session is 404", async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/sessions/ses_live1', headers: auth(GLOBEX_KEY) });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect((await app.inject({ method: 'GET', url: '/v1/sessions/ses_nope', headers: auth() })).statusCode).toBe(404);
  });
});

describe('GET /v1/sessions', () => {
  it('?state=live lists the live sessions of the organisation only, newest first', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/sessions?state=live', headers: auth() });
    expect(res.statusCode).toBe(200);
    expect(res.json().sessions.map((s: { id: string }) => s.id)).toEqual(['ses_live2', 'ses_live1']);
    const all = await app.inject({ method: 'GET', url: '/v1/sessions', headers: auth() });
    expect(all.json().sessions.map((s: { id: string }) => s.id)).toEqual(['ses_live2', 'ses_live1', 'ses_old']);
    const globex = await app.inject({ method: 'GET', url: '/v1/sessions?state=live', headers: auth(GLOBEX_KEY) });
    expect(globex.json().sessions.map((s: { id: string }) => s.id)).toEqual(['ses_globex']);
  });

  it('400 on an unknown state', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/sessions?state=ringing', headers: auth() });
    expect(res.statusCode).toBe(400);
  });
});

describe('POST /v1/sessions/{id}/hangup', () => {
  it('hangs up own sessions; 404 for another organisation', async () => {
    const ok = await app.inject({ method: 'POST', url: '/v1/sessions/ses_live1/hangup', headers: auth() });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ sessionId: 'ses_live1', state: 'ended' });
    const other = await app.inject({ method: 'POST', url: '/v1/sessions/ses_live1/hangup', headers: auth(GLOBEX_KEY) });
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe('CALL_ERR_SESSION_NOT_FOUND');
  });
});

describe('GET /v1/agents/{id}/destinations', () => {
  it('lists the destinations of an own agent; another organisation gets 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/agents/agent-1/destinations', headers: auth() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      agentId: 'agent-1',
      destinations: [
        { id: 'zendesk', label: 'Zendesk human agent', type: 'sip', uri: 'sip:line@127.0.0.1:5997' },
        { id: 'busy', label: 'Busy line', type: 'sip', uri: 'sip:busy@127.0.0.1:5996' },
        { id: 'noanswer', label: 'Nobody home', type: 'sip', uri: 'sip:ring@127.0.0.1:5995' },
        { id: 'pstn', label: 'Tier 2 phone', type: 'pstn', number: '+15550199' },
      ],
    });
    expect((await app.inject({ method: 'GET', url: '/v1/agents/agent-1/destinations', headers: auth(GLOBEX_KEY) })).statusCode).toBe(404);
  });
});

describe('OpenAPI', () => {
  it('documents the routes with their schemas', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    for (const path of ['/v1/sessions/{id}/transfer', '/v1/sessions/{id}', '/v1/sessions', '/v1/sessions/{id}/hangup', '/v1/agents/{id}/destinations']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.paths['/v1/sessions/{id}/transfer'].post.responses).toHaveProperty('202');
    expect(JSON.stringify(doc.components.schemas)).toContain('headersSent');
  });
});
