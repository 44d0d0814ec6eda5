/**
 * Parse one complete SIP message from a Buffer (RFC 3261 §7): start line, header lines, body.
 *
 * This stage checks syntax only — the start line, header-line shape, line folding and
 * Content-Length framing. Semantic sanity checks (mandatory headers, CSeq vs method, version 2.0,
 * URI grammar) are `validateRequest`/`validateResponse`; the stack runs parse → validate.
 *
 * Hot path: one `indexOf` for the end of the headers on the Buffer, one decode of the header
 * section, then line scanning with `indexOf`; no regular expressions; structured headers are left
 * as text for the accessors to parse on demand. The body is copied out as bytes, never decoded.
 */
import { isDigit, isTokenChar, isWsp } from './char-classes.js';
import { sipError, type SipErrorCodeName } from './sip-error-codes.js';
import type { HeaderField, SipMessage } from './sip-message.js';
import type { ParseResult, SipParseError } from './sip-parse-error.js';

/** Default largest message accepted (the largest UDP payload); larger → 513 (RFC 3261 §21.5.14). */
export const MAX_MESSAGE_SIZE = 65_535;

export interface ParseOptions {
  /** Largest message in bytes; a larger one is rejected with 513 Message Too Large. */
  maxSize?: number;
  /** Stream transports (TCP) require Content-Length (RFC 3261 §18.3, §20.14). */
  requireContentLength?: boolean;
  /**
   * The body is everything after the empty line, whatever Content-Length says, and the message
   * gets one Content-Length field with the body's byte length in place of those it had. For text
   * whose framing is already known (a drachtio frame) and whose writer may count characters
   * instead of bytes (drachtio-srf does).
   */
  bodyToEnd?: boolean;
}

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');
/** Shared by every message without a body (a zero-length Buffer has nothing to mutate). */
const EMPTY_BODY = Buffer.alloc(0);
/** Content-Length above this is nonsense for a single message; rejected instead of risking overflow. */
const MAX_CONTENT_LENGTH = 0xffffffff;

type Partial = SipParseError['partial'];

interface HeadSection {
  kind: 'request' | 'response';
  method: string;
  uri: string;
  version: string;
  status: number;
  reason: string;
  headers: HeaderField[];
  /** Content-Length fields (long or compact), and their agreed value, for framing. */
  contentLengthFields: HeaderField[];
  contentLength: string | null;
  error: { code: SipErrorCodeName; detail: string } | null;
}

/** Parse one complete message. Never throws on bad input. */
export function parseMessage(data: Buffer, options?: ParseOptions): ParseResult {
  try {
    return parseUnguarded(data, options);
  } catch {
    // Defensive: a bug in the parser must not take down the transport (issue 3 "Bad input").
    return { ok: false, error: sipError('SIP_ERR_MALFORMED') };
  }
}

function fail(code: SipErrorCodeName, detail: string | undefined, partial?: Partial): ParseResult {
  return { ok: false, error: sipError(code, detail, partial) };
}

function partialOf(head: HeadSection | null): Partial {
  if (!head) return { kind: 'unknown', headers: [] };
  return head.kind === 'request'
    ? { kind: 'request', method: head.method, headers: head.headers }
    : { kind: 'response', headers: head.headers };
}

