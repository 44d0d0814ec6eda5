import type { WebhookDelivery } from './store.js';

/**
 * Whether a delivery is settled for good, so retention may delete it once old enough: processed,
 * ignored, or failed with no retry scheduled (the worker gave up). SQLite states the same rule in
 * SQL (SETTLED_DELIVERY, sqlite-migrations.ts), Redis in Lua (redis-delivery-retention.ts).
 */
export function isSettledDelivery(d: Pick<WebhookDelivery, 'status' | 'nextAttemptAt'>): boolean {
  return d.status === 'processed' || d.status === 'ignored' || (d.status === 'failed' && d.nextAttemptAt === null);
}
