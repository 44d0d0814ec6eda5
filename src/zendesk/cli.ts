/**
 * Operator commands for the Zendesk connection, wired into the `talkbridge` CLI by the lead:
 *
 *   talkbridge zendesk connect    --org <id> --subdomain <acme> --email <admin@…> --api-token-file <path>
 *   talkbridge zendesk show       --org <id>
 *   talkbridge zendesk disconnect --org <id> [--force]
 *
 * Same service and rules as `PUT|GET|DELETE /v1/integrations/zendesk`. The API token is read from a
 * file (or `--api-token`, discouraged: it shows in the process list). Output is one JSON document on
 * `out`; problems go to `err`. Returns the exit code: 0 ok, 1 failed, 2 usage.
 */
import { parseArgs } from 'node:util';
import type { ZendeskConnectionService } from './zendesk-connection-service.js';
import { connectInputSchema } from './connect-input.schema.js';

export interface ZendeskCommandDeps {
  connections: Pick<ZendeskConnectionService, 'connect' | 'show' | 'disconnect'>;
  /** Whether the organisation exists in the config. */
  organisationExists: (orgId: string) => boolean;
  readFile: (path: string) => Promise<string>;
  out: (text: string) => void;
  err: (text: string) => void;
}

export const ZENDESK_USAGE = `usage:
  talkbridge zendesk connect    --org <id> --subdomain <subdomain> --email <admin email> --api-token-file <path>
  talkbridge zendesk show       --org <id>
  talkbridge zendesk disconnect --org <id> [--force]`;

export async function runZendeskCommand(args: readonly string[], deps: ZendeskCommandDeps): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        org: { type: 'string' },
        subdomain: { type: 'string' },
        email: { type: 'string' },
        'api-token': { type: 'string' },
        'api-token-file': { type: 'string' },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return usage(deps, (error as Error).message);
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help) {
    deps.out(ZENDESK_USAGE);
    return 0;
  }
  if (!command || positionals.length > 1) return usage(deps, 'one command expected: connect, show or disconnect');
  const orgId = values.org;
  if (!orgId) return usage(deps, '--org is required');
  if (!deps.organisationExists(orgId)) {
    deps.err(`no organisation "${orgId}" in the configuration`);
    return 1;
  }

  switch (command) {
    case 'connect': {
      let apiToken = values['api-token'];
      if (values['api-token-file']) {
        try {
          apiToken = (await deps.readFile(values['api-token-file'])).trim();
        } catch (error) {
          deps.err(`cannot read the API token file: ${(error as Error).message}`);
          return 1;
        }
      }
      const input = connectInputSchema.safeParse({ subdomain: values.subdomain, email: values.email, apiToken });
      if (!input.success) {
        const names: Record<string, string> = { subdomain: '--subdomain', email: '--email', apiToken: '--api-token-file' };
        return usage(deps, input.error.issues.map((i) => `${names[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`).join('; '));
      }
      const result = await deps.connections.connect(orgId, input.data);
      if (!result.ok) return failed(deps, result.error);
      deps.out(JSON.stringify({ ...result.value.connection, webhookAction: result.value.webhookAction }, null, 2));
      return 0;
    }
    case 'show': {
      const view = await deps.connections.show(orgId);
      if (!view) {
        deps.err(`Zendesk is not connected for organisation "${orgId}"`);
        return 1;
      }
      deps.out(JSON.stringify(view, null, 2));
      return 0;
    }
    case 'disconnect': {
      const result = await deps.connections.disconnect(orgId, { force: values.force });
      if (!result.ok) return failed(deps, result.error);
      deps.out(JSON.stringify({ disconnected: true, ...result.value }, null, 2));
      return 0;
    }
    default:
      return usage(deps, `unknown command "${command}"`);
  }
}

function usage(deps: ZendeskCommandDeps, problem: string): number {
  deps.err(`${problem}\n${ZENDESK_USAGE}`);
  return 2;
}

function failed(deps: ZendeskCommandDeps, error: { code: string; message: string }): number {
  deps.err(`${error.code}: ${error.message}`);
  return 1;
}