function parseUnguarded(data: Buffer, options?: ParseOptions): ParseResult {
  const len = data.length;
  // RFC 3261 §7.5: leading empty lines are ignored.
  let start = 0;
  while (start + 1 < len && data[start] === 13 && data[start + 1] === 10) start += 2;
  if (start >= len || (start === len - 1 && data[start] === 13)) return fail('SIP_ERR_EMPTY', undefined);

  const headEnd = data.indexOf(CRLFCRLF, start);
  const maxSize = options?.maxSize ?? MAX_MESSAGE_SIZE;

  if (len > maxSize) {
    // RFC 3261 §21.5.14: 513. The partial is read from at most `maxSize` bytes: the whole header
    // section when it ends within them, otherwise every complete line that does, so a request
    // whose headers alone are too large can still be answered from its Via/From/To/Call-ID/CSeq.
    const limit = Math.min(len, start + maxSize);
    const end = headEnd !== -1 && headEnd + 2 <= limit ? headEnd + 2 : lastLineEnd(data, start, limit);
    const head = end > start ? parseHead(data.toString('utf8', start, end)) : null;
    return fail('SIP_ERR_MESSAGE_TOO_LARGE', undefined, partialOf(head));
  }
  if (headEnd === -1) {
    // No empty line: read what header lines there are for the partial, then fail.
    const head = parseHead(data.toString('utf8', start, len));
    return fail('SIP_ERR_NO_HEADER_END', undefined, partialOf(head));
  }

  // +2 keeps the CRLF of the last header line so every line ends in CRLF.
  const bodyToEnd = options?.bodyToEnd === true;
  const head = parseHead(data.toString('utf8', start, headEnd + 2), bodyToEnd);
  if (head === null) return fail('SIP_ERR_BAD_START_LINE', 'neither a Request-Line nor a Status-Line');
  if (head.error) return fail(head.error.code, head.error.detail, partialOf(head));

  const bodyStart = headEnd + 4;
  const available = len - bodyStart;
  let bodyLength = available;
  if (bodyToEnd) {
    head.headers = head.headers.filter((field) => !isContentLengthName(field.name));
    head.headers.push({ name: 'Content-Length', value: String(available) });
  } else if (head.contentLength !== null) {
    const cl = parseContentLength(head.contentLength);
    if (cl < 0) return fail('SIP_ERR_BAD_CONTENT_LENGTH', 'not a number', partialOf(head));
    // RFC 3261 §18.3: over a datagram a body shorter than Content-Length is an error (400);
    // bytes beyond Content-Length are discarded.
    if (cl > available) return fail('SIP_ERR_BAD_CONTENT_LENGTH', 'larger than the body', partialOf(head));
    bodyLength = cl;
  } else if (options?.requireContentLength) {
    return fail('SIP_ERR_MISSING_CONTENT_LENGTH', undefined, partialOf(head));
  }
  // RFC 3261 §18.3: without Content-Length (datagram) the body runs to the end of the packet.
  // Zero-copy view of the received bytes. Transports hand the parser memory of the message's own
  // (a UDP datagram's buffer; a TCP message copied out by the stream framer), never a slice of a
  // shared pool, so a body kept for a whole call pins only its own message (see stream-framer.ts).
  const body = bodyLength === 0 ? EMPTY_BODY : data.subarray(bodyStart, bodyStart + bodyLength);

  const message: SipMessage =
    head.kind === 'request'
      ? { kind: 'request', method: head.method, uri: head.uri, version: head.version, headers: head.headers, body }
      : { kind: 'response', status: head.status, reason: head.reason, version: head.version, headers: head.headers, body };
  return { ok: true, message };
}

/** Offset just past the last CRLF in `data[start, limit)`, or `start` when there is none. */
function lastLineEnd(data: Buffer, start: number, limit: number): number {
  const at = data.lastIndexOf(CRLF, limit - 2);
  return at >= start ? at + 2 : start;
}

/** 1*DIGIT (RFC 3261 §20.14) as a number, or -1. */
function parseContentLength(text: string): number {
  if (text.length === 0 || text.length > 10) return -1;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - 48);
  }
  return n > MAX_CONTENT_LENGTH ? -1 : n;
}

/** `SIP/` 1*DIGIT "." 1*DIGIT (RFC 3261 §7.1; "SIP" is case-insensitive as an ABNF literal). */
function isSipVersion(s: string): boolean {
  if (s.length < 7) return false;
  const c0 = s.charCodeAt(0) | 0x20;
  const c1 = s.charCodeAt(1) | 0x20;
  const c2 = s.charCodeAt(2) | 0x20;
  if (c0 !== 115 || c1 !== 105 || c2 !== 112 || s.charCodeAt(3) !== 47) return false;
  let i = 4;
  const a = i;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  if (i === a || s.charCodeAt(i) !== 46) return false;
  i++;
  const b = i;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  return i > b && i === s.length;
}

/**
 * Start line + header lines. `text` ends with the CRLF of its last line (or is cut when the
 * empty line is missing). Returns null when the start line is neither a request nor a response.
 */
