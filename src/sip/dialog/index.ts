/** Public API of the dialog layer (RFC 3261 §12–§14, RFC 3262): pure state and rules. */
export * from './dialog-state.js';
export * from './cseq-rules.js';
export * from './request-target.js';
export * from './in-dialog-request.js';
export * from './retransmit-schedule.js';
export * from './retransmit-runner.js';
export * from './reliable-provisional.js';
export * from './invite-concurrency.js';
export * from './dialog-reasons.js';
export { DialogTable } from './dialog-table.js';
