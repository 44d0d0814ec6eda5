/** A small two-organisation configuration shared by the call-control tests. */
import { hashApiKey } from '../../../src/config/api-key.js';
import { configSchema, type TalkbridgeConfig, type TalkbridgeConfigInput } from '../../../src/config/config.schema.js';

export const ACME_KEY = 'tbk_acme_test_key_0123456789abcdef';
export const GLOBEX_KEY = 'tbk_globex_test_key_0123456789abcdef';

export interface CallsConfigPorts {
  agentUri?: string;
  zendeskUri?: string;
  busyUri?: string;
  noAnswerUri?: string;
  trunkUri?: string;
}

export function callsConfig(ports: CallsConfigPorts = {}, overrides: Partial<TalkbridgeConfigInput> = {}): TalkbridgeConfig {
  const input: TalkbridgeConfigInput = {
    calls: { maxConcurrentCalls: 50, retryAfterSeconds: 7, ringTimeoutSeconds: 2, ticketWaitSeconds: 0.2 },
    carriers: [
      {
        id: 'carrier-a',
        allowedSources: ['127.0.0.1/32', '::1/128'],
        trustPai: true,
        trunk: ports.trunkUri ?? 'sip:127.0.0.1:5999',
        maxCallsPerSecond: 1000,
      },
      { id: 'carrier-b', allowedSources: ['192.0.2.0/24'], trustPai: false, maxCallsPerSecond: 2 },
    ],
    organisations: [
      {
        id: 'acme',
        name: 'Acme',
        apiKeys: [hashApiKey(ACME_KEY)],
        numbers: [
          { number: '+15550100', agent: 'agent-1' },
          { number: '+442071838750', agent: 'agent-1' },
        ],
        agents: [
          {
            id: 'agent-1',
            sipUri: ports.agentUri ?? 'sip:agent@127.0.0.1:5998',
            headers: { 'X-Agent-Tenant': 'acme' },
            destinations: [
              { id: 'zendesk', label: 'Zendesk human agent', type: 'sip', uri: ports.zendeskUri ?? 'sip:line@127.0.0.1:5997' },
              { id: 'busy', label: 'Busy line', type: 'sip', uri: ports.busyUri ?? 'sip:busy@127.0.0.1:5996' },
              { id: 'noanswer', label: 'Nobody home', type: 'sip', uri: ports.noAnswerUri ?? 'sip:ring@127.0.0.1:5995' },
              { id: 'pstn', label: 'Tier 2 phone', type: 'pstn', number: '+15550199' },
            ],
          },
        ],
        anonymousCallerId: '+15550111',
      },
      {
        id: 'globex',
        name: 'Globex',
        apiKeys: [hashApiKey(GLOBEX_KEY)],
        numbers: [{ number: '+15550200', agent: 'g-agent' }],
        agents: [{ id: 'g-agent', sipUri: 'sip:g@127.0.0.1:5994', destinations: [] }],
      },
    ],
    ...overrides,
  };
  return configSchema.parse(input);
}
