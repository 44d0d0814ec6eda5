/**
 * Build a validated config from a plain object (no YAML, no environment): tests and embedders.
 * Same schema, defaults and cross-checks as the file loader; problems are named `(inline)`.
 */
import type { TalkbridgeConfig, TalkbridgeConfigInput } from './config.schema.js';
import { validateConfig } from './config-loader.js';

export function buildConfig(input: TalkbridgeConfigInput = {}, name = '(inline)'): TalkbridgeConfig {
  return validateConfig(input as Record<string, unknown>, name, {});
}
