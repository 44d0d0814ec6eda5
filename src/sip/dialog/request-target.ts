/**
 * Where an in-dialog request goes (RFC 3261 §12.2.1.1) and its next hop (§8.1.2, RFC 3263 §4).
 */
import { parseNameAddr, parseUri } from '../message/index.js';
import type { DialogState } from './dialog-state.js';

export interface RequestTarget {
  requestUri: string;
  /** Route header values, in order. */
  routes: string[];
  /**
   * The URI whose host/port/transport the request is sent to (RFC 3261 §8.1.2): the first Route
   * with loose routing, the Request-URI otherwise (no route set, or a strict router in it).
   */
  nextHop: string;
}

function routeUri(route: string): string {
  return parseNameAddr(route).uri;
}

/** A route entry is a loose router when its URI has the `lr` parameter (RFC 3261 §19.1.1). */
export function isLooseRoute(route: string): boolean {
  try {
    const uri = parseUri(routeUri(route));
    return uri.scheme !== 'tel' && Object.prototype.hasOwnProperty.call(uri.params, 'lr');
  } catch {
    return false;
  }
}

/**
 * "stripping any parameters that are not allowed in a Request-URI": per the RFC 3261 §19.1.1
 * table, `method` and URI headers (`?...`) are not allowed there.
 */
function stripForRequestUri(uri: string): string {
  const withoutHeaders = uri.replace(/\?.*$/, '');
  return withoutHeaders.replace(/;method=[^;?]*/i, '');
}

/**
 * §12.2.1.1: "If the route set is empty, the UAC MUST place the remote target URI into the
 * Request-URI. The UAC MUST NOT add a Route header field to the request. If the route set is not
 * empty, and the first URI in the route set contains the lr parameter, the UAC MUST place the
 * remote target URI into the Request-URI and MUST include a Route header field containing the
 * route set values in order, including all parameters. If the route set is not empty, and its
 * first URI does not contain the lr parameter, the UAC MUST place the first URI from the route
 * set into the Request-URI, stripping any parameters that are not allowed in a Request-URI. The
 * UAC MUST add a Route header field containing the remainder of the route set values in order,
 * including all parameters. The UAC MUST then place the remote target URI into the Route header
 * field as the last value."
 */
export function requestTarget(dialog: Pick<DialogState, 'remoteTarget' | 'routeSet'>): RequestTarget {
  const [first, ...rest] = dialog.routeSet;
  if (first === undefined) return { requestUri: dialog.remoteTarget, routes: [], nextHop: dialog.remoteTarget };
  if (isLooseRoute(first)) return { requestUri: dialog.remoteTarget, routes: [...dialog.routeSet], nextHop: routeUri(first) };
  const requestUri = stripForRequestUri(routeUri(first));
  return { requestUri, routes: [...rest, `<${dialog.remoteTarget}>`], nextHop: requestUri };
}
