/**
 * One request forwarded by the transaction-stateful proxy (RFC 3261 §16): the response context
 * of a server transaction and its client transactions ("branches"), serial or parallel forking,
 * optional recursion on 3xx, per-branch provisional/final timeouts, CANCEL (§16.10) and the
 * choice of the response sent upstream (§16.7). Used for `srf.proxyRequest` (drachtio-protocol.md
 * §5.3, §12) and for in-dialog requests that reach the server through its own Record-Route.
 */
import { createResponse } from '../transaction/create-response.js';
import type { ClientTransaction, ClientTransactionUser } from '../transaction/client-transaction.js';
import type { ServerTransaction } from '../transaction/server-transaction.js';
import { headerValues } from '../message/index.js';
import type { HeaderField, SipAddress, SipRequest, SipResponse } from '../message/sip-message.js';
import { bestResponse, destinationUri, forwardRequest, maxForwardsOf, relayResponse, topRouteUri, upstreamStatus, uriOfAddress } from '../proxy/index.js';
import type { SendTarget } from '../transport/transport.js';
import { stampReceived } from '../transport/stamp-received.js';
import type { BridgeContext } from './bridge-context.js';
import type { ProxyHandle } from './bridge-types.js';
import { hostPort } from './sip-endpoints.js';

/** What the application hears about a proxy operation (§5.3); null for in-dialog forwarding. */
export interface ProxyReporter {
  /** A final response a target returned. */
  final(from: SipAddress, response: SipResponse): void;
  /** The operation is over: this final response went upstream. */
  done(upstream: SipResponse): void;
  /** It could not be started. */
  failed(text: string): void;
}

export interface ProxySettings {
  /** Target URIs in priority order (§16.5 target set). */
  targets: string[];
  /** Request-URI per branch: the target (§16.6 step 2) or, for in-dialog forwarding, the request's own. */
  rewriteUri: boolean;
  /** §16.6 step 4: stay in the dialog (`remainInDialog`). */
  recordRoute: boolean;
  /** §16.5: recurse on 3xx Contacts. */
  followRedirects: boolean;
  /** §16.7: parallel instead of sequential forking. */
  simultaneous: boolean;
  /** A branch without any provisional within this time is given up (ms). */
  provisionalTimeoutMs: number | null;
  /** A branch without a final response within this time is cancelled (ms). */
  finalTimeoutMs: number | null;
  /** §16.6 step 5: headers the application asked to add. */
  extraHeaders: HeaderField[];
}

/** Recursion on redirects stops growing the target set here. */
const MAX_TARGETS = 16;

interface Branch {
  readonly uri: string;
  target: SendTarget | null;
  client: ClientTransaction | null;
  provisional: boolean;
  /** Settled: a final response arrived, or the branch was given up. */
  settled: boolean;
  /** A final response came from the network (reported once). */
  answered: boolean;
  timers: unknown[];
}

export class ProxyOperation implements ProxyHandle {
  private readonly pending: string[];
  private readonly tried = new Set<string>();
  private readonly branches: Branch[] = [];
  /** Final responses in their upstream form (top Via removed), §16.7 step 4 "response context". */
  private readonly stored: SipResponse[] = [];
  private launching = 0;
  private finished = false;
  private cancelled = false;
  /** A 2xx or 6xx arrived: no new branches (§16.7 step 5 and "6xx ... cancel all pending"). */
  private closedForks = false;

  constructor(
    private readonly ctx: BridgeContext,
    private readonly server: ServerTransaction,
    /** The received request after Route preprocessing (§16.4). */
    private readonly request: SipRequest,
    private readonly settings: ProxySettings,
    private readonly reporter: ProxyReporter | null,
  ) {
    this.pending = [...settings.targets];
  }

  start(): void {
    // §16.3 step 3: "If the Max-Forwards value is zero (0), the element MUST NOT forward the request
    // ... the element MUST return a 483 (Too many hops) response".
    if (maxForwardsOf(this.request) === 0) {
      this.server.reply(483);
      this.reporter?.failed('Too Many Hops');
      this.finished = true;
      return;
    }
    if (this.pending.length === 0) {
      this.server.reply(500, 'No Proxy Destination');
      this.reporter?.failed('no destination to proxy to');
      this.finished = true;
      return;
    }
    this.ctx.proxies.set(this.server, this);
    this.advance();
  }

