/**
 * Loads `config/*.yaml`: YAML → environment overrides → zod schema → cross-field checks. Any problem
 * throws one TalkbridgeError('CONFIG_ERR_INVALID') whose message lists every issue as
 * `<file>: <path>: <what is wrong>` (YAML syntax errors as `<file>:<line>:<col>: …`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { TalkbridgeError } from '../errors.js';
import { configSchema, type TalkbridgeConfig } from './config.schema.js';
import { crossCheckConfig } from './config-cross-checks.js';
import { applyEnvOverrides } from './env-overrides.js';

/** Tried in order when neither `file` nor TALKBRIDGE_CONFIG is given. */
export const DEFAULT_CONFIG_FILES = ['config/talkbridge.yaml', 'config/demo.yaml'] as const;

export interface LoadConfigOptions {
  /** Config file; default `env.TALKBRIDGE_CONFIG`, else the first of DEFAULT_CONFIG_FILES that exists. */
  file?: string;
  /** Environment to read overrides from (main.ts passes process.env; tests pass a literal). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Base for relative paths (the config file, store.dataDir); default process.cwd(). */
  cwd?: string;
}

export interface LoadedConfig {
  config: TalkbridgeConfig;
  /** The file as named in messages (as given, or relative default). */
  file: string;
}

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? {};
  const cwd = options.cwd ?? process.cwd();
  const file = options.file ?? env.TALKBRIDGE_CONFIG ?? DEFAULT_CONFIG_FILES.find((f) => existsSync(resolve(cwd, f))) ?? DEFAULT_CONFIG_FILES[0];
  const fullPath = isAbsolute(file) ? file : resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(fullPath, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw configError(file, [`${file}: ${reason}`]);
  }
  const config = parseConfigText(text, file, env);
  return { config: { ...config, store: { ...config.store, dataDir: resolve(cwd, config.store.dataDir) } }, file };
}

/** Parse YAML text already read (tests, `talkbridge check-config`). `file` only names it in messages. */
export function parseConfigText(text: string, file: string, env: Readonly<Record<string, string | undefined>> = {}): TalkbridgeConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw configError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
        return `${where}: YAML syntax error: ${firstLine(e.message).replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw configError(file, [`${file}: the top level must be a mapping of sections (instance, http, sip, …)`]);
  }
  return validateConfig(raw as Record<string, unknown>, file, env);
}

/** Validate an already-parsed tree (env overrides applied first). */
export function validateConfig(
  raw: Record<string, unknown>,
  file: string,
  env: Readonly<Record<string, string | undefined>> = {},
): TalkbridgeConfig {
  const { tree, origins } = applyEnvOverrides(raw, env);
  const name = (path: PropertyKey[]): string => {
    const dotted = formatPath(path);
    const origin = origins.get(path.join('.'));
    return origin ? `${dotted} (from ${origin})` : dotted;
  };
  const result = configSchema.safeParse(tree, { reportInput: true });
  if (!result.success) {
    throw configError(file, result.error.issues.flatMap((issue) => describeIssue(issue).map(([path, msg]) => `${file}: ${name(path)}: ${msg}`)));
  }
  const problems = crossCheckConfig(result.data);
  if (problems.length > 0) throw configError(file, problems.map((p) => `${file}: ${name(p.path)}: ${p.message}`));
  return result.data;
}

/** `['organisations', 0, 'agents', 1, 'headers', 'X-A b']` → `organisations[0].agents[1].headers["X-A b"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const text = String(part);
      out += /^[A-Za-z_][\w-]*$/.test(text) ? (out === '' ? text : `.${text}`) : `[${JSON.stringify(text)}]`;
    }
  }
  return out === '' ? '(top level)' : out;
}

function describeIssue(issue: z.core.$ZodIssue): [PropertyKey[], string][] {
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => [[...issue.path, key], 'unknown field (check the spelling against config/talkbridge.example.yaml)']);
    case 'invalid_type':
      if (issue.input === undefined) return [[issue.path, 'is required']];
      return [[issue.path, `must be ${article(issue.expected)}, got ${describeValue(issue.input)}`]];
    case 'invalid_union': {
      // Discriminated unions report the discriminator problem on the object; point at the field.
      // (zod 4 puts the discriminator key in the path; our messages start with its name).
      const note = (issue as { note?: string }).note;
      if (note === 'No matching discriminator') return [[issue.path, issue.message.replace(/^(mode|type) /, '')]];
      return [[issue.path, lowerFirst(issue.message)]];
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v));
      return [[issue.path, `must be ${options.length > 1 ? `${options.slice(0, -1).join(', ')} or ${options[options.length - 1]}` : options[0]}`]];
    }
    case 'invalid_key':
      // A record key failed its own schema: report that schema's message on the key's path.
      return [[issue.path, lowerFirst(issue.issues[0]?.message ?? issue.message)]];
    default:
      return [[issue.path, lowerFirst(issue.message)]];
  }
}

function configError(file: string, lines: string[]): TalkbridgeError {
  return new TalkbridgeError('CONFIG_ERR_INVALID', `invalid configuration (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n  ${lines.join('\n  ')}`, {
    file,
    problems: lines,
  });
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function article(expected: string): string {
  const names: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', number: 'a number', boolean: 'true or false' };
  return names[expected] ?? expected;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
