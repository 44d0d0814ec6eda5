/**
 * Read-only lookups over the validated config that both call control and the Zendesk integration
 * need: number → organisation + agent, API key → organisation, destination by id or label, carrier
 * by source address. Built once from the config (composition root), passed by constructor.
 */
import { BoundedMemo } from '../bounded-memo.js';
import { findApiKeyOwner } from './api-key.js';
import { CidrList } from './cidr.js';
import type { AgentConfig, CarrierConfig, DestinationConfig, OrganisationConfig, TalkbridgeConfig } from './config.schema.js';

export interface NumberRoute {
  organisation: OrganisationConfig;
  agent: AgentConfig;
  number: string;
}

export class TenantDirectory {
  private readonly orgs = new Map<string, OrganisationConfig>();
  private readonly numbers = new Map<string, NumberRoute>();
  private readonly keys: { hash: string; owner: OrganisationConfig }[] = [];
  private readonly carriers: { carrier: CarrierConfig; sources: CidrList }[];
  /** Distinct source addresses remembered (a flood of unknown sources cannot grow it further). */
  private readonly carrierBySource = new BoundedMemo<string, CarrierConfig | null>(10_000);

  constructor(private readonly config: TalkbridgeConfig) {
    for (const org of config.organisations) {
      this.orgs.set(org.id, org);
      for (const hash of org.apiKeys) this.keys.push({ hash, owner: org });
      for (const entry of org.numbers) {
        const agent = org.agents.find((a) => a.id === entry.agent);
        if (agent) this.numbers.set(entry.number, { organisation: org, agent, number: entry.number });
      }
    }
    this.carriers = config.carriers.map((carrier) => ({ carrier, sources: new CidrList(carrier.allowedSources) }));
  }

  organisation(orgId: string): OrganisationConfig | null {
    return this.orgs.get(orgId) ?? null;
  }

  organisations(): OrganisationConfig[] {
    return [...this.orgs.values()];
  }

  /** The organisation and agent a dialled E.164 number routes to. */
  routeNumber(e164: string): NumberRoute | null {
    return this.numbers.get(e164) ?? null;
  }

  /** Organisation owning a presented (plain) API key; constant-time over all hashes. */
  organisationForApiKey(key: string): OrganisationConfig | null {
    return findApiKeyOwner(key, this.keys);
  }

  agent(orgId: string, agentId: string): AgentConfig | null {
    return this.orgs.get(orgId)?.agents.find((a) => a.id === agentId) ?? null;
  }

  /** Destination by id, else by label (both case-insensitive; the config keeps them unambiguous). */
  destination(orgId: string, agentId: string, idOrLabel: string): DestinationConfig | null {
    const agent = this.agent(orgId, agentId);
    if (!agent) return null;
    const wanted = idOrLabel.trim().toLowerCase();
    return (
      agent.destinations.find((d) => d.id.toLowerCase() === wanted) ??
      agent.destinations.find((d) => d.label.toLowerCase() === wanted) ??
      null
    );
  }

  /**
   * First carrier whose allowed sources contain `address` (IPv4, IPv6 or IPv4-mapped IPv6).
   * Remembered per address: carriers send from few addresses, and the CIDR check (node:net
   * BlockList) costs more than the rest of admission.
   */
  carrierForSource(address: string): CarrierConfig | null {
    return this.carrierBySource.get(address, (a) => this.carriers.find((c) => c.sources.contains(a))?.carrier ?? null);
  }

  carrier(id: string): CarrierConfig | null {
    return this.config.carriers.find((c) => c.id === id) ?? null;
  }

  /** Carrier whose trunk places a PSTN destination's call (named, else the only one with a trunk). */
  trunkCarrierFor(destination: DestinationConfig): CarrierConfig | null {
    if (destination.type !== 'pstn') return null;
    if (destination.carrier) return this.carrier(destination.carrier);
    return this.config.carriers.find((c) => c.trunk !== undefined) ?? null;
  }

  /** OpenCX-side caller id for an anonymous caller: the organisation's setting, else the dialled number. */
  anonymousCallerId(orgId: string, dialledNumber: string): string {
    return this.orgs.get(orgId)?.anonymousCallerId ?? dialledNumber;
  }
}