  /** §16.10: the request was CANCELled upstream (the caller already answered the CANCEL 200). */
  cancel(): void {
    if (this.finished) return;
    this.cancelled = true;
    // §16.10: "cancel any pending client transactions" — each CANCEL leaves once the branch has seen
    // a provisional response (§9.1); the 487s come back through the response context.
    for (const branch of this.branches) if (!branch.settled) branch.client?.cancel();
    this.advance();
  }

  close(): void {
    this.finished = true;
    this.pending.length = 0;
    for (const branch of this.branches) this.stopTimers(branch);
  }

  // ---- branches ------------------------------------------------------------------------------

  /** Start branches while allowed (§16.6, one at a time unless forking in parallel), or finish. */
  private advance(): void {
    if (this.finished) return;
    const active = this.launching > 0 || this.branches.some((b) => !b.settled);
    if (!this.cancelled && !this.closedForks && this.pending.length > 0 && (this.settings.simultaneous || !active)) {
      const batch = this.settings.simultaneous ? this.pending.splice(0) : [this.pending.shift()!];
      for (const uri of batch) void this.launch(uri);
      return;
    }
    if (!active) this.sendBest();
  }

  private async launch(uri: string): Promise<void> {
    this.tried.add(uri);
    const branch: Branch = { uri, target: null, client: null, provisional: false, settled: false, answered: false, timers: [] };
    this.branches.push(branch);
    this.launching++;
    try {
      await this.forward(branch);
    } catch (error) {
      this.ctx.log.warn({ target: uri, err: String(error) }, 'proxy branch not sent');
      // §16.9: a transport error is treated "as if the forwarded request received a 503".
      this.settle(branch, 503, 'Service Unavailable');
    } finally {
      this.launching--;
    }
    this.advance();
  }

  private async forward(branch: Branch): Promise<void> {
    if (this.cancelled) return this.settle(branch, 487, 'Request Terminated');
    const requestUri = this.settings.rewriteUri ? destinationUri(branch.uri, this.request.uri) : this.request.uri;
    const hop = topRouteUri(this.request) ?? requestUri;
    const resolved = await this.ctx.endpoints.resolve(hop);
    if (this.finished) {
      // Closed (shutdown) or answered by another branch while the target was being resolved.
      branch.settled = true;
      return;
    }
    if (!resolved.ok) return this.settle(branch, 503, 'Service Unavailable');
    // DEVIATION: §16.3 step 4 loop detection (Via branch comparison) is reduced to "never forward
    // to our own address", which is the loop a single embedded server can create.
    if (this.ctx.endpoints.isSelf(resolved.target.address, resolved.target.port)) return this.settle(branch, 482, 'Loop Detected');
    if (this.cancelled) return this.settle(branch, 487, 'Request Terminated');
    const local = this.server.inbound.local;
    const forwarded = forwardRequest(stampReceived(this.request, this.server.inbound.source), {
      targetUri: requestUri,
      via: this.ctx.endpoints.via(resolved.local, this.ctx.newBranch()),
      // DEVIATION: one Record-Route for the listener the request arrived on; no double
      // Record-Route when the two sides use different transports (RFC 5658).
      recordRoute: this.settings.recordRoute ? `<sip:${hostPort(local)};lr${local.transport === 'tcp' ? ';transport=tcp' : ''}>` : null,
      extraHeaders: this.settings.extraHeaders,
    });
    branch.target = resolved.target;
    branch.client = this.ctx.transactions.sendRequest(forwarded, resolved.target, this.user(branch));
    if (this.settings.provisionalTimeoutMs !== null) {
      branch.timers.push(this.ctx.scheduler.set(() => !branch.provisional && this.giveUp(branch), this.settings.provisionalTimeoutMs));
    }
    if (this.settings.finalTimeoutMs !== null) {
      branch.timers.push(this.ctx.scheduler.set(() => this.giveUp(branch), this.settings.finalTimeoutMs));
    }
  }

  private user(branch: Branch): ClientTransactionUser {
    return {
      onResponse: (response) => this.response(branch, response),
      onFailure: (failure) => {
        if (!branch.settled) this.settle(branch, failure.status, failure.reason);
        this.advance();
      },
    };
  }

  /** A branch timed out (drachtio provisional/final timeouts): cancel it and move on. */
  private giveUp(branch: Branch): void {
    if (branch.settled) return;
    branch.client?.cancel();
    this.settle(branch, 408, 'Request Timeout');
    this.advance();
  }

