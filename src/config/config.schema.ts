/**
 * The configuration schema (config/*.yaml, documented field by field in
 * config/talkbridge.example.yaml). Objects are strict so a misspelt key is an error, not a silent
 * default. Cross-field rules (references, uniqueness) live in config-cross-checks.ts.
 */
import { z } from 'zod';
import { isE164 } from '../phone/phone-number.js';
import { API_KEY_HASH_PATTERN } from './api-key.js';
import { parseCidr } from './cidr.js';
import { ID_PATTERN, isHostPort, isSafeHeaderValue, isSipToken, isSipUri, parseListenSpec } from './field-formats.js';

const id = z.string().regex(ID_PATTERN, 'must be an id of letters, digits, ".", "_" or "-" (max 64, starting with a letter or digit)');
const e164 = z.string().refine(isE164, 'must be an E.164 phone number such as +15550100');
const sipUri = z.string().refine(isSipUri, 'must be a sip: or sips: URI such as sip:user@host:5060');
const port = z.number().int('must be an integer').min(1, 'must be a port between 1 and 65535').max(65535, 'must be a port between 1 and 65535');
const host = z.string().min(1, 'must not be empty').refine(isHostPort, 'must be a host name or IP address');
const seconds = z.number().positive('must be a positive number of seconds');
const secret = z.string().min(1, 'must not be empty');

export const instanceSchema = z.strictObject({
  id: id.default('talkbridge-1'),
});

export const httpSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0, 'must be a port between 0 and 65535').max(65535, 'must be a port between 0 and 65535').default(8080),
  publicBaseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://talkbridge.example.com' })
    .refine((u) => !u.endsWith('/'), 'must not end with "/"')
    .default('http://127.0.0.1:8080'),
  bodyLimitBytes: z.number().int().positive().max(10 * 1024 * 1024, 'must be at most 10 MiB').default(1024 * 1024),
});

const listenSpec = z.string().refine((v) => parseListenSpec(v) !== null, 'must be "udp:<host>:<port>" or "tcp:<host>:<port>"');

export const sipServerSchema = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({
      mode: z.literal('embedded'),
      listen: z.array(listenSpec).min(1, 'must list at least one address').default(['udp:127.0.0.1:5060', 'tcp:127.0.0.1:5060']),
      control: z.strictObject({ host: host.default('127.0.0.1'), port: port.default(9022) }).prefault({}),
      secret: secret.default('cymru'),
      // worker: the engine on a thread of its own (SIP timers never wait for call logic, and each
      // gets a core); main: both on one event loop.
      thread: z.enum(['main', 'worker'], { error: 'must be "main" or "worker"' }).default('worker'),
    }),
    z.strictObject({
      mode: z.literal('external'),
      host,
      port: port.default(9022),
      secret,
    }),
  ],
  { error: 'mode must be "embedded" or "external"' },
);

export const sipSchema = z.strictObject({
  server: sipServerSchema.prefault({ mode: 'embedded' }),
});

export const mediaSchema = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('sip') }),
    z.strictObject({
      mode: z.literal('freeswitch'),
      freeswitch: z.strictObject({ address: host, port: port.default(8021), secret }),
    }),
  ],
  { error: 'mode must be "sip" or "freeswitch"' },
);

export const storeSchema = z.strictObject({
  type: z.enum(['sqlite', 'redis'], 'must be "sqlite" or "redis"').default('sqlite'),
  /** SQLite database and generated secret key file live here. */
  dataDir: z.string().min(1).default('./data'),
  redis: z
    .strictObject({
      url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
      keyPrefix: z.string().regex(/^[A-Za-z0-9:_.-]*$/, 'must be letters, digits, ":", "_", "." or "-"').default('tb:'),
    })
    .optional(),
  /** 32-byte key (64 hex chars or base64) encrypting stored secrets; generated into dataDir when absent (sqlite only). */
  secretKey: z
    .string()
    .refine((v) => decodeSecretKey(v) !== null, 'must be 32 bytes as 64 hex characters or base64')
    .optional(),
});

export const callsSchema = z.strictObject({
  maxConcurrentCalls: z.number().int().positive().default(500),
  retryAfterSeconds: z.number().int().positive().default(30),
  /** How long a transfer destination may ring before CANCEL (outcome `no_answer`). */
  ringTimeoutSeconds: seconds.default(30),
  /** How long the AI agent's endpoint may take to answer before the caller gets a final response. */
  agentAnswerTimeoutSeconds: seconds.default(15),
  /** How long a transfer waits for the Zendesk ticket to be stamped before dialling without it. */
  ticketWaitSeconds: z.number().min(0).default(5),
  /** Upper bound of `?wait=true` on the transfer command. */
  transferWaitMaxSeconds: seconds.default(60),
  /**
   * How long a command forwarded to the instance that owns the call (store.type redis) may wait for
   * its answer before 504 CALL_ERR_OWNER_TIMEOUT; `?wait=true` waits this much beyond its own wait.
   */
  forwardTimeoutSeconds: seconds.max(60, 'must be at most 60 seconds').default(2),
});

