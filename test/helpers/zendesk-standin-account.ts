/**
 * The data of one Zendesk account inside the stand-in: agents (credentials), users, organizations,
 * tickets and webhooks, shaped as the REST API returns them (zendesk.md §1.2, §4). REST ids are
 * integers; webhook ids are ULID-like strings (§1.1).
 */
import { randomBytes } from 'node:crypto';

export interface StandinUser {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  role: 'end-user' | 'agent' | 'admin';
  external_id: string | null;
  organization_id: number | null;
  user_fields: Record<string, unknown>;
  shared_phone_number: boolean;
}

export interface StandinOrganization {
  id: number;
  name: string;
  external_id: string | null;
  organization_fields: Record<string, unknown>;
}

export interface StandinVia {
  channel: string;
  source: { from?: Record<string, unknown>; to?: Record<string, unknown>; rel?: string | null };
}

export interface StandinTicket {
  id: number;
  requester_id: number;
  submitter_id: number;
  organization_id: number | null;
  status: string;
  subject: string;
  via: StandinVia;
  created_at: string;
  updated_at: string;
}

export interface StandinWebhook {
  id: string;
  name: string;
  description?: string;
  endpoint: string;
  http_method: string;
  request_format: string;
  status: string;
  subscriptions: string[];
  created_at: string;
  updated_at: string;
  signingSecret: string;
}

export interface StandinTrigger {
  id: number;
  title: string;
  actions: unknown[];
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function ulidLike(): string {
  const bytes = randomBytes(24);
  let out = '01';
  for (const b of bytes) out += CROCKFORD[b % 32];
  return out;
}

export class StandinAccount {
  readonly subdomain: string;
  readonly accountId: number;
  readonly agents: StandinUser[] = [];
  readonly tokens = new Map<string, string>(); // email → API token
  readonly users = new Map<number, StandinUser>();
  readonly organizations = new Map<number, StandinOrganization>();
  readonly tickets = new Map<number, StandinTicket>();
  readonly webhooks = new Map<string, StandinWebhook>();
  /** Foreign triggers: the stand-in serves none of their endpoints, so any touch shows up as a 404 request. */
  readonly triggers: StandinTrigger[] = [];
  /** End users by phone (first one wins), so thousands of calls stay cheap to simulate. */
  private readonly endUserByPhone = new Map<string, StandinUser>();
  private nextId: number;

  constructor(subdomain: string, accountId: number) {
    this.subdomain = subdomain;
    this.accountId = accountId;
    this.nextId = 9_001_000_000_000 + accountId * 1000;
  }

  id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  addAgent(email: string, token: string, role: StandinUser['role'] = 'admin', name = 'Agent Smith'): StandinUser {
    const user = this.addUser({ name, email, role });
    this.agents.push(user);
    this.tokens.set(email, token);
    return user;
  }

  addUser(user: Partial<Omit<StandinUser, 'id'>> & { name: string }): StandinUser {
    const record: StandinUser = {
      id: this.id(),
      email: null,
      phone: null,
      role: 'end-user',
      external_id: null,
      organization_id: null,
      user_fields: {},
      shared_phone_number: false,
      ...user,
    };
    this.users.set(record.id, record);
    if (record.phone && record.role === 'end-user' && !this.endUserByPhone.has(record.phone)) this.endUserByPhone.set(record.phone, record);
    return record;
  }

  addOrganization(org: Partial<Omit<StandinOrganization, 'id'>> & { name: string }): StandinOrganization {
    const record: StandinOrganization = { id: this.id(), external_id: null, organization_fields: {}, ...org };
    this.organizations.set(record.id, record);
    return record;
  }

  addTicket(ticket: Partial<Omit<StandinTicket, 'id'>> & { requester_id: number; via: StandinVia }): StandinTicket {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const requester = this.users.get(ticket.requester_id);
    const record: StandinTicket = {
      id: this.id() % 1_000_000,
      submitter_id: ticket.requester_id,
      organization_id: requester?.organization_id ?? null,
      status: 'new',
      subject: 'Ticket',
      created_at: now,
      updated_at: now,
      ...ticket,
    };
    this.tickets.set(record.id, record);
    return record;
  }

  /**
   * What Talk does for an inbound call (zendesk.md §6): match the caller number to an end user (else
   * create one named with the number), then create a voice ticket with that user as requester.
   */
  addInboundCall(callerPhone: string, lineNumber = '+14155550000', rel = 'inbound'): { ticket: StandinTicket; requester: StandinUser } {
    const known = this.endUserByPhone.get(callerPhone);
    const requester =
      known && known.phone === callerPhone && this.users.has(known.id) ? known : this.addUser({ name: callerPhone, phone: callerPhone });
    const ticket = this.addTicket({
      requester_id: requester.id,
      subject: `Call from ${callerPhone}`,
      via: {
        channel: 'voice',
        source: {
          from: { phone: callerPhone, formatted_phone: callerPhone, name: requester.name },
          to: { phone: lineNumber, formatted_phone: lineNumber, name: 'Support line' },
          rel,
        },
      },
    });
    return { ticket, requester };
  }

  addWebhook(fields: Partial<Omit<StandinWebhook, 'id' | 'signingSecret'>> & { name: string; endpoint: string }): StandinWebhook {
    const now = new Date().toISOString();
    const record: StandinWebhook = {
      id: ulidLike(),
      http_method: 'POST',
      request_format: 'json',
      status: 'active',
      subscriptions: ['conditional_ticket_events'],
      created_at: now,
      updated_at: now,
      signingSecret: randomBytes(32).toString('base64'),
      ...fields,
    };
    this.webhooks.set(record.id, record);
    return record;
  }

  webhooksNamed(name: string): StandinWebhook[] {
    return [...this.webhooks.values()].filter((w) => w.name === name);
  }

  /** The REST representation (signing secret never included, zendesk.md §1.2). */
  static webhookJson(w: StandinWebhook): Record<string, unknown> {
    const { signingSecret: _secret, ...rest } = w;
    return { ...rest, created_by: '-1', updated_by: '-1' };
  }

  /** Side-loaded users are partial (zendesk.md §4.3): no user_fields. */
  static partialUserJson(u: StandinUser): Record<string, unknown> {
    const { user_fields: _fields, ...rest } = u;
    return rest;
  }
}
