/**
 * Every Redis key the store writes, in one place. Ids used in keys are validated ids (no ":"),
 * E.164 numbers, digits or our own generated ids; free-form parts (delivery ids, idempotency
 * scopes/keys) are length-prefixed so two different pairs can never build the same key.
 */
export class RedisKeys {
  constructor(private readonly prefix: string) {}

  session(id: string): string {
    return `${this.prefix}ses:${id}`;
  }
  timeline(sessionId: string): string {
    return `${this.prefix}ses:${sessionId}:timeline`;
  }
  orgSessions(orgId: string): string {
    return `${this.prefix}org:${orgId}:ses:all`;
  }
  orgLiveSessions(orgId: string): string {
    return `${this.prefix}org:${orgId}:ses:live`;
  }
  orgStateSessions(orgId: string, state: string): string {
    return `${this.prefix}org:${orgId}:ses:state:${state}`;
  }
  candidatesByPhone(orgId: string, phone: string): string {
    return `${this.prefix}org:${orgId}:cand:e164:${phone}`;
  }
  candidatesByNational(orgId: string, national: string): string {
    return `${this.prefix}org:${orgId}:cand:nat:${national}`;
  }
  sessionsByTicket(orgId: string, ticketId: string): string {
    return `${this.prefix}org:${orgId}:ticket:${part(ticketId)}`;
  }

  transfer(id: string): string {
    return `${this.prefix}trf:${id}`;
  }
  sessionTransfers(sessionId: string): string {
    return `${this.prefix}ses:${sessionId}:trf`;
  }
  transferIdempotency(sessionId: string, key: string): string {
    return `${this.prefix}ses:${sessionId}:trf-key:${part(key)}`;
  }

  contact(id: string): string {
    return `${this.prefix}ctc:${id}`;
  }
  contactPhone(orgId: string, phone: string): string {
    return `${this.prefix}org:${orgId}:ctc-phone:${phone}`;
  }

  connection(id: string): string {
    return `${this.prefix}zdc:${part(id)}`;
  }
  orgConnection(orgId: string): string {
    return `${this.prefix}org:${orgId}:zdc`;
  }
  delivery(connectionId: string, id: string): string {
    return `${this.prefix}dlv:${part(connectionId)}:${part(id)}`;
  }
  pendingDeliveries(): string {
    return `${this.prefix}dlv:pending`;
  }
  failedDeliveries(): string {
    return `${this.prefix}dlv:failed`;
  }
  /** Settled deliveries (processed, ignored, given up) by receivedAt: what retention purges. */
  settledDeliveries(): string {
    return `${this.prefix}dlv:settled`;
  }
  /** Cursor of the one-time SCAN that indexes deliveries settled before `settledDeliveries` existed. */
  settledBackfill(): string {
    return `${this.prefix}dlv:settled-backfill`;
  }
  /** SCAN pattern of every key above starting `dlv:` (glob characters of the prefix escaped). */
  deliveryPattern(): string {
    return `${this.prefix.replace(/[*?[\]\\]/g, '\\$&')}dlv:*`;
  }

  pendingTicket(orgId: string, ticketId: string): string {
    return `${this.prefix}pt:${orgId}:${part(ticketId)}`;
  }
  pendingByPhone(orgId: string, phone: string): string {
    return `${this.prefix}org:${orgId}:pt:e164:${phone}`;
  }
  pendingByNational(orgId: string, national: string): string {
    return `${this.prefix}org:${orgId}:pt:nat:${national}`;
  }
  pendingExpiry(): string {
    return `${this.prefix}pt:expiry`;
  }

  idempotency(scope: string, key: string): string {
    return `${this.prefix}idem:${part(scope)}:${part(key)}`;
  }
}

/** `<length>.<value>`: unambiguous whatever the value contains. */
function part(value: string): string {
  return `${value.length}.${value}`;
}
