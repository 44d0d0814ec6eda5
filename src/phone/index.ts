export * from './phone-number.js';
export * from './caller-identity.js';
