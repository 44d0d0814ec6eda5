/**
 * Cross-field rules that a per-field schema cannot express: references between sections and
 * uniqueness across organisations. Each problem is reported with the exact path of the field.
 */
import type { TalkbridgeConfig } from './config.schema.js';

export interface ConfigProblem {
  path: (string | number)[];
  message: string;
}

export function crossCheckConfig(config: TalkbridgeConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report = (path: (string | number)[], message: string): void => {
    problems.push({ path, message });
  };

  checkStore(config, report);
  checkZendesk(config, report);
  const carriers = checkCarriers(config, report);

  const orgIds = new Map<string, number>();
  const numberOwner = new Map<string, { org: string; path: (string | number)[] }>();
  const keyOwner = new Map<string, string>();

  config.organisations.forEach((org, o) => {
    const base = ['organisations', o];
    const firstOrg = orgIds.get(org.id);
    if (firstOrg !== undefined) report([...base, 'id'], `duplicate organisation id "${org.id}" (also organisations[${firstOrg}])`);
    else orgIds.set(org.id, o);

    org.apiKeys.forEach((hash, k) => {
      const owner = keyOwner.get(hash);
      if (owner !== undefined) {
        report([...base, 'apiKeys', k], owner === org.id ? 'duplicate API key hash' : `API key hash already used by organisation "${owner}"`);
      } else keyOwner.set(hash, org.id);
    });

    const agentIds = new Map<string, number>();
    org.agents.forEach((agent, a) => {
      if (agentIds.has(agent.id)) report([...base, 'agents', a, 'id'], `duplicate agent id "${agent.id}" (also agents[${agentIds.get(agent.id)}])`);
      else agentIds.set(agent.id, a);

      const names = new Map<string, { what: 'id' | 'label'; index: number }>();
      agent.destinations.forEach((dest, d) => {
        const dPath = [...base, 'agents', a, 'destinations', d];
        // The transfer command names a destination by label or id, so neither may collide with any other.
        for (const [what, value] of [['id', dest.id], ['label', dest.label]] as const) {
          const key = value.toLowerCase();
          const seen = names.get(key);
          if (seen && !(seen.index === d)) {
            report([...dPath, what], `${what} "${value}" is already used as the ${seen.what} of destinations[${seen.index}] of this agent`);
          } else if (!seen) names.set(key, { what, index: d });
        }
        if (dest.type === 'pstn') checkPstnCarrier(dest.carrier, carriers, [...dPath], report);
      });
    });

    org.numbers.forEach((entry, n) => {
      const nPath = [...base, 'numbers', n];
      if (!agentIds.has(entry.agent)) {
        const known = [...agentIds.keys()];
        report([...nPath, 'agent'], `unknown agent "${entry.agent}"${known.length ? ` (agents of "${org.id}": ${known.join(', ')})` : ' (this organisation has no agents)'}`);
      }
      const owner = numberOwner.get(entry.number);
      if (owner) {
        report(
          [...nPath, 'number'],
          owner.org === org.id
            ? `number ${entry.number} is listed twice in this organisation`
            : `number ${entry.number} already belongs to organisation "${owner.org}"`,
        );
      } else numberOwner.set(entry.number, { org: org.id, path: nPath });
    });
  });
  return problems;
}

type Report = (path: (string | number)[], message: string) => void;

function checkStore(config: TalkbridgeConfig, report: Report): void {
  if (config.store.type !== 'redis') return;
  if (!config.store.redis) report(['store', 'redis', 'url'], 'is required when store.type is "redis"');
  if (!config.store.secretKey) {
    report(['store', 'secretKey'], 'is required when store.type is "redis" (every instance must share the key that encrypts stored secrets)');
  }
}

function checkZendesk(config: TalkbridgeConfig, report: Report): void {
  const { deliveryRetentionHours, signatureWindowSeconds } = config.zendesk;
  // A request is accepted while its signed timestamp is within the window of now, so a captured
  // delivery can be replayed up to two windows after its first receipt; only its kept record
  // recognises the replay as a duplicate.
  if (deliveryRetentionHours * 3600 < 2 * signatureWindowSeconds) {
    report(
      ['zendesk', 'deliveryRetentionHours'],
      `must be at least twice zendesk.signatureWindowSeconds (${signatureWindowSeconds} s): a replayed delivery with a valid signature is recognised only while its record is kept`,
    );
  }
}

function checkCarriers(config: TalkbridgeConfig, report: Report): Map<string, { trunk: boolean }> {
  const carriers = new Map<string, { trunk: boolean }>();
  config.carriers.forEach((carrier, c) => {
    if (carriers.has(carrier.id)) report(['carriers', c, 'id'], `duplicate carrier id "${carrier.id}"`);
    else carriers.set(carrier.id, { trunk: carrier.trunk !== undefined });
  });
  return carriers;
}

function checkPstnCarrier(
  carrierId: string | undefined,
  carriers: Map<string, { trunk: boolean }>,
  path: (string | number)[],
  report: Report,
): void {
  if (carrierId !== undefined) {
    const carrier = carriers.get(carrierId);
    if (!carrier) report([...path, 'carrier'], `unknown carrier "${carrierId}"`);
    else if (!carrier.trunk) report([...path, 'carrier'], `carrier "${carrierId}" has no trunk for PSTN calls`);
    return;
  }
  const withTrunk = [...carriers].filter(([, c]) => c.trunk).map(([id]) => id);
  if (withTrunk.length === 0) report([...path, 'number'], 'a PSTN destination needs a carrier with a trunk, and no carrier has one');
  else if (withTrunk.length > 1) report([...path, 'carrier'], `is required: several carriers have a trunk (${withTrunk.join(', ')})`);
}
