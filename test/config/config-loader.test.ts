import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/config/api-key.js';
import { buildConfig } from '../../src/config/build-config.js';
import { loadConfig, parseConfigText } from '../../src/config/config-loader.js';
import { TenantDirectory } from '../../src/config/tenant-directory.js';
import { TalkbridgeError } from '../../src/errors.js';
import { zendeskSettingsFromConfig } from '../../src/zendesk/zendesk-settings.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FILE = 'config/test.yaml';

/** A valid organisation block; cases below break one thing in it. */
const ORG = `
carriers:
  - id: local
    allowedSources: [127.0.0.0/8, '::1/128']
    trunk: sip:127.0.0.1:5094
organisations:
  - id: demo
    name: Demo
    apiKeys: ['${hashApiKey('k1')}']
    numbers:
      - { number: '+15550100', agent: agent-1 }
    agents:
      - id: agent-1
        sipUri: sip:agent@127.0.0.1:5090
        destinations:
          - { id: zendesk, label: Zendesk human agent, type: sip, uri: 'sip:support@127.0.0.1:5092' }
          - { id: pstn-tier2, label: Tier 2, type: pstn, number: '+15550199' }
      - id: agent-2
        sipUri: sip:agent2@127.0.0.1:5091
`;

function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfigText(text, FILE, env);
  } catch (error) {
    expect(error).toBeInstanceOf(TalkbridgeError);
    expect((error as TalkbridgeError).code).toBe('CONFIG_ERR_INVALID');
    return (error as TalkbridgeError).context.problems as string[];
  }
  throw new Error('config was accepted');
}

