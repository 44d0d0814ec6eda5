export * from './config.schema.js';
export * from './config-loader.js';
export * from './build-config.js';
export * from './api-key.js';
export * from './cidr.js';
export * from './field-formats.js';
export * from './tenant-directory.js';
export { ENV_OVERRIDES } from './env-overrides.js';
