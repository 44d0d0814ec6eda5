/**
 * A client transaction as its TU sees it (SIP.js `ClientTransaction` + `TransactionUser` style):
 * created by the layer with the request and a target, reports responses and failures upward
 * through a `ClientTransactionUser`, and — for INVITE — can be cancelled (§9.1).
 */
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { SendTarget, SentInfo } from '../transport/transport.js';
import { inviteClientReducer, startInviteClient, type InviteClientState } from './invite-client-reducer.js';
import { nonInviteClientReducer, startNonInviteClient, type NonInviteClientState } from './non-invite-client-reducer.js';
import type { SipLogger } from './sip-logger.js';
import type { TimerApi } from './timer-api.js';
import type { TimerValues } from './timer-values.js';
import { TransactionRunner, type TuEffect } from './transaction-runner.js';
import type { InviteClientEvent, NonInviteClientEvent, TransactionFailure } from './transaction-types.js';

/** Callbacks from a client transaction to its TU (RFC 3261 §8.1.3). */
export interface ClientTransactionUser {
  /** Every provisional and final response passed up (2xx retransmissions too, RFC 6026). */
  onResponse?(response: SipResponse, transaction: ClientTransaction): void;
  /**
   * Timer B/F fired (treat as 408) or the transport failed (treat as 503), §8.1.3.1. Use
   * `failureResponse()` to get a synthetic response if uniform handling is wanted.
   */
  onFailure?(failure: TransactionFailure, transaction: ClientTransaction): void;
  onTerminated?(transaction: ClientTransaction): void;
}

export interface ClientTransactionDeps {
  id: string;
  key: string;
  request: SipRequest;
  target: SendTarget;
  timers: TimerValues;
  /** The timers of a reliable transport, adopted when the transport moves the request to TCP. */
  reliableTimers: TimerValues;
  clock: TimerApi;
  logger: SipLogger;
  user: ClientTransactionUser;
  send(request: SipRequest, target: SendTarget, retransmission: boolean): Promise<SentInfo>;
  /** Send the CANCEL for this INVITE in its own non-INVITE client transaction (§9.1). */
  sendCancel(transaction: ClientTransaction): void;
  onTerminated(transaction: ClientTransaction): void;
}

type AnyState = InviteClientState | NonInviteClientState;
type AnyEvent = InviteClientEvent | NonInviteClientEvent;

export class ClientTransaction {
  readonly id: string;
  /** §17.1.3 matching key (branch + method). */
  readonly key: string;
  readonly method: string;
  private sentRequest: SipRequest;
  private sentTarget: SendTarget;
  private reliableTransport: boolean;
  private readonly runner: TransactionRunner<AnyState, AnyEvent>;
  private readonly deps: ClientTransactionDeps;

  constructor(deps: ClientTransactionDeps) {
    this.deps = deps;
    this.id = deps.id;
    this.key = deps.key;
    this.sentRequest = deps.request;
    this.method = deps.request.method;
    this.sentTarget = deps.target;
    this.reliableTransport = deps.timers.reliable;
    let first = true;
    const ports = {
      send: (message: SipRequest | SipResponse, retransmission: boolean) => {
        const sending = deps.send(message as SipRequest, this.sentTarget, retransmission);
        // Only a first send over an unreliable transport can be moved to TCP (§18.1.1).
        if (first && message === deps.request && !this.reliableTransport) {
          first = false;
          sending.then(
            (info) => this.adopt(info),
            () => undefined,
          );
        }
        return sending;
      },
      notify: (effect: TuEffect) => this.notify(effect),
      terminated: () => {
        deps.onTerminated(this);
        this.safely(() => deps.user.onTerminated?.(this));
      },
    };
    this.runner =
      this.method === 'INVITE'
        ? (new TransactionRunner(inviteClientReducer, startInviteClient(deps.request, deps.timers), deps.clock, ports) as TransactionRunner<AnyState, AnyEvent>)
        : (new TransactionRunner(nonInviteClientReducer, startNonInviteClient(deps.request, deps.timers), deps.clock, ports) as TransactionRunner<AnyState, AnyEvent>);
  }

  get state(): string {
    return this.runner.state.name;
  }

  /** The request as sent: the TU's, or its TCP copy when the transport moved it (§18.1.1). CANCEL/ACK build on it. */
  get request(): SipRequest {
    return this.sentRequest;
  }

  /** Where the request went (transport actually used, and its TCP connection). */
  get target(): SendTarget {
    return this.sentTarget;
  }

  get reliable(): boolean {
    return this.reliableTransport;
  }

  get terminated(): boolean {
    return this.runner.terminated;
  }

  /** Send the request and arm the timers. Called by the layer once the transaction is registered. */
  start(): void {
    this.runner.start();
  }

  /**
   * Ask for the INVITE to be cancelled (RFC 3261 §9.1). The CANCEL leaves once a provisional
   * response has arrived; after a final response it has no effect. Non-INVITE requests are not
   * cancelled by this engine (§9.1 allows it but "SHOULD NOT" for non-INVITE).
   */
  cancel(): void {
    if (this.method !== 'INVITE') return;
    this.runner.dispatch({ type: 'tu-cancel' });
  }

  /** A response matched this transaction (§17.1.3), from the layer. */
  receive(response: SipResponse): void {
    this.runner.dispatch({ type: 'response', response });
  }

  armedTimers(): string[] {
    return this.runner.armedTimers();
  }

  dispose(): void {
    this.runner.dispose();
  }

  /**
   * RFC 3261 §18.1.1: a request too large for UDP went over TCP. From then on the transaction
   * behaves as one on a reliable transport, and what it sends later (CANCEL, ACK for a non-2xx)
   * follows the request: same transport and connection, same top Via (§9.1, §17.1.1.3).
   */
  private adopt(info: SentInfo): void {
    if (this.reliableTransport || info.transport !== 'tcp' || info.message?.kind !== 'request') return;
    this.sentRequest = info.message;
    this.sentTarget = { transport: 'tcp', address: info.destination.address, port: info.destination.port, connectionId: info.connectionId ?? null };
    this.reliableTransport = true;
    this.deps.logger.debug({ txnId: this.id }, 'request moved to TCP; reliable-transport timers from now on');
    this.runner.dispatch({ type: 'transport-switched', request: info.message, timers: this.deps.reliableTimers });
  }

  private notify(effect: TuEffect): void {
    const user = this.deps.user;
    switch (effect.type) {
      case 'to-tu-response':
        this.safely(() => user.onResponse?.(effect.response, this));
        break;
      case 'to-tu-failure':
        this.deps.logger.debug({ txnId: this.id, code: effect.failure.code }, 'client transaction failed');
        this.safely(() => user.onFailure?.(effect.failure, this));
        break;
      case 'send-cancel':
        this.deps.sendCancel(this);
        break;
      case 'to-tu-request':
        // Server-side effect; a client reducer never produces it.
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