export const zendeskSchema = z.strictObject({
  signatureWindowSeconds: seconds.default(300),
  ticketMatchWindowSeconds: seconds.default(120),
  requestTimeoutMs: z.number().int().positive().default(10_000),
  retry: z
    .strictObject({
      maxAttempts: z.number().int().min(1).max(20).default(5),
      baseDelayMs: z.number().int().positive().default(500),
      maxDelayMs: z.number().int().positive().default(30_000),
    })
    .prefault({}),
  /**
   * How long a webhook delivery is kept, counted from its receipt, once settled (processed, ignored
   * or given up; a pending or retrying one is kept until it settles, however old). While the record
   * exists a redelivery or replay of the event is answered 200 and not processed again, and it
   * answers "was this delivery received?". The default leaves a long weekend to investigate.
   * At least 1 hour: Zendesk retries a delivery for minutes only (409 up to 3 times, timeouts up to
   * 5 x 12 s, 429/503 only with Retry-After < 60 s; ref/zendesk.md §2.4), so any redelivery comes
   * while the record is still there. config-cross-checks.ts also keeps it above the replay window.
   */
  deliveryRetentionHours: z
    .number()
    .min(1, 'must be at least 1 hour (Zendesk redelivers for minutes; a shorter retention could process a redelivery twice)')
    .max(8760, 'must be at most 8760 hours (one year)')
    .default(72),
  /** How often settled deliveries past the retention and expired delivery leases are deleted. */
  purgeIntervalMinutes: z.number().min(1, 'must be at least 1 minute').max(1440, 'must be at most 1440 minutes (one day)').default(15),
  /** Override of the API base URL (`https://<subdomain>.zendesk.com`), for tests and stand-ins; `{subdomain}` is replaced. */
  apiBaseUrl: z.string().regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
});

export const carrierSchema = z.strictObject({
  id,
  allowedSources: z
    .array(z.string().refine((v) => parseCidr(v) !== null, 'must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24 or 2001:db8::/32'))
    .min(1, 'must list at least one CIDR'),
  trustPai: z.boolean().default(false),
  trunk: sipUri.optional(),
  maxCallsPerSecond: z.number().positive().default(10),
});

const headerMap = z.record(
  z.string().refine(isSipToken, 'header name must be a SIP token (letters, digits, -.!%*_+`\'~)'),
  z.string().max(512, 'must be at most 512 characters').refine(isSafeHeaderValue, 'header value must be printable ASCII without CR/LF/NUL'),
);

export const destinationSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ id, label: z.string().trim().min(1, 'must not be empty').max(100), type: z.literal('sip'), uri: sipUri }),
    z.strictObject({
      id,
      label: z.string().trim().min(1, 'must not be empty').max(100),
      type: z.literal('pstn'),
      number: e164,
      /** Carrier whose trunk places the call; default: the only carrier with a trunk. */
      carrier: id.optional(),
    }),
  ],
  { error: 'type must be "sip" or "pstn"' },
);

export const agentSchema = z.strictObject({
  id,
  sipUri,
  headers: headerMap.default({}),
  destinations: z.array(destinationSchema).default([]),
});

export const organisationSchema = z.strictObject({
  id,
  name: z.string().min(1, 'must not be empty'),
  apiKeys: z.array(z.string().regex(API_KEY_HASH_PATTERN, 'must be "sha256:<64 lowercase hex>" (see hashApiKey / `talkbridge hash-key`)')).default([]),
  numbers: z.array(z.strictObject({ number: e164, agent: id })).default([]),
  agents: z.array(agentSchema).default([]),
  /** Caller id (E.164) sent as From on a transfer when the caller is anonymous; default the dialled number. */
  anonymousCallerId: e164.optional(),
});

export const configSchema = z.strictObject({
  instance: instanceSchema.prefault({}),
  http: httpSchema.prefault({}),
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
  sip: sipSchema.prefault({}),
  media: mediaSchema.prefault({ mode: 'sip' }),
  store: storeSchema.prefault({}),
  calls: callsSchema.prefault({}),
  zendesk: zendeskSchema.prefault({}),
  carriers: z.array(carrierSchema).default([]),
  organisations: z.array(organisationSchema).default([]),
});

export type TalkbridgeConfig = z.output<typeof configSchema>;
/** What a YAML file may contain (every defaulted field optional). */
export type TalkbridgeConfigInput = z.input<typeof configSchema>;
export type HttpConfig = TalkbridgeConfig['http'];
export type SipServerConfig = TalkbridgeConfig['sip']['server'];
export type MediaConfig = TalkbridgeConfig['media'];
export type StoreConfig = TalkbridgeConfig['store'];
export type CallsConfig = TalkbridgeConfig['calls'];
export type ZendeskConfig = TalkbridgeConfig['zendesk'];
export type CarrierConfig = TalkbridgeConfig['carriers'][number];
export type OrganisationConfig = TalkbridgeConfig['organisations'][number];
export type AgentConfig = OrganisationConfig['agents'][number];
export type DestinationConfig = AgentConfig['destinations'][number];

/** Decode a configured secret key: 64 hex characters or base64 of exactly 32 bytes. */
export function decodeSecretKey(value: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]+=*$/.test(value)) {
    const buf = Buffer.from(value, 'base64');
    if (buf.length === 32) return buf;
  }
  return null;
}
