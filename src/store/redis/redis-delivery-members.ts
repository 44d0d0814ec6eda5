import type { WebhookDelivery } from '../store.js';

type DeliveryKey = Pick<WebhookDelivery, 'connectionId' | 'id'>;

/** A delivery's member in the delivery index sorted sets: `["<connectionId>","<id>"]`. */
export function deliveryMember(d: DeliveryKey): string {
  return JSON.stringify([d.connectionId, d.id]);
}

export function parseDeliveryMember(member: string): DeliveryKey {
  const [connectionId, id] = JSON.parse(member) as [string, string];
  return { connectionId, id };
}
