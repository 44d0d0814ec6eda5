/** Public API of the stateful proxy core (RFC 3261 §16), pure parts. */
export {
  DEFAULT_MAX_FORWARDS,
  destinationUri,
  forwardRequest,
  maxForwardsOf,
  nextHop,
  relayResponse,
  topRouteUri,
  uriOfAddress,
  withoutOwnRoute,
  type ForwardOptions,
  type IsSelf,
} from './forward-request.js';
export { bestResponse, parseProxyTimeout, upstreamStatus } from './response-context.js';
