/** `talkbridge zendesk ...`: the operator side of the Zendesk connection, on the configured store. */
import { Agent } from 'undici';
import type { TalkbridgeConfig } from '../config/config.schema.js';
import { TenantDirectory } from '../config/tenant-directory.js';
import { createLogger } from '../logger.js';
import { SessionEvents } from '../sessions/session-events.js';
import { openStore } from '../store/open-store.js';
import { runZendeskCommand } from '../zendesk/cli.js';
import { createZendeskIntegration } from '../zendesk/zendesk-integration.js';
import { zendeskSettingsFromConfig } from '../zendesk/zendesk-settings.js';

export async function runZendeskCli(
  args: readonly string[],
  config: TalkbridgeConfig,
  io: { out: (text: string) => void; err: (text: string) => void; readFile: (path: string) => Promise<string> },
): Promise<number> {
  const logger = createLogger({ level: 'warn', destination: process.stderr });
  const store = await openStore(config.store, { logger });
  const dispatcher = new Agent({ connect: { timeout: 5_000 } });
  const tenants = new TenantDirectory(config);
  try {
    const zendesk = createZendeskIntegration({
      store,
      events: new SessionEvents(),
      settings: zendeskSettingsFromConfig(config),
      dispatcher,
      logger,
    });
    return await runZendeskCommand(args, {
      connections: zendesk.connections,
      organisationExists: (orgId) => tenants.organisation(orgId) !== null,
      readFile: io.readFile,
      out: io.out,
      err: io.err,
    });
  } finally {
    await dispatcher.close();
    await store.close();
  }
}
