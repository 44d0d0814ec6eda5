export * from './create-http-server.js';
export * from './api-key-auth.js';
export * from './problem.js';
export type { ReadinessCheck } from './health-routes.js';
