/**
 * Public API of the SIP transport layer (RFC 3261 §18). Other layers import from here only.
 */
export type {
  InboundMessage,
  ListenSpec,
  MalformedInbound,
  RequestOrigin,
  SendTarget,
  SentInfo,
  SipTransport,
  TransportUser,
} from './transport.js';
export { TransportLayer, type ConnectionInfo, type TransportCounters, type TransportLayerOptions } from './transport-layer.js';
export { TRANSPORT_ERROR_CODES, TransportError, isTransportError, type TransportErrorCode } from './transport-error.js';
export { silentLogger, type TransportLogFn, type TransportLogger } from './transport-logger.js';
/** RFC 3261 §18.2.1 / RFC 3581 §4: the stack stamps received/rport on arriving requests with this. */
export { stampReceived } from './stamp-received.js';
export { DEFAULT_SIP_PORT, routeResponse, type ResponseRoute } from './response-route.js';
export { DEFAULT_MAX_MESSAGE_SIZE, StreamFramer, type FrameEvent, type FramingErrorReason } from './stream-framer.js';
export { mayUseTcp, switchRequestToTcp, udpSizeLimit } from './switch-to-tcp.js';