  /** Mark a branch done without a network response, storing a response of our own (§16.7 step 6). */
  private settle(branch: Branch, status: number, reason: string): void {
    this.stopTimers(branch);
    branch.settled = true;
    this.stored.push(createResponse(this.request, status, reason, { toTag: this.server.toTag }));
  }

  private stopTimers(branch: Branch): void {
    for (const timer of branch.timers) this.ctx.scheduler.clear(timer);
    branch.timers = [];
  }

  // ---- responses (§16.7) ---------------------------------------------------------------------

  private response(branch: Branch, response: SipResponse): void {
    const status = response.status;
    if (status < 200) {
      if (branch.settled) return;
      branch.provisional = true;
      // §16.7 step 5: "Any provisional response other than 100 (Trying) MUST be forwarded upstream".
      if (status > 100 && !this.finished) this.relay(response);
      return;
    }
    const first = !branch.answered;
    branch.answered = true;
    this.stopTimers(branch);
    const wasSettled = branch.settled;
    branch.settled = true;
    // Reported while the operation runs (srf stops listening once it got `done`).
    if (first && branch.target && !this.finished) this.reporter?.final(branch.target, response);
    if (status < 300) {
      // §16.7 step 5: "Any 2xx response to an INVITE request" MUST be forwarded at once — every
      // one of them (other branches', and RFC 6026 retransmissions the client transaction passes up).
      this.relay(response);
      if (!this.finished) {
        this.closedForks = true;
        this.cancelOthers(branch);
        this.finish(response);
      }
      return;
    }
    if (!first || wasSettled || this.finished) {
      this.advance();
      return;
    }
    if (status < 400 && this.settings.followRedirects && this.recurse(response)) {
      // §16.5: the Contacts joined the target set; the 3xx itself is not a candidate.
    } else {
      const upstream = relayResponse(response);
      if (upstream) this.stored.push(upstream);
    }
    if (status >= 600) {
      // §16.7 step 5: after a 6xx the proxy "SHOULD cancel all client pending transactions".
      this.closedForks = true;
      this.cancelOthers(branch);
    }
    this.advance();
  }

  /** §16.5: add the 3xx Contacts not tried yet to the target set; false when none was new. */
  private recurse(response: SipResponse): boolean {
    let added = false;
    for (const contact of headerValues(response, 'Contact')) {
      const uri = uriOfAddress(contact);
      if (uri === null || this.tried.has(uri) || this.pending.includes(uri)) continue;
      if (this.tried.size + this.pending.length >= MAX_TARGETS) break;
      this.pending.push(uri);
      added = true;
    }
    return added;
  }

  private cancelOthers(winner: Branch): void {
    for (const branch of this.branches) {
      if (branch === winner || branch.settled) continue;
      branch.client?.cancel();
      this.stopTimers(branch);
      branch.settled = true;
    }
    this.pending.length = 0;
  }

  /** §16.7 steps 3, 8, 9: top Via removed, sent on the server transaction. */
  private relay(response: SipResponse): void {
    const upstream = relayResponse(response);
    if (upstream === null) return;
    this.respond(upstream);
  }

  /**
   * §16.7 step 6: every branch is done; the best stored response (or 408/487) goes upstream.
   * DEVIATION: §16.7 step 7 (merging the challenges of several 401/407 into one) is not done; the
   * first one chosen goes up as it is. Timer C (§16.6 step 11) is left to the application's
   * `finalTimeout`; without one a branch lasts until its client transaction times out.
   */
  private sendBest(): void {
    const best = bestResponse(this.stored);
    let sent: SipResponse;
    if (best === null) sent = this.server.reply(this.cancelled ? 487 : 408);
    else {
      const { status, reason } = upstreamStatus(best);
      sent = status === best.status ? best : { ...best, status, reason };
      this.respond(sent);
    }
    this.finish(sent);
  }

  private respond(response: SipResponse): void {
    try {
      this.server.respond(response);
    } catch (error) {
      this.ctx.log.warn({ status: response.status, err: String(error) }, 'proxy could not relay response');
    }
  }

  private finish(upstream: SipResponse): void {
    if (this.finished) return;
    this.finished = true;
    if (this.ctx.proxies.get(this.server) === this) this.ctx.proxies.delete(this.server);
    for (const branch of this.branches) this.stopTimers(branch);
    this.reporter?.done(upstream);
  }
}
