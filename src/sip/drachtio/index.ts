/** Public API of the drachtio wire-protocol server (drachtio-protocol.md). */
export { FrameDecoder, encodeFrame, DEFAULT_MAX_FRAME_BYTES, type FrameError, type FrameErrorCode, type DecodeResult } from './frame-decoder.js';
export { parsePayload, buildPayload, LeaderTokenError, type Payload } from './payload.js';
export { decodeClientMessage, type ClientMessage, type SipCommand, type ProxyCommand } from './client-message.js';
export * from './server-messages.js';
export { ApplicationRouter } from './application-router.js';
export { ApplicationConnection, type ApplicationHandler } from './application-connection.js';
export { ControlServer, DEFAULT_SERVER_VERSION, type ControlServerOptions } from './control-server.js';
export { DrachtioBridge, type BridgeOptions } from './drachtio-bridge.js';
export { SipEndpoints } from './sip-endpoints.js';
export { WireTap } from './wire-tap.js';
export { silentLogger, type SipLogger } from './sip-logger.js';
