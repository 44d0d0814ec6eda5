/**
 * The request a stateful proxy forwards (RFC 3261 §16.4–§16.6), built from the request it received
 * as pure functions: Route preprocessing, Max-Forwards, Request-URI, Record-Route, the new Via,
 * and the next hop. The proxy core supplies the addresses; nothing here sends or resolves.
 */
import { formatUri, getHeader, headerKey, headerValues, parseMaxForwards, parseNameAddr, parseUri } from '../message/index.js';
import type { HeaderField, SipRequest, SipResponse } from '../message/sip-message.js';

/** RFC 3261 §16.6 step 3: "If the copy does not contain a Max-Forwards header field, the proxy MUST add one with a field value, which SHOULD be 70." */
export const DEFAULT_MAX_FORWARDS = 70;

/** Whether a URI (`sip:host:port;params`, possibly in `<>`) addresses this element. */
export type IsSelf = (uriText: string) => boolean;

/** The URI inside a name-addr or bare addr-spec, or null. */
export function uriOfAddress(value: string): string | null {
  try {
    return parseNameAddr(value).uri;
  } catch {
    return null;
  }
}

/**
 * §16.3 step 3: Max-Forwards of the received request; null when absent (forward with 70),
 * NaN when it does not parse.
 */
export function maxForwardsOf(request: SipRequest): number | null {
  const value = getHeader(request, 'Max-Forwards');
  if (value === undefined) return null;
  try {
    return parseMaxForwards(value);
  } catch {
    return Number.NaN;
  }
}

/**
 * §16.4: "If the first value in the Route header field indicates this proxy, the proxy MUST remove
 * that value from the request." Returns the request unchanged when it does not.
 * DEVIATION: strict routing (a Request-URI this proxy once put in a Record-Route, §16.4 first
 * paragraph) is not supported; every Record-Route it writes has `lr`.
 */
export function withoutOwnRoute(request: SipRequest, isSelf: IsSelf): { request: SipRequest; removed: boolean } {
  const routes = headerValues(request, 'Route');
  const first = routes[0];
  const uri = first === undefined ? null : uriOfAddress(first);
  if (uri === null || !isSelf(uri)) return { request, removed: false };
  return { request: { ...request, headers: replaceAll(request.headers, 'route', routes.slice(1)) }, removed: true };
}

/** The first Route value's URI after preprocessing, or null. */
export function topRouteUri(request: SipRequest): string | null {
  const first = headerValues(request, 'Route')[0];
  return first === undefined ? null : uriOfAddress(first);
}

export interface ForwardOptions {
  /** §16.6 step 2: the Request-URI for this target. */
  targetUri: string;
  /** §16.6 step 8: our Via (sent-by, branch), added on top. */
  via: string;
  /** §16.6 step 4: our Record-Route value when the proxy stays in the dialog, else null. */
  recordRoute: string | null;
  /** §16.6 step 5: headers the proxy adds (replacing fields of the same name). */
  extraHeaders?: readonly HeaderField[];
}

/**
 * §16.6 steps 1–8 (step 6/7, routing, is `nextHop`): a copy of the request with the Request-URI
 * replaced, Max-Forwards decremented (or 70), Record-Route and Via prepended. The body is shared.
 */
export function forwardRequest(request: SipRequest, options: ForwardOptions): SipRequest {
  const extra = options.extraHeaders ?? [];
  const replaced = new Set(extra.map((field) => headerKey(field.name)));
  const maxForwards = maxForwardsOf(request);
  const headers: HeaderField[] = [{ name: 'Via', value: options.via }];
  if (options.recordRoute !== null) headers.push({ name: 'Record-Route', value: options.recordRoute });
  let sawMaxForwards = false;
  for (const field of request.headers) {
    const key = headerKey(field.name);
    if (replaced.has(key)) continue;
    if (key === 'max-forwards') {
      // §16.6 step 3: "the proxy MUST decrement its value by one".
      sawMaxForwards = true;
      headers.push({ name: field.name, value: String(Math.max(0, (maxForwards ?? DEFAULT_MAX_FORWARDS) - 1)) });
      continue;
    }
    if (key === 'content-length') continue;
    headers.push({ name: field.name, value: field.value });
  }
  if (!sawMaxForwards) headers.push({ name: 'Max-Forwards', value: String(DEFAULT_MAX_FORWARDS) });
  headers.push(...extra);
  headers.push({ name: 'Content-Length', value: String(request.body.length) });
  return { ...request, uri: options.targetUri, headers };
}

/**
 * §16.6 steps 6–7: with a Route left (loose routing) the request goes to its first URI, otherwise
 * to the Request-URI.
 */
export function nextHop(forwarded: SipRequest): string {
  return topRouteUri(forwarded) ?? forwarded.uri;
}

/**
 * §16.7 step 3: "The proxy removes the topmost Via header field value from the response."
 * Null when no Via is left: the response was meant for this element (§16.7 step 3 "If no Via
 * header field values remain in the response, the response was meant for this element").
 */
export function relayResponse(response: SipResponse): SipResponse | null {
  const vias = headerValues(response, 'Via');
  if (vias.length < 2) return null;
  return { ...response, headers: replaceAll(response.headers, 'via', vias.slice(1)) };
}

/**
 * The URI for a destination of `srf.proxyRequest`. A destination without a user part keeps the
 * user of the original Request-URI, so `proxyRequest(req, 'sip:10.0.0.1')` reaches the same user
 * at that host (the way drachtio-server applications use it); otherwise it is used as given.
 */
export function destinationUri(destination: string, original: string): string {
  try {
    const target = parseUri(destination);
    const source = parseUri(original);
    if (target.scheme === 'tel' || source.scheme === 'tel' || target.user !== null || source.user === null) return destination;
    return formatUri({ ...target, user: source.user });
  } catch {
    return destination;
  }
}

/** `Route`/`Via` edits keep the position of the first field of that name and write one value per line. */
function replaceAll(headers: readonly HeaderField[], key: string, values: readonly string[]): HeaderField[] {
  const out: HeaderField[] = [];
  let placed = false;
  for (const field of headers) {
    if (headerKey(field.name) !== key) {
      out.push(field);
      continue;
    }
    if (placed) continue;
    placed = true;
    for (const value of values) out.push({ name: field.name, value });
  }
  return out;
}
