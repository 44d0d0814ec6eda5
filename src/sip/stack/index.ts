/**
 * Public API of the SIP engine core (transport → transaction → request handler).
 */
export { SipStack, startSipStack } from './sip-stack.js';
export type { SipStackOptions, StackCounters, StackStats, StackTransport } from './sip-stack.js';
export type { RequestContext, RequestHandler } from './request-handler.js';
export { CoreRequestHandler } from './core-request-handler.js';
export type { CoreRequestHandlerOptions } from './core-request-handler.js';
export { parseListenSpec } from './listen-spec.js';
export { prepareRequest } from './prepare-request.js';
export { malformedReply } from './malformed-reply.js';