describe('config loader', () => {
  const temp = makeTempDir('talkbridge-config-');
  afterAll(() => temp.remove());

  it('loads config/demo.yaml as shipped', () => {
    const { config, file } = loadConfig({ file: 'config/demo.yaml', cwd: process.cwd() });
    expect(file).toBe('config/demo.yaml');
    const tenants = new TenantDirectory(config);
    const route = tenants.routeNumber('+15550100');
    expect(route?.organisation.id).toBe('demo');
    expect(route?.agent).toMatchObject({ id: 'agent-1', sipUri: 'sip:agent@127.0.0.1:5090' });
    expect(tenants.organisationForApiKey('demo-key-change-me')?.id).toBe('demo');
    expect(tenants.destination('demo', 'agent-1', 'Zendesk human agent')).toMatchObject({ id: 'zendesk', uri: 'sip:support@127.0.0.1:5092' });
    expect(tenants.destination('demo', 'agent-1', 'pstn-tier2')).toMatchObject({ type: 'pstn', number: '+15550199' });
    expect(tenants.carrierForSource('127.0.0.1')).toMatchObject({ id: 'local', trustPai: true, trunk: 'sip:127.0.0.1:5094' });
    expect(tenants.carrierForSource('::1')?.id).toBe('local');
    expect(tenants.carrierForSource('::ffff:127.0.0.1')?.id).toBe('local');
    expect(tenants.carrierForSource('10.0.0.1')).toBeNull();
    expect(tenants.anonymousCallerId('demo', '+15550100')).toBe('+15550100');
    expect(config.sip.server).toEqual({ mode: 'embedded', listen: ['udp:127.0.0.1:5060', 'tcp:127.0.0.1:5060'], control: { host: '127.0.0.1', port: 9022 }, secret: 'cymru', thread: 'worker' });
    expect(config.store).toMatchObject({ type: 'sqlite', dataDir: join(process.cwd(), 'data') });
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 8080 });
  });

  it('loads the documented example, which lists every section', () => {
    const { config } = loadConfig({ file: 'config/talkbridge.example.yaml' });
    expect(Object.keys(config).sort()).toEqual(['calls', 'carriers', 'http', 'instance', 'log', 'media', 'organisations', 'sip', 'store', 'zendesk']);
  });

  it('applies environment overrides, naming the variable when its value is wrong', () => {
    const file = join(temp.path, 'env.yaml');
    writeFileSync(file, 'http: { port: 8080 }\n');
    const { config } = loadConfig({
      file,
      env: { TALKBRIDGE_HTTP_PORT: '9999', TALKBRIDGE_STORE: 'redis', TALKBRIDGE_REDIS_URL: 'redis://127.0.0.1:6379', TALKBRIDGE_SECRET_KEY: 'ab'.repeat(32), TALKBRIDGE_LOG_LEVEL: 'debug', TALKBRIDGE_DATA_DIR: '/var/lib/tb' },
    });
    expect(config.http.port).toBe(9999);
    expect(config.store).toMatchObject({ type: 'redis', redis: { url: 'redis://127.0.0.1:6379', keyPrefix: 'tb:' }, dataDir: '/var/lib/tb', secretKey: 'ab'.repeat(32) });
    expect(config.log.level).toBe('debug');
    expect(problems('{}', { TALKBRIDGE_HTTP_PORT: 'eighty' })).toEqual([`${FILE}: http.port (from TALKBRIDGE_HTTP_PORT): must be a number, got the string "eighty"`]);
  });

  it('finds the file through TALKBRIDGE_CONFIG and names a missing one', () => {
    const file = join(temp.path, 'via-env.yaml');
    writeFileSync(file, 'instance: { id: from-env }\n');
    expect(loadConfig({ env: { TALKBRIDGE_CONFIG: file } }).config.instance.id).toBe('from-env');
    expect(() => loadConfig({ file: 'config/missing.yaml' })).toThrow('config/missing.yaml: file not found');
  });

  it('reports YAML syntax errors with the line', () => {
    const lines = problems('http:\n  port: 8080\n  host: [unclosed\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^config\/test\.yaml:\d+:\d+: YAML syntax error: /);
    expect(problems('a: 1\na: 2\n')[0]).toMatch(/^config\/test\.yaml:2:1: YAML syntax error: .*unique/i);
  });

  const bad: [string, string, string[]][] = [
    ['unknown top-level field', `${ORG}\nfoo: 1\n`, ['foo: unknown field (check the spelling against config/talkbridge.example.yaml)']],
    ['misspelt nested field', `http: { prot: 80 }\n`, ['http.prot: unknown field (check the spelling against config/talkbridge.example.yaml)']],
    ['port out of range', `http: { port: 70000 }\n`, ['http.port: must be a port between 0 and 65535']],
    ['port as a string', `http: { port: '80' }\n`, ['http.port: must be a number, got the string "80"']],
    ['public URL not http', `http: { publicBaseUrl: 'ftp://x' }\n`, ['http.publicBaseUrl: must be an http(s) URL such as https://talkbridge.example.com']],
    ['sip server mode', `sip: { server: { mode: cloud } }\n`, ['sip.server.mode: must be "embedded" or "external"']],
    ['bad listen spec', `sip: { server: { mode: embedded, listen: ['sctp:1.2.3.4:5060'] } }\n`, ['sip.server.listen[0]: must be "udp:<host>:<port>" or "tcp:<host>:<port>"']],
    ['bad server thread', `sip: { server: { mode: embedded, thread: process } }\n`, ['sip.server.thread: must be "main" or "worker"']],
    ['external without host', `sip: { server: { mode: external, secret: s } }\n`, ['sip.server.host: is required']],
    ['freeswitch without address', `media: { mode: freeswitch, freeswitch: { secret: s } }\n`, ['media.freeswitch.address: is required']],
    ['store type', `store: { type: mongo }\n`, ['store.type: must be "sqlite" or "redis"']],
    ['forward timeout not positive', `calls: { forwardTimeoutSeconds: 0 }\n`, ['calls.forwardTimeoutSeconds: must be a positive number of seconds']],
    ['forward timeout too long', `calls: { forwardTimeoutSeconds: 600 }\n`, ['calls.forwardTimeoutSeconds: must be at most 60 seconds']],
    ['delivery retention below an hour', `zendesk: { deliveryRetentionHours: 0.5 }\n`, ['zendesk.deliveryRetentionHours: must be at least 1 hour (Zendesk redelivers for minutes; a shorter retention could process a redelivery twice)']],
    ['delivery retention above a year', `zendesk: { deliveryRetentionHours: 10000 }\n`, ['zendesk.deliveryRetentionHours: must be at most 8760 hours (one year)']],
    ['delivery retention as a string', `zendesk: { deliveryRetentionHours: '72h' }\n`, ['zendesk.deliveryRetentionHours: must be a number, got the string "72h"']],
    ['delivery retention shorter than replays', `zendesk: { deliveryRetentionHours: 1, signatureWindowSeconds: 3600 }\n`, [
      'zendesk.deliveryRetentionHours: must be at least twice zendesk.signatureWindowSeconds (3600 s): a replayed delivery with a valid signature is recognised only while its record is kept',
    ]],
    ['purge interval too short', `zendesk: { purgeIntervalMinutes: 0 }\n`, ['zendesk.purgeIntervalMinutes: must be at least 1 minute']],
    ['purge interval too long', `zendesk: { purgeIntervalMinutes: 2000 }\n`, ['zendesk.purgeIntervalMinutes: must be at most 1440 minutes (one day)']],
    ['redis without url and key', `store: { type: redis }\n`, ['store.redis.url: is required when store.type is "redis"', 'store.secretKey: is required when store.type is "redis" (every instance must share the key that encrypts stored secrets)']],
    ['secret key too short', `store: { secretKey: abc }\n`, ['store.secretKey: must be 32 bytes as 64 hex characters or base64']],
    ['bad CIDR', `carriers: [{ id: c, allowedSources: ['10.0.0.0/33', '::1/129', 'nope'] }]\n`, [
      'carriers[0].allowedSources[0]: must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24 or 2001:db8::/32',
      'carriers[0].allowedSources[1]: must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24 or 2001:db8::/32',
      'carriers[0].allowedSources[2]: must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24 or 2001:db8::/32',
    ]],
    ['carrier trunk not SIP', `carriers: [{ id: c, allowedSources: [10.0.0.0/8], trunk: 'http://x' }]\n`, ['carriers[0].trunk: must be a sip: or sips: URI such as sip:user@host:5060']],
    ['duplicate carrier', `carriers: [{ id: c, allowedSources: [10.0.0.0/8] }, { id: c, allowedSources: [10.0.0.0/8] }]\n`, ['carriers[1].id: duplicate carrier id "c"']],
    ['agent URI not SIP', ORG.replace('sip:agent@127.0.0.1:5090', 'http://agent'), ['organisations[0].agents[0].sipUri: must be a sip: or sips: URI such as sip:user@host:5060']],
    ['destination URI not SIP', ORG.replace("'sip:support@127.0.0.1:5092'", "'tel:+15550100'"), ['organisations[0].agents[0].destinations[0].uri: must be a sip: or sips: URI such as sip:user@host:5060']],
    ['destination number not E.164', ORG.replace("number: '+15550199'", "number: '5550199'"), ['organisations[0].agents[0].destinations[1].number: must be an E.164 phone number such as +15550100']],
    ['destination type', ORG.replace('type: pstn', 'type: fax'), ['organisations[0].agents[0].destinations[1].type: must be "sip" or "pstn"']],
    ['org number not E.164', ORG.replace("number: '+15550100'", "number: '555-0100'"), ['organisations[0].numbers[0].number: must be an E.164 phone number such as +15550100']],
    ['number routed to a missing agent', ORG.replace('agent: agent-1 }', 'agent: agent-9 }'), ['organisations[0].numbers[0].agent: unknown agent "agent-9" (agents of "demo": agent-1, agent-2)']],
    ['duplicate destination id', ORG.replace('id: pstn-tier2', 'id: zendesk'), ['organisations[0].agents[0].destinations[1].id: id "zendesk" is already used as the id of destinations[0] of this agent']],
    ['duplicate destination label (case-insensitive)', ORG.replace('label: Tier 2', 'label: zendesk HUMAN agent'), ['organisations[0].agents[0].destinations[1].label: label "zendesk HUMAN agent" is already used as the label of destinations[0] of this agent']],
    ['label equal to another id', ORG.replace('label: Tier 2', 'label: Zendesk'), ['organisations[0].agents[0].destinations[1].label: label "Zendesk" is already used as the id of destinations[0] of this agent']],
    ['PSTN destination without any trunk', ORG.replace('    trunk: sip:127.0.0.1:5094\n', ''), ['organisations[0].agents[0].destinations[1].number: a PSTN destination needs a carrier with a trunk, and no carrier has one']],
    ['PSTN destination naming an unknown carrier', ORG.replace("number: '+15550199'", "number: '+15550199', carrier: other"), ['organisations[0].agents[0].destinations[1].carrier: unknown carrier "other"']],
    ['agent header name not a token', ORG.replace('sipUri: sip:agent2@127.0.0.1:5091', 'sipUri: sip:agent2@127.0.0.1:5091\n        headers: { "X Bad": v }'), ['organisations[0].agents[1].headers["X Bad"]: header name must be a SIP token (letters, digits, -.!%*_+`\'~)']],
    ['agent header value with CRLF', ORG.replace('sipUri: sip:agent2@127.0.0.1:5091', 'sipUri: sip:agent2@127.0.0.1:5091\n        headers: { X-Ok: "a\\r\\nInjected: 1" }'), ['organisations[0].agents[1].headers.X-Ok: header value must be printable ASCII without CR/LF/NUL']],
    ['API key not hashed', ORG.replace(`'${hashApiKey('k1')}'`, 'plain-key'), ['organisations[0].apiKeys[0]: must be "sha256:<64 lowercase hex>" (see hashApiKey / `talkbridge hash-key`)']],
    ['id with a colon', ORG.replace('id: agent-2', 'id: "agent:2"'), ['organisations[0].agents[1].id: must be an id of letters, digits, ".", "_" or "-" (max 64, starting with a letter or digit)']],
    ['missing required name', ORG.replace('    name: Demo\n', ''), ['organisations[0].name: is required']],
    ['agents as a mapping', `organisations: [{ id: o, name: O, agents: { a: 1 } }]\n`, ['organisations[0].agents: must be a list, got a mapping']],
    ['number in two organisations, key hash shared', `${ORG}  - id: other\n    name: Other\n    apiKeys: ['${hashApiKey('k1')}']\n    numbers: [{ number: '+15550100', agent: a }]\n    agents: [{ id: a, sipUri: 'sip:a@h' }]\n`, [
      'organisations[1].apiKeys[0]: API key hash already used by organisation "demo"',
      'organisations[1].numbers[0].number: number +15550100 already belongs to organisation "demo"',
    ]],
    ['duplicate organisation and agent ids', `organisations: [{ id: o, name: O, agents: [{ id: a, sipUri: 'sip:a@h' }, { id: a, sipUri: 'sip:b@h' }] }, { id: o, name: P }]\n`, [
      'organisations[0].agents[1].id: duplicate agent id "a" (also agents[0])',
      'organisations[1].id: duplicate organisation id "o" (also organisations[0])',
    ]],
  ];

  it.each(bad)('names file, path and problem: %s', (_name, text, expected) => {
    expect(problems(text)).toEqual(expected.map((line) => `${FILE}: ${line}`));
  });

  it('puts every problem in the error message, one per line', () => {
    try {
      parseConfigText('http: { port: -1 }\nstore: { type: x }\n', FILE);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe(
        `invalid configuration (2 problems):\n  ${FILE}: http.port: must be a port between 0 and 65535\n  ${FILE}: store.type: must be "sqlite" or "redis"`,
      );
    }
  });
});

