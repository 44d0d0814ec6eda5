/**
 * What a call leaves in the store, with the store's writes batched per event-loop turn
 * (src/store/sqlite/sqlite-write-behind.ts): the session row is committed before the AI agent is
 * dialled, and a clean shutdown right after calls ended leaves every record on disk.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, SQLITE_FILE } from '../../src/store/sqlite/open-sqlite-store.js';
import { CALLER_SDP, NOANSWER_URI, startHarness, type Harness } from './helpers/call-control-harness.js';
import { callsConfig } from './helpers/calls-config.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

function storeDir(harness: Harness): string {
  return harness.store.db.name.slice(0, -SQLITE_FILE.length - 1);
}

describe('call records with batched store writes', () => {
  it('has the session row committed before the INVITE to the AI agent goes out', async () => {
    h = await startHarness(callsConfig({ agentUri: NOANSWER_URI }));
    h.srf.farEnd(NOANSWER_URI, { kind: 'ring' });
    let committedAtDial: unknown[] | null = null;
    const other = new Database(h.store.db.name, { readonly: true });
    const invites = h.srf.waitForInvites(1).then(() => {
      committedAtDial = other.prepare('SELECT id, state FROM sessions').all();
    });
    h.srf.placeCall({ to: '+15550100', from: '+14155551212', sdp: CALLER_SDP });
    await invites;
    other.close();
    expect(committedAtDial).toEqual([{ id: expect.stringMatching(/^ses_/), state: 'connecting' }]);
  });

  it('keeps every record of calls that just ended across a clean shutdown and restart', async () => {
    h = await startHarness();
    const dir = storeDir(h);
    const calls = Array.from({ length: 5 }, (_, i) => h!.srf.placeCall({ to: '+15550100', from: `+1415555121${i}`, sdp: CALLER_SDP }));
    for (const c of calls) expect((await c.res.final).status).toBe(200);
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (const dialog of h.srf.dialogs) if (dialog.name === 'caller') dialog.hangUp();
    // No idle(): close() must write what the hang-ups queued.
    await h.control.close();
    await h.store.close();

    const reopened = await openSqliteStore(dir);
    const sessions = await reopened.sessions.list('acme', {});
    expect(sessions).toHaveLength(5);
    for (const s of sessions) {
      expect(s).toMatchObject({ state: 'ended', endReason: 'caller_hangup', contactId: expect.stringMatching(/^ctc_/) });
      expect((await reopened.sessions.timeline(s.id)).map((e) => e.type)).toEqual(['session.opened', 'call.invite', 'session.live', 'session.ended']);
      expect((await reopened.contacts.get(s.contactId!))?.phone).toBe(s.callerPhone);
    }
    await reopened.close();
  });
});
