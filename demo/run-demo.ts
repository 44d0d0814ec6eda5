/**
 * `npm run demo`: one whole call on loopback, through the real talkbridge (startTalkbridge, the
 * embedded SIP server, SQLite, HTTP API), with stand-ins for everything outside:
 *
 *   carrier      SIPp UAC calling +15550100 from +14155551212
 *   AI agent     SIPp UAS (checks X-OPENCX-SESSION-ID / X-OPENCX-AGENT-ID)
 *   Zendesk      the local Zendesk API stand-in (webhook provisioning, signed ticket.created)
 *   SIP-IN line  SIPp UAS checking From, every X-OPENCX-* header and X-Zendesk-Ticket-Id
 *
 * It connects Zendesk over the HTTP API, places the call, lets Zendesk report the ticket, asks for
 * the transfer like an AI agent would, then prints the SIP ladder and what reached the destination.
 * A development tool: it uses the test stand-ins, so it runs from a checkout (tsx), not from dist/.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildConfig } from '../src/config/build-config.js';
import type { TalkbridgeConfigInput } from '../src/config/config.schema.js';
import { createLogger } from '../src/logger.js';
import { startTalkbridge, type RunningTalkbridge } from '../src/main.js';
import { describeSippRun, freePort, runSipp, type SippResult } from '../test/helpers/sipp.js';
import { ticketCreatedEvent } from '../test/helpers/zendesk-events.js';
import { ZendeskStandin } from '../test/helpers/zendesk-standin.js';
import { drawLadder, ladderSteps } from './sip-ladder.js';

const API_KEY = 'demo-key-change-me';
const CALLER = '+14155551212';
const NUMBER = '+15550100';
/** The SIP-IN stand-in scenario checks for exactly this ticket id. */
const TICKET_ID = 98765;

