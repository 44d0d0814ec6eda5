/**
 * `talkbridge sip-server`: the embedded drachtio-compatible SIP server on its own, in the
 * foreground, as a drop-in development server for any drachtio-srf application:
 *
 *   npx talkbridge sip-server --sip udp:127.0.0.1:5060 --sip tcp:127.0.0.1:5060 \
 *       --control 127.0.0.1:9022 --secret <secret>
 *
 * Logs are pino JSON on stdout; SIGTERM/SIGINT close it cleanly (exit 0).
 */
import { parseArgs } from 'node:util';
import type { Logger } from '../logger.js';
import { createEmbeddedSipServer } from '../sip/server/embedded-sip-server.js';
import { CliArgumentError, parseHostPort, parseSipListen } from './parse-endpoint.js';

export const SIP_SERVER_USAGE = `usage: talkbridge sip-server --sip <udp|tcp>:<ip>:<port> [--sip ...] --control <ip>:<port> --secret <secret>
  --sip       SIP listen address, repeatable; IPv6 as udp:[::1]:5060
  --control   drachtio control listener applications connect to (default 127.0.0.1:9022)
  --secret    shared secret applications authenticate with (required)
  --external-address  address to advertise to applications instead of the bound one`;

export interface SipServerCommandDeps {
  logger: Logger;
  err: (text: string) => void;
  /** Resolves when the process is asked to stop (SIGTERM/SIGINT). */
  stopSignal: Promise<string>;
}

export async function runSipServerCommand(args: readonly string[], deps: SipServerCommandDeps): Promise<number> {
  let options;
  try {
    const { values } = parseArgs({
      args: [...args],
      strict: true,
      options: {
        sip: { type: 'string', multiple: true },
        control: { type: 'string', default: '127.0.0.1:9022' },
        secret: { type: 'string' },
        'external-address': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      deps.err(SIP_SERVER_USAGE);
      return 0;
    }
    if (!values.sip || values.sip.length === 0) throw new CliArgumentError('--sip', 'at least one SIP listen address is required');
    if (!values.secret) throw new CliArgumentError('--secret', 'is required');
    options = {
      sip: values.sip.map(parseSipListen),
      control: { ...toHost(parseHostPort('--control', values.control)), secret: values.secret },
      externalAddress: values['external-address'],
    };
  } catch (error) {
    deps.err(`${(error as Error).message}\n${SIP_SERVER_USAGE}`);
    return 2;
  }

  const server = createEmbeddedSipServer({
    sip: options.sip,
    control: options.control,
    logger: deps.logger,
    ...(options.externalAddress ? { externalAddress: options.externalAddress } : {}),
  });
  try {
    await server.start();
  } catch (error) {
    deps.logger.error({ err: error }, 'sip-server could not start');
    await server.close().catch(() => undefined);
    return 1;
  }
  deps.logger.info({ ...server.addresses() }, 'sip-server listening');
  const signal = await deps.stopSignal;
  deps.logger.info({ signal }, 'sip-server stopping');
  await server.close();
  return 0;
}

function toHost(hostPort: { address: string; port: number }): { host: string; port: number } {
  return { host: hostPort.address, port: hostPort.port };
}
