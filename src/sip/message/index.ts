/**
 * Public API of the SIP message layer (RFC 3261 §7, §19.1, §20, §25; RFC 3966; RFC 3581).
 * CONTRACT: the transport, transaction, dialog and drachtio layers import from here only.
 *
 * Inbound pipeline: `parseMessage` (syntax + Content-Length framing) → `validateRequest` /
 * `validateResponse` (semantic sanity checks) → transaction layer. Both return defects as values
 * carrying the status to answer (400, 416, 505, 513 …).
 */
export type { HeaderField, SipMessage, SipRequest, SipResponse, SipAddress, TransportProtocol } from './sip-message.js';
export type { SipErrorCode, SipParseError, ParseResult } from './sip-parse-error.js';
export type { Via } from './parse-via.js';
export type { SipUri, TelUri } from './parse-uri.js';
export type { NameAddr } from './parse-name-addr.js';
export type { CSeq } from './parse-cseq.js';
export type { ParseOptions } from './parse-message.js';
export type { BuildResponseOptions } from './build-response.js';
export type { SipErrorCodeName } from './sip-error-codes.js';
export type { HasHeaders } from './header-access.js';

/** Parse one complete message (start line, headers, body). Never throws on bad input. */
export { parseMessage, MAX_MESSAGE_SIZE } from './parse-message.js';
/** Serialize exactly: header names/case/order kept; Content-Length is written as given. */
export { serializeMessage } from './serialize-message.js';
/** Header lookups (case-insensitive, long or compact names) and in-place edits. */
export {
  getHeader,
  headerValues,
  headerFields,
  hasHeader,
  setHeader,
  appendHeader,
  prependHeader,
  removeHeader,
} from './header-access.js';
export { COMPACT_FORMS, canonicalHeaderName, headerKey, isListHeader } from './header-names.js';
export { splitHeaderList } from './split-header-list.js';
/** Structured header views, parsed on demand; they throw `SipHeaderError` on malformed text. */
export { parseVia, formatVia, BRANCH_MAGIC_COOKIE } from './parse-via.js';
export { parseNameAddr, formatNameAddr } from './parse-name-addr.js';
export { parseCSeq, parseMaxForwards, parseExpires, MAX_CSEQ } from './parse-cseq.js';
export { parseUri, uriScheme } from './parse-uri.js';
export { formatUri } from './format-uri.js';
export { isIPv4, isIPv6 } from './host-syntax.js';
/** Defects: the code table, and the error the structured accessors throw. */
export { SIP_ERROR_CODES, sipError, sanitizeReason } from './sip-error-codes.js';
export { SipHeaderError, isSipHeaderError } from './sip-header-error.js';
export { validateRequest, validateResponse } from './validate-message.js';
/** Building messages. */
export { buildResponse } from './build-response.js';
export { generateTag, generateBranch, generateCallId } from './generate-ids.js';
export { ownString } from './own-string.js';