const say = (text = ''): void => void process.stdout.write(`${text}\n`);
const step = (text: string): void => say(`\n▸ ${text}`);

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'talkbridge-demo-'));
  const standin = await ZendeskStandin.start();
  let app: RunningTalkbridge | null = null;
  try {
    const ports = {
      http: await freePort('tcp'),
      sip: await freePort('udp'),
      control: await freePort('tcp'),
      agent: await freePort('udp'),
      sipIn: await freePort('udp'),
    };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the demo patches a few fields of the parsed YAML
    const input = parse(readFileSync('config/demo.yaml', 'utf8')) as any;
    input.http = { ...input.http, port: ports.http, publicBaseUrl: `http://127.0.0.1:${ports.http}` };
    input.sip = { server: { mode: 'embedded', listen: [`udp:127.0.0.1:${ports.sip}`], control: { host: '127.0.0.1', port: ports.control }, secret: 'demo' } };
    input.store = { type: 'sqlite', dataDir };
    input.zendesk = { ...(input.zendesk ?? {}), apiBaseUrl: standin.apiBaseUrl };
    input.log = { level: 'warn' };
    const agent = input.organisations[0].agents[0];
    agent.sipUri = `sip:agent@127.0.0.1:${ports.agent}`;
    agent.destinations.find((d: { id: string }) => d.id === 'zendesk').uri = `sip:support@127.0.0.1:${ports.sipIn}`;
    const config = buildConfig(input as TalkbridgeConfigInput, 'config/demo.yaml (demo ports)');

    step(`starting talkbridge: SIP udp 127.0.0.1:${ports.sip}, HTTP ${`http://127.0.0.1:${ports.http}`}, SQLite in ${dataDir}`);
    app = await startTalkbridge({ config, logger: createLogger({ level: 'warn' }) });
    const api = apiClient(app.httpUrl);

    step('connecting Zendesk (PUT /v1/integrations/zendesk) against the local Zendesk stand-in');
    const account = standin.addAccount('demo-co');
    account.addAgent('admin@demo-co.example', 'zd-demo-token');
    const connected = await api('PUT', '/v1/integrations/zendesk', { subdomain: 'demo-co', email: 'admin@demo-co.example', apiToken: 'zd-demo-token' });
    const [webhook] = account.webhooksNamed('opencx-messaging-ticket-link');
    say(`  ${connected.status}: webhook "${webhook?.name}" → ${webhook?.endpoint}`);
    say(`  subscriptions: ${webhook?.subscriptions.join(', ')}`);

    step(`placing a call: carrier → ${NUMBER} from ${CALLER}; AI agent and Zendesk SIP-IN line wait`);
    const sip = { address: '127.0.0.1', port: ports.sip };
    const agentRun = runSipp({ scenario: 'sip-scenarios/calls/uas-ai-agent-expect-headers.xml', target: sip, localPort: ports.agent, timeoutSeconds: 30 });
    const sipInRun = runSipp({ scenario: 'sip-scenarios/calls/uas-zendesk-sip-in-expect-headers.xml', target: sip, localPort: ports.sipIn, timeoutSeconds: 30 });
    await waitForUdp(ports.agent);
    await waitForUdp(ports.sipIn);
    const carrierRun = runSipp({
      scenario: 'sip-scenarios/calls/uac-carrier-transfer-expect-reinvite-then-bye.xml',
      target: sip,
      timeoutSeconds: 30,
      extraArgs: ['-s', NUMBER, '-key', 'caller', CALLER, '-d', '500'],
    });
    const session = await until('a live session', async () => {
      const list = await api('GET', '/v1/sessions?state=live');
      return list.body.sessions?.find((s: { state: string }) => s.state === 'live') ?? null;
    });
    say(`  session ${session.id}: caller ${session.callerPhone}, agent ${session.agentId}, state ${session.state}`);

    step('Zendesk Talk creates the phone ticket and delivers ticket.created (signed) to the webhook');
    const org = account.addOrganization({ name: 'Analytical Engines Ltd', organization_fields: { tier: 'enterprise' } });
    account.addUser({ name: 'Ada Lovelace', email: 'ada@example.com', phone: CALLER, organization_id: org.id, external_id: 'crm-1815', user_fields: { plan: 'gold' } });
    const { ticket } = account.addInboundCall(CALLER, NUMBER);
    account.tickets.delete(ticket.id);
    ticket.id = TICKET_ID;
    account.tickets.set(ticket.id, ticket);
    const [delivery] = await standin.emit(account, ticketCreatedEvent(account, ticket));
    say(`  delivery answered ${delivery?.status}`);
    const stamped = await until('the ticket stamped on the session', async () => {
      const detail = await api('GET', `/v1/sessions/${session.id}`);
      return detail.body.session?.ticketId ? detail.body.session : null;
    });
    say(`  ticket ${stamped.ticketId} stamped on ${stamped.id}`);

    step('the AI agent asks for a transfer: POST /v1/sessions/{id}/transfer?wait=true {"destination":"Zendesk human agent"}');
    const transfer = await api('POST', `/v1/sessions/${session.id}/transfer?wait=true`, { destination: 'Zendesk human agent' });
    say(`  ${transfer.status}: ${JSON.stringify(transfer.body)}`);

    const runs = await Promise.all([carrierRun, agentRun, sipInRun]);
    const names = ['carrier', 'AI agent', 'Zendesk SIP-IN'];
    step('SIP ladder (from the peers\' own traces)');
    say(drawLadder(ladderSteps(runs.map((run, i) => ({ name: names[i]!, messages: run.messages }))), ['carrier', 'talkbridge', 'AI agent', 'Zendesk SIP-IN']));

    step('the INVITE as it reached the Zendesk SIP-IN line');
    const invite = ladderSteps([{ name: 'Zendesk SIP-IN', messages: runs[2]!.messages }]).find((s) => s.label === 'INVITE');
    for (const line of (invite?.text ?? '(none)').split('\n')) {
      if (/^(INVITE|From|To|X-)/i.test(line) || /^m=|^a=rtpmap/.test(line)) say(`  ${line}`);
    }

    const detail = await api('GET', `/v1/sessions/${session.id}`);
    step('the session afterwards (GET /v1/sessions/{id})');
    say(`  state ${detail.body.session.state} (${detail.body.session.endReason}), ticket ${detail.body.session.ticketId}, contact ${detail.body.session.contactId}`);
    say(`  timeline: ${detail.body.timeline.map((e: { type: string }) => e.type).join(' → ')}`);
    const contact = await app.store.contacts.get(detail.body.session.contactId);
    say(`  contact enriched from the ticket requester: ${JSON.stringify({ name: contact?.name, email: contact?.email, zendeskUserId: contact?.zendeskUserId, externalId: contact?.externalId, customData: contact?.customData })}`);

    const failed = runs.map((run, i) => [names[i], run] as const).filter(([, run]) => run.code !== 0);
    for (const [name, run] of failed) say(`\n✗ ${name} failed:\n${describeSippRun(run as SippResult)}`);
    say(failed.length === 0 ? '\n✓ every SIPp peer passed its checks' : '');
    return failed.length === 0 ? 0 : 1;
  } finally {
    await app?.close();
    await standin.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function apiClient(base: string) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves once something is bound to the UDP port (the SIPp UAS is listening). */
async function waitForUdp(port: number): Promise<void> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  await until(`SIPp on udp port ${port}`, async () => (readFileSync('/proc/net/udp', 'utf8').includes(`:${hex} `) ? true : null), 5_000);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
