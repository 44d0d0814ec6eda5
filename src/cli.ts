/**
 * The `talkbridge` command.
 *
 *   talkbridge start                 run talkbridge (config: $TALKBRIDGE_CONFIG, config/talkbridge.yaml or config/demo.yaml)
 *   talkbridge sip-server ...        the embedded drachtio-compatible SIP server on its own
 *   talkbridge zendesk ...           connect / show / disconnect an organisation's Zendesk
 *   talkbridge hash-key [<key>]      print the hash to put under organisations[].apiKeys (new key if none)
 *   talkbridge check-config          validate the configuration and exit
 *
 * This file is the process edge: it reads argv and the environment and hands plain values on.
 */
import { readFile } from 'node:fs/promises';
import { runSipServerCommand } from './cli/sip-server-command.js';
import { loadConfig } from './config/config-loader.js';
import type { TalkbridgeConfig } from './config/config.schema.js';
import { generateApiKey, hashApiKey } from './config/api-key.js';
import { TalkbridgeError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { startTalkbridge } from './main.js';

const USAGE = `usage: talkbridge <command>
  start          run talkbridge on its configuration (default config/demo.yaml: embedded SIP server, SQLite)
  sip-server     run only the embedded drachtio-compatible SIP server (see talkbridge sip-server --help)
  zendesk        connect | show | disconnect an organisation's Zendesk (see talkbridge zendesk --help)
  hash-key       print a new API key and its hash (or the hash of the key given)
  check-config   validate the configuration and exit
(from a checkout, "npm run demo" plays one whole call on loopback and prints its SIP ladder)`;

const out = (text: string): void => void process.stdout.write(`${text}\n`);
const err = (text: string): void => void process.stderr.write(`${text}\n`);

function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function loadOrExplain(): TalkbridgeConfig | null {
  try {
    return loadConfig({ env: process.env }).config;
  } catch (error) {
    if (error instanceof TalkbridgeError && error.code === 'CONFIG_ERR_INVALID') {
      err(`talkbridge: refusing to start, the configuration is invalid:\n${error.message}`);
      return null;
    }
    throw error;
  }
}

async function start(logger: Logger, config: TalkbridgeConfig): Promise<number> {
  let fatal: (error: Error) => void = () => undefined;
  const died = new Promise<Error>((resolve) => {
    fatal = resolve;
  });
  const running = await startTalkbridge({ config, logger, onFatal: (error) => fatal(error) });
  const outcome = await Promise.race([stopSignal().then((signal) => ({ signal })), died.then((error) => ({ error }))]);
  if ('error' in outcome) {
    // Without its SIP server the process cannot carry calls: stop, so a supervisor restarts it.
    logger.fatal({ err: outcome.error }, 'the SIP server is gone, shutting down');
    await running.close();
    return 1;
  }
  logger.info({ signal: outcome.signal }, 'shutting down');
  await running.close();
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'start': {
      const config = loadOrExplain();
      if (!config) return 1;
      return start(createLogger({ level: config.log.level }), config);
    }
    case 'check-config': {
      const config = loadOrExplain();
      if (!config) return 1;
      out('configuration is valid');
      return 0;
    }
    case 'sip-server':
      return runSipServerCommand(args, {
        logger: createLogger({ level: process.env.TALKBRIDGE_LOG_LEVEL ?? 'info', base: { service: 'talkbridge-sip-server' } }),
        err,
        stopSignal: stopSignal(),
      });
    case 'zendesk': {
      const config = loadOrExplain();
      if (!config) return 1;
      const { runZendeskCli } = await import('./cli/zendesk-command.js');
      return runZendeskCli(args, config, { out, err, readFile: (path) => readFile(path, 'utf8') });
    }
    case 'hash-key': {
      const key = args[0] ?? generateApiKey();
      if (!args[0]) out(`key:  ${key}`);
      out(`hash: ${hashApiKey(key)}`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      err(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    err(`talkbridge: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
