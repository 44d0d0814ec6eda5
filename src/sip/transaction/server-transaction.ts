/**
 * A server transaction as its TU sees it: the request, `respond()`/`reply()`, and notifications
 * for CANCEL and failures. It owns a TransactionRunner around the INVITE or non-INVITE server
 * reducer; the TransactionLayer creates it and removes it from its table when it terminates.
 */
import type { SipAddress, SipRequest, SipResponse } from '../message/sip-message.js';
import { createResponse, type ResponseOptions } from './create-response.js';
import { inviteServerReducer, startInviteServer, type InviteServerState } from './invite-server-reducer.js';
import { nonInviteServerReducer, startNonInviteServer, type NonInviteServerState } from './non-invite-server-reducer.js';
import { newTag } from './random-ids.js';
import type { SipLogger } from './sip-logger.js';
import type { TimerApi } from './timer-api.js';
import type { TimerValues } from './timer-values.js';
import { responseToTag, type ServerTransactionIdentity } from './transaction-key.js';
import { TransactionRunner, type TuEffect } from './transaction-runner.js';
import type { InviteServerEvent, NonInviteServerEvent, TransactionFailure } from './transaction-types.js';

/** Where the request came from; responses go back per RFC 3261 §18.2.2 through it. */
export interface InboundContext {
  source: SipAddress;
  local: SipAddress;
  connectionId: string | null;
}

/** Callbacks from a server transaction to its TU. */
export interface ServerTransactionUser {
  /** The request that created the transaction, or an ACK that matched it in Accepted (RFC 6026). */
  onRequest(transaction: ServerTransaction, request: SipRequest): void;
  /** Timer H fired (no ACK, 408) or a response could not be sent (503). */
  onFailure?(transaction: ServerTransaction, failure: TransactionFailure): void;
  /** The transaction reached Terminated: the TU can drop what it keeps for it (not called on dispose). */
  onTerminated?(transaction: ServerTransaction): void;
}

export interface ServerTransactionDeps {
  id: string;
  request: SipRequest;
  inbound: InboundContext;
  timers: TimerValues;
  clock: TimerApi;
  logger: SipLogger;
  sendResponse(response: SipResponse, inbound: InboundContext): Promise<unknown>;
  /** Counted by the layer (retransmissions sent). */
  onSent(response: SipResponse, retransmission: boolean): void;
  onTerminated(transaction: ServerTransaction): void;
}

type AnyState = InviteServerState | NonInviteServerState;
type AnyEvent = InviteServerEvent | NonInviteServerEvent;

export class ServerTransaction implements ServerTransactionIdentity {
  readonly id: string;
  readonly request: SipRequest;
  readonly method: string;
  readonly inbound: InboundContext;
  readonly reliable: boolean;
  /** To tag of the final response sent (RFC 2543 ACK matching). */
  responseToTag: string | null = null;
  readonly requestToTag: string | null;
  private readonly runner: TransactionRunner<AnyState, AnyEvent>;
  private readonly deps: ServerTransactionDeps;
  private user: ServerTransactionUser | null = null;
  private localTag: string | null = null;
  private finalSent: number | null = null;
  private cancelRequest: SipRequest | null = null;
  private readonly cancelListeners: ((cancel: SipRequest) => void)[] = [];

  constructor(deps: ServerTransactionDeps, requestToTag: string | null) {
    this.deps = deps;
    this.id = deps.id;
    this.request = deps.request;
    this.method = deps.request.method;
    this.inbound = deps.inbound;
    this.reliable = deps.timers.reliable;
    this.requestToTag = requestToTag;
    const ports = {
      send: (message: SipRequest | SipResponse, retransmission: boolean) => {
        deps.onSent(message as SipResponse, retransmission);
        return deps.sendResponse(message as SipResponse, deps.inbound);
      },
      notify: (effect: TuEffect) => this.notify(effect),
      terminated: () => {
        deps.onTerminated(this);
        const user = this.user;
        if (user?.onTerminated) this.safely(() => user.onTerminated?.(this));
      },
    };
    this.runner =
      this.method === 'INVITE'
        ? (new TransactionRunner(inviteServerReducer, startInviteServer(deps.request, deps.timers), deps.clock, ports) as TransactionRunner<AnyState, AnyEvent>)
        : (new TransactionRunner(nonInviteServerReducer, startNonInviteServer(deps.request, deps.timers), deps.clock, ports) as TransactionRunner<AnyState, AnyEvent>);
  }

