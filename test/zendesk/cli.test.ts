/** `talkbridge zendesk connect|show|disconnect`: the operator path to the same connection service. */
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runZendeskCommand, type ZendeskCommandDeps } from '../../src/zendesk/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { ORG_ID, ZendeskHarness } from '../helpers/zendesk-harness.js';

let h: ZendeskHarness;
let tmp: { path: string; remove: () => void };
let out: string[];
let err: string[];
let deps: ZendeskCommandDeps;

beforeEach(async () => {
  h = await ZendeskHarness.start();
  tmp = makeTempDir('talkbridge-cli-');
  out = [];
  err = [];
  deps = {
    connections: h.integration.connections,
    organisationExists: (id) => id === ORG_ID,
    readFile: (path) => readFile(path, 'utf8'),
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  };
});
afterEach(async () => {
  await h.close();
  tmp.remove();
});

describe('runZendeskCommand', () => {
  it('connects with a token file, shows, reconnects idempotently and disconnects', async () => {
    const tokenFile = join(tmp.path, 'token');
    writeFileSync(tokenFile, `${h.admin.token}\n`);
    const connect = ['connect', '--org', ORG_ID, '--subdomain', 'acme', '--email', h.admin.email, '--api-token-file', tokenFile];
    expect(await runZendeskCommand(connect, deps)).toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({ webhookAction: 'created', subdomain: 'acme', state: 'connected' });
    expect(await runZendeskCommand(connect, deps)).toBe(0);
    expect(JSON.parse(out[1]!)).toMatchObject({ webhookAction: 'unchanged' });
    expect(h.account.webhooksNamed('opencx-messaging-ticket-link')).toHaveLength(1);

    expect(await runZendeskCommand(['show', '--org', ORG_ID], deps)).toBe(0);
    expect(out[2]).not.toContain(h.admin.token);
    expect(out[2]).not.toContain(h.ourWebhook().signingSecret);

    expect(await runZendeskCommand(['disconnect', '--org', ORG_ID], deps)).toBe(0);
    expect(JSON.parse(out[3]!)).toMatchObject({ disconnected: true, webhookRemoved: true });
    expect(h.account.webhooksNamed('opencx-messaging-ticket-link')).toHaveLength(0);
    expect(await runZendeskCommand(['show', '--org', ORG_ID], deps)).toBe(1);
    expect(err.join('\n')).toMatch(/not connected/);
  });

  it('reports Zendesk refusals with the error code and exit 1', async () => {
    const code = await runZendeskCommand(['connect', '--org', ORG_ID, '--subdomain', 'acme', '--email', h.admin.email, '--api-token', 'wrong'], deps);
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/^ZD_ERR_UNAUTHORIZED: /);
  });

  it.each([
    [[], /one command expected/],
    [['connect'], /--org is required/],
    [['connect', '--org', ORG_ID, '--subdomain', 'a b', '--email', 'x'], /--subdomain: .*--email: .*--api-token-file: /],
    [['frobnicate', '--org', ORG_ID], /unknown command/],
    [['show', '--org', ORG_ID, '--bogus'], /Unknown option/],
  ])('usage errors exit 2: %j', async (args, message) => {
    expect(await runZendeskCommand(args, deps)).toBe(2);
    expect(err.join('\n')).toMatch(message);
  });

  it('refuses an organisation that is not configured', async () => {
    expect(await runZendeskCommand(['show', '--org', 'nope'], deps)).toBe(1);
    expect(err.join('\n')).toMatch(/no organisation "nope"/);
  });
});