function parseHead(text: string, ignoreContentLength = false): HeadSection | null {
  let eol = text.indexOf('\r\n');
  if (eol === -1) eol = text.length;
  const head = parseStartLine(text.slice(0, eol));
  if (head === null) return null;
  const firstLf = text.indexOf('\n');
  const firstCr = text.indexOf('\r');
  if ((firstLf !== -1 && firstLf < eol + 1) || (firstCr !== -1 && firstCr < eol)) {
    // Overrides whatever the start-line parser made of the broken line.
    head.error = { code: 'SIP_ERR_BAD_START_LINE', detail: 'bare CR or LF' };
  }

  const headers = head.headers;
  let pos = eol + 2;
  const end = text.length;
  let cr = -1; // next CR at or after pos, found once per CR so the scan stays linear
  while (pos < end) {
    let lf = text.indexOf('\n', pos);
    if (lf === -1) lf = end;
    // RFC 3261 §7.5: lines end in CRLF; a bare CR or LF inside a line is not allowed.
    const lineEnd = text.charCodeAt(lf - 1) === 13 && lf < end ? lf - 1 : lf;
    if (cr < pos) {
      cr = text.indexOf('\r', pos);
      if (cr === -1) cr = end;
    }
    if ((lf < end && lineEnd !== lf - 1) || cr < lineEnd) {
      setError(head, 'SIP_ERR_BAD_HEADER', 'bare CR or LF');
      break; // the line structure is lost; keep what was read for the partial
    }
    const first = text.charCodeAt(pos);
    if (first === 32 || first === 9) {
      // RFC 3261 §7.3.1: a line starting with SP/HTAB continues the previous header; the fold
      // (CRLF + whitespace) is equivalent to a single SP.
      const last = headers[headers.length - 1];
      if (last === undefined) setError(head, 'SIP_ERR_BAD_HEADER', 'continuation line before any header');
      else {
        const piece = trimRange(text, pos, lineEnd);
        if (piece.length > 0) last.value = last.value.length > 0 ? last.value + ' ' + piece : piece;
      }
    } else {
      readHeaderLine(text, pos, lineEnd, head);
    }
    pos = lf + 1;
  }
  if (!ignoreContentLength) settleContentLength(head);
  return head;
}

function setError(head: HeadSection, code: SipErrorCodeName, detail: string): void {
  if (head.error === null) head.error = { code, detail };
}

function trimRange(text: string, a: number, b: number): string {
  while (a < b && isWsp(text.charCodeAt(a))) a++;
  while (b > a && isWsp(text.charCodeAt(b - 1))) b--;
  return text.slice(a, b);
}

/** RFC 3261 §7.3.1: field-name HCOLON field-value, HCOLON = *( SP / HTAB ) ":" SWS. */
function readHeaderLine(text: string, pos: number, lineEnd: number, head: HeadSection): void {
  let colon = -1;
  let nameEnd = -1;
  let i = pos;
  for (; i < lineEnd; i++) {
    const c = text.charCodeAt(i);
    if (isTokenChar(c)) continue;
    if (c === 58 /* : */) {
      colon = i;
      nameEnd = i;
      break;
    }
    if (c === 32 || c === 9) {
      nameEnd = i;
      let j = i;
      while (j < lineEnd && isWsp(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) === 58) colon = j;
      break;
    }
    break;
  }
  if (colon === -1 || nameEnd === pos) {
    setError(head, 'SIP_ERR_BAD_HEADER', colon === -1 ? 'line without a colon or a bad header name' : 'empty header name');
    return;
  }
  const name = text.slice(pos, nameEnd);
  const value = trimRange(text, colon + 1, lineEnd);
  const field = { name, value };
  head.headers.push(field);
  // Content-Length / l: needed for framing (RFC 3261 §18.3); read once the value is unfolded.
  if (isContentLengthName(name)) head.contentLengthFields.push(field);
}

/** The one Content-Length value, after unfolding; several different values are an error. */
function settleContentLength(head: HeadSection): void {
  for (const f of head.contentLengthFields) {
    if (head.contentLength === null) head.contentLength = f.value;
    else if (head.contentLength !== f.value) setError(head, 'SIP_ERR_BAD_CONTENT_LENGTH', 'several different values');
  }
}

