/**
 * Wraps the transport handed to the transaction layer so the drachtio side can learn what was
 * actually put on the wire for a given message object (the echo of §5.2 carries the exact text,
 * and is sent only after the message has been handed to the transport).
 *
 * Only sends that someone asked for are kept, and only until they are handed over: the
 * transaction layer holds its messages for up to 64×T1, and remembering what every one of them
 * produced (bytes included) would keep all of that alive with them.
 */
import type { SipMessage, SipResponse } from '../message/sip-message.js';
import type { RequestOrigin, SendTarget, SentInfo, SipTransport } from '../transport/transport.js';

type Outcome = SentInfo | null;

export class WireTap implements Pick<SipTransport, 'send' | 'sendResponse'> {
  private readonly waiting = new WeakMap<SipMessage, (outcome: Promise<Outcome>) => void>();

  constructor(private readonly inner: Pick<SipTransport, 'send' | 'sendResponse'>) {}

  send(message: SipMessage, target: SendTarget): Promise<SentInfo> {
    return this.record(message, this.inner.send(message, target));
  }

  sendResponse(response: SipResponse, request: RequestOrigin): Promise<SentInfo> {
    return this.record(response, this.inner.sendResponse(response, request));
  }

  /**
   * Call before handing `message` down: resolves with what its first send produced, or null when
   * that send failed or did not happen within the current turn of the event loop.
   */
  expectSend(message: SipMessage): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const deliver = (outcome: Promise<Outcome>): void => void outcome.then(resolve);
      this.waiting.set(message, deliver);
      setImmediate(() => {
        if (this.waiting.get(message) !== deliver) return;
        this.waiting.delete(message);
        resolve(null);
      });
    });
  }

  private record(message: SipMessage, promise: Promise<SentInfo>): Promise<SentInfo> {
    const deliver = this.waiting.get(message);
    if (deliver) {
      this.waiting.delete(message);
      deliver(promise.then((info) => info, () => null));
    }
    return promise;
  }
}
