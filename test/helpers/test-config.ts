/**
 * A validated config for tests, without YAML: the demo tenant (org `demo`, number +15550100,
 * agent `agent-1`, destinations `zendesk` and `pstn-tier2`, carrier `local`) with ephemeral ports,
 * plus any overrides (shallow per section). The plain API key is TEST_API_KEY.
 */
import { hashApiKey } from '../../src/config/api-key.js';
import { buildConfig } from '../../src/config/build-config.js';
import type { TalkbridgeConfig, TalkbridgeConfigInput } from '../../src/config/config.schema.js';

export const TEST_API_KEY = 'test-key-demo';
export const TEST_OTHER_API_KEY = 'test-key-other';

export function testConfigInput(): TalkbridgeConfigInput {
  return {
    instance: { id: 'test-1' },
    http: { host: '127.0.0.1', port: 0, publicBaseUrl: 'http://127.0.0.1:8080' },
    carriers: [{ id: 'local', allowedSources: ['127.0.0.0/8', '::1/128'], trustPai: true, trunk: 'sip:127.0.0.1:5094' }],
    organisations: [
      {
        id: 'demo',
        name: 'Demo',
        apiKeys: [hashApiKey(TEST_API_KEY)],
        numbers: [{ number: '+15550100', agent: 'agent-1' }],
        agents: [
          {
            id: 'agent-1',
            sipUri: 'sip:agent@127.0.0.1:5090',
            destinations: [
              { id: 'zendesk', label: 'Zendesk human agent', type: 'sip', uri: 'sip:support@127.0.0.1:5092' },
              { id: 'pstn-tier2', label: 'Tier 2', type: 'pstn', number: '+15550199' },
            ],
          },
        ],
      },
      {
        id: 'other',
        name: 'Other organisation',
        apiKeys: [hashApiKey(TEST_OTHER_API_KEY)],
        numbers: [{ number: '+15550200', agent: 'agent-x' }],
        agents: [{ id: 'agent-x', sipUri: 'sip:x@127.0.0.1:5096' }],
      },
    ],
  };
}

export function testConfig(overrides: Partial<TalkbridgeConfigInput> = {}): TalkbridgeConfig {
  return buildConfig({ ...testConfigInput(), ...overrides }, '(test config)');
}