  /** RFC 3261 state name (Proceeding, Completed, Confirmed, Accepted, Trying, Terminated). */
  get state(): string {
    return this.runner.state.name;
  }

  get terminated(): boolean {
    return this.runner.terminated;
  }

  /** Status of the final response sent, or null while the request is still pending. */
  get finalStatus(): number | null {
    return this.finalSent;
  }

  /** The CANCEL that matched this transaction (§9.2), or null. */
  get cancelled(): SipRequest | null {
    return this.cancelRequest;
  }

  /** The To tag `reply()` adds to responses (one per transaction, generated on first use). */
  get toTag(): string {
    this.localTag ??= this.requestToTag ?? newTag();
    return this.localTag;
  }

  /**
   * Hand the request to the TU, then — for INVITE — send 100 Trying if the TU did not answer
   * within that call (§17.2.1; see invite-server-reducer.ts).
   */
  start(user: ServerTransactionUser): void {
    this.user = user;
    this.runner.start();
    if (this.method === 'INVITE') this.runner.dispatch({ type: 'tu-deferred' });
  }

  /** Pass a response from the TU to the transaction (sent, retransmitted or discarded per state). */
  respond(response: SipResponse): void {
    if (!Number.isInteger(response.status) || response.status < 100 || response.status > 699) {
      throw new RangeError(`invalid response status ${response.status}`);
    }
    if (response.status >= 200 && this.finalSent === null && !this.runner.terminated) {
      this.finalSent = response.status;
      this.responseToTag = responseToTag(response);
    }
    this.runner.dispatch({ type: 'tu-response', response });
  }

  /** Build a response with `createResponse` (this transaction's To tag) and `respond()` with it. */
  reply(status: number, reason?: string, options: Omit<ResponseOptions, 'toTag'> = {}): SipResponse {
    const response = createResponse(this.request, status, reason, { ...options, toTag: this.toTag });
    this.respond(response);
    return response;
  }

  /** Listen for a CANCEL matching this transaction (§9.2). */
  onCancel(listener: (cancel: SipRequest) => void): void {
    this.cancelListeners.push(listener);
  }

  /** A request matched this transaction (retransmission or ACK), from the layer. */
  receive(request: SipRequest): void {
    this.runner.dispatch({ type: 'request', request });
  }

  /** The layer matched a CANCEL to this transaction; it has already answered the CANCEL. */
  markCancelled(cancel: SipRequest): void {
    if (this.cancelRequest !== null) return;
    this.cancelRequest = cancel;
    for (const listener of this.cancelListeners) this.safely(() => listener(cancel));
  }

  /** Timers currently armed (tests, diagnostics). */
  armedTimers(): string[] {
    return this.runner.armedTimers();
  }

  /** Stop silently (stack shutdown). */
  dispose(): void {
    this.runner.dispose();
  }

  private notify(effect: TuEffect): void {
    const user = this.user;
    if (user === null) return;
    switch (effect.type) {
      case 'to-tu-request':
        this.safely(() => user.onRequest(this, effect.request));
        break;
      case 'to-tu-failure':
        this.deps.logger.debug({ txnId: this.id, code: effect.failure.code }, 'server transaction failed');
        this.safely(() => user.onFailure?.(this, effect.failure));
        break;
      case 'to-tu-response':
      case 'send-cancel':
        // Client-side effects; a server reducer never produces them.
        break;
      default: {
        const never: never = effect;
        throw new Error(`unknown TU effect ${JSON.stringify(never)}`);
      }
    }
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.deps.logger.error({ txnId: this.id, err: error }, 'transaction user threw');
    }
  }
}
