/**
 * Wraps the transport handed to the transaction layer so the drachtio side can learn what was
 * actually put on the wire for a given message object (the echo of §5.2 carries the exact text,
 * and is sent only after the message has been handed to the transport).
 */
import type { SipMessage, SipResponse } from '../message/sip-message.js';
import type { RequestOrigin, SendTarget, SentInfo, SipTransport } from '../transport/transport.js';

type Outcome = SentInfo | null;

export class WireTap implements Pick<SipTransport, 'send' | 'sendResponse'> {
  private readonly sent = new WeakMap<SipMessage, Promise<Outcome>>();
  private readonly waiting = new WeakMap<SipMessage, (outcome: Promise<Outcome>) => void>();

  constructor(private readonly inner: Pick<SipTransport, 'send' | 'sendResponse'>) {}

  send(message: SipMessage, target: SendTarget): Promise<SentInfo> {
    return this.record(message, this.inner.send(message, target));
  }

  sendResponse(response: SipResponse, request: RequestOrigin): Promise<SentInfo> {
    return this.record(response, this.inner.sendResponse(response, request));
  }

  /**
   * What the first send of `message` produced: its SentInfo, or null when it failed or when the
   * transaction layer did not send it at all (checked after the current turn of the event loop).
   */
  whenSent(message: SipMessage): Promise<Outcome> {
    const known = this.sent.get(message);
    if (known) return known;
    return new Promise<Outcome>((resolve) => {
      this.waiting.set(message, (outcome) => void outcome.then(resolve));
      setImmediate(() => {
        if (!this.sent.has(message)) {
          this.waiting.delete(message);
          resolve(null);
        }
      });
    });
  }

  private record(message: SipMessage, promise: Promise<SentInfo>): Promise<SentInfo> {
    if (!this.sent.has(message)) {
      const outcome = promise.then(
        (info) => info,
        () => null,
      );
      this.sent.set(message, outcome);
      this.waiting.get(message)?.(outcome);
      this.waiting.delete(message);
    }
    return promise;
  }
}
