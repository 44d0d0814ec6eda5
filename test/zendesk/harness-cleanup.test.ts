/** Whatever the integration opens (servers, sockets, timers) is closed again: no handle left behind. */
import { expect, it } from 'vitest';
import { ticketCreatedEvent } from '../helpers/zendesk-events.js';
import { CALLER, ZendeskHarness } from '../helpers/zendesk-harness.js';

function networkHandles(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP'));
}

it('leaves no socket or server open after a full connect → delivery → enrichment → close cycle', async () => {
  const before = networkHandles();
  const h = await ZendeskHarness.start();
  await h.connect();
  h.integration.worker.start();
  await h.openSession();
  const { ticket } = h.account.addInboundCall(CALLER);
  h.standin.fault({ path: /^\/api\/v2\/users\//, delayMs: 60_000 }); // one request still hanging at close
  await h.standin.emit(h.account, ticketCreatedEvent(h.account, ticket));
  await h.close();
  expect(networkHandles()).toEqual(before);
});
