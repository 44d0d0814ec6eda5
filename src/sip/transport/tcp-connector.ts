/**
 * Opens an outbound TCP connection with a timeout; every failure is a typed `TransportError`.
 */
import { type Socket, connect } from 'node:net';
import type { SipAddress } from '../message/sip-message.js';
import { TransportError } from './transport-error.js';

export interface PendingConnect {
  readonly promise: Promise<Socket>;
  /** Settles when the socket's handle is released (after a failure, or when it finally closes). */
  readonly closed: Promise<void>;
  /** Give up (transport closing): the promise rejects with TRANSPORT_ERR_CLOSED. */
  abort(): void;
}

export function connectTcp(target: SipAddress, timeoutMs: number): PendingConnect {
  const socket = connect({ host: target.address, port: target.port });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let settle: ((error: TransportError | null) => void) | null = null;
  const promise = new Promise<Socket>((resolve, reject) => {
    const timer = setTimeout(() => {
      finish(new TransportError('TRANSPORT_ERR_CONNECT_TIMEOUT', target, `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (error: NodeJS.ErrnoException): void => {
      finish(new TransportError('TRANSPORT_ERR_CONNECT', target, error.code ?? error.message, { cause: error }));
    };
    const onConnect = (): void => finish(null);
    const finish = (error: TransportError | null): void => {
      if (!settle) return;
      settle = null;
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('connect', onConnect);
      if (error) {
        // Keep a listener: a late error on a destroyed socket must not become an uncaught exception.
        socket.on('error', () => undefined);
        socket.destroy();
        reject(error);
      } else {
        resolve(socket);
      }
    };
    settle = finish;
    socket.once('connect', onConnect);
    socket.on('error', onError);
  });
  return {
    promise,
    closed,
    abort: () => settle?.(new TransportError('TRANSPORT_ERR_CLOSED', target, 'transport closed while connecting')),
  };
}