function isContentLengthName(name: string): boolean {
  if (name.length === 1) return (name.charCodeAt(0) | 0x20) === 108; // l
  if (name.length !== 14) return false;
  return name.toLowerCase() === 'content-length';
}

function newHead(kind: 'request' | 'response'): HeadSection {
  return {
    kind,
    method: '',
    uri: '',
    version: '',
    status: 0,
    reason: '',
    headers: [],
    contentLengthFields: [],
    contentLength: null,
    error: null,
  };
}

/** RFC 3261 §7.1 Request-Line / §7.2 Status-Line. */
function parseStartLine(line: string): HeadSection | null {
  const c0 = line.charCodeAt(0) | 0x20;
  if (
    c0 === 115 &&
    line.length > 4 &&
    (line.charCodeAt(1) | 0x20) === 105 &&
    (line.charCodeAt(2) | 0x20) === 112 &&
    line.charCodeAt(3) === 47
  ) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    const head = newHead('response');
    const sp = line.indexOf(' ');
    const version = sp === -1 ? line : line.slice(0, sp);
    if (!isSipVersion(version)) {
      setError(head, 'SIP_ERR_BAD_STATUS_LINE', 'bad SIP-Version');
      return head;
    }
    head.version = version;
    const d0 = line.charCodeAt(sp + 1);
    const d1 = line.charCodeAt(sp + 2);
    const d2 = line.charCodeAt(sp + 3);
    const after = sp + 4;
    // Status-Code = 3DIGIT, 100–699 (RFC 3261 §7.2, §21)
    if (
      sp === -1 ||
      !(d0 >= 49 && d0 <= 54) ||
      !isDigit(d1) ||
      !isDigit(d2) ||
      (after < line.length && line.charCodeAt(after) !== 32)
    ) {
      setError(head, 'SIP_ERR_BAD_STATUS_LINE', 'bad Status-Code');
      return head;
    }
    head.status = (d0 - 48) * 100 + (d1 - 48) * 10 + (d2 - 48);
    // DEVIATION: a Status-Line without the SP before an empty Reason-Phrase is accepted.
    head.reason = after < line.length ? line.slice(after + 1) : '';
    return head;
  }

  // Request-Line = Method SP Request-URI SP SIP-Version — exactly two single SPs.
  const sp1 = line.indexOf(' ');
  if (sp1 <= 0) return null;
  for (let i = 0; i < sp1; i++) {
    if (!isTokenChar(line.charCodeAt(i))) {
      // A line that ends in a SIP-Version is a request with a bad Method; anything else is noise.
      if (!isSipVersion(line.slice(line.lastIndexOf(' ') + 1))) return null;
      const bad = newHead('request');
      setError(bad, 'SIP_ERR_BAD_METHOD', 'Method is not a token');
      return bad;
    }
  }
  const head = newHead('request');
  head.method = line.slice(0, sp1);
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp2 === -1) {
    setError(head, 'SIP_ERR_BAD_REQUEST_LINE', 'missing SIP-Version');
    return head;
  }
  if (sp2 === sp1 + 1) {
    setError(head, 'SIP_ERR_BAD_REQUEST_LINE', 'extra whitespace between elements');
    return head;
  }
  const version = line.slice(sp2 + 1);
  if (version.indexOf(' ') !== -1 || version.indexOf('\t') !== -1 || version.length === 0) {
    const trailing = version.length === 0 || isWsp(version.charCodeAt(version.length - 1));
    setError(head, 'SIP_ERR_BAD_REQUEST_LINE', trailing && !/\S\s+\S/.test(version) ? 'trailing whitespace' : 'whitespace in Request-URI');
    return head;
  }
  if (!isSipVersion(version)) {
    setError(head, 'SIP_ERR_BAD_REQUEST_LINE', 'bad SIP-Version');
    return head;
  }
  const uri = line.slice(sp1 + 1, sp2);
  if (uri.indexOf('\t') !== -1) {
    setError(head, 'SIP_ERR_BAD_REQUEST_LINE', 'whitespace in Request-URI');
    return head;
  }
  head.uri = uri;
  head.version = version;
  return head;
}