describe('buildConfig', () => {
  it('builds a validated config with defaults from a plain object', () => {
    const config = buildConfig({ organisations: [{ id: 'o', name: 'O', apiKeys: [hashApiKey('k')] }] });
    expect(config.calls).toEqual({ maxConcurrentCalls: 500, retryAfterSeconds: 30, ringTimeoutSeconds: 30, agentAnswerTimeoutSeconds: 15, ticketWaitSeconds: 5, transferWaitMaxSeconds: 60, forwardTimeoutSeconds: 2 });
    expect(config.zendesk).toMatchObject({ signatureWindowSeconds: 300, ticketMatchWindowSeconds: 120, retry: { maxAttempts: 5 } });
    expect(config.media).toEqual({ mode: 'sip' });
    expect(config.organisations[0]).toMatchObject({ numbers: [], agents: [] });
  });

  it('defaults the delivery retention to 72 hours, purged every 15 minutes, and maps a chosen one onto the Zendesk settings', () => {
    expect(buildConfig({}).zendesk).toMatchObject({ deliveryRetentionHours: 72, purgeIntervalMinutes: 15 });
    expect(zendeskSettingsFromConfig(buildConfig({})).retention).toMatchObject({ deliveryRetentionMs: 72 * 3_600_000, purgeIntervalMs: 15 * 60_000 });
    const chosen = buildConfig({ zendesk: { deliveryRetentionHours: 1.5, purgeIntervalMinutes: 5, signatureWindowSeconds: 2700 } });
    expect(zendeskSettingsFromConfig(chosen).retention).toMatchObject({ deliveryRetentionMs: 5_400_000, purgeIntervalMs: 300_000 });
  });

  it('refuses invalid input with the same messages, named (inline)', () => {
    expect(() => buildConfig({ http: { port: -5 } })).toThrow('(inline): http.port: must be a port between 0 and 65535');
  });
});

describe('test config helper', () => {
  it('builds the demo-like tenant with known keys', async () => {
    const { testConfig, TEST_API_KEY, TEST_OTHER_API_KEY } = await import('../helpers/test-config.js');
    const tenants = new TenantDirectory(testConfig({ calls: { ringTimeoutSeconds: 2 } }));
    expect(tenants.organisationForApiKey(TEST_API_KEY)?.id).toBe('demo');
    expect(tenants.organisationForApiKey(TEST_OTHER_API_KEY)?.id).toBe('other');
    expect(tenants.routeNumber('+15550200')?.agent.id).toBe('agent-x');
  });
});
