/**
 * The instance bus of a single instance (SQLite store): there is nobody to forward to, so every
 * request fails `disabled` at once and the caller keeps its local answer.
 */
import type { BusHandler, BusOutcome, InstanceBus } from './instance-bus.js';

export class LocalInstanceBus<Req, Res> implements InstanceBus<Req, Res> {
  constructor(readonly instanceId: string) {}

  serve(_handler: BusHandler<Req, Res>): void {
    // Nothing can address this instance.
  }

  async request(_to: string, _request: Req, _timeoutMs: number): Promise<BusOutcome<Res>> {
    return { ok: false, failure: 'disabled', detail: 'no instance bus (single instance, store.type sqlite)', correlationId: null };
  }

  async close(): Promise<void> {
    // Owns nothing.
  }
}
