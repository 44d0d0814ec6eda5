/**
 * Environment overrides, applied to the raw YAML tree before validation so a bad value is reported
 * like any other field (with the variable's name). The only place besides the loader that reads env.
 */
export interface EnvOverride {
  env: string;
  path: string[];
  kind: 'string' | 'int';
}

export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { env: 'TALKBRIDGE_INSTANCE_ID', path: ['instance', 'id'], kind: 'string' },
  { env: 'TALKBRIDGE_HTTP_HOST', path: ['http', 'host'], kind: 'string' },
  { env: 'TALKBRIDGE_HTTP_PORT', path: ['http', 'port'], kind: 'int' },
  { env: 'TALKBRIDGE_PUBLIC_BASE_URL', path: ['http', 'publicBaseUrl'], kind: 'string' },
  { env: 'TALKBRIDGE_LOG_LEVEL', path: ['log', 'level'], kind: 'string' },
  { env: 'TALKBRIDGE_STORE', path: ['store', 'type'], kind: 'string' },
  { env: 'TALKBRIDGE_DATA_DIR', path: ['store', 'dataDir'], kind: 'string' },
  { env: 'TALKBRIDGE_REDIS_URL', path: ['store', 'redis', 'url'], kind: 'string' },
  { env: 'TALKBRIDGE_SECRET_KEY', path: ['store', 'secretKey'], kind: 'string' },
  { env: 'TALKBRIDGE_SIP_SECRET', path: ['sip', 'server', 'secret'], kind: 'string' },
];

/**
 * Returns a copy of `raw` with the overrides set, and which dotted paths came from which variable.
 * Empty variables are ignored. A non-numeric int is kept as a string so the schema names the problem.
 */
export function applyEnvOverrides(
  raw: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
): { tree: Record<string, unknown>; origins: Map<string, string> } {
  const tree = structuredClone(raw);
  const origins = new Map<string, string>();
  for (const override of ENV_OVERRIDES) {
    const value = env[override.env];
    if (value === undefined || value === '') continue;
    let node: Record<string, unknown> = tree;
    for (const key of override.path.slice(0, -1)) {
      const next = node[key];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    const last = override.path[override.path.length - 1] as string;
    node[last] = override.kind === 'int' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
    origins.set(override.path.join('.'), override.env);
  }
  return { tree, origins };
}
