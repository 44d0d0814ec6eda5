/**
 * In-process notifications about sessions, so call control (src/calls) and the Zendesk integration
 * (src/zendesk) can react to each other without importing each other (DESIGN.md "Layers": they meet
 * in sessions/). main.ts creates one SessionEvents and passes it to both through their constructors.
 *
 * - calls/ reports `opened(session)` once the session is stored; zendesk/ listens to match a ticket
 *   that arrived before the INVITE.
 * - zendesk/ reports `ticketStamped(sessionId, match)` after the compare-and-set stamp; calls/ may
 *   listen to end a transfer's wait for the ticket early (the store stays the source of truth: with
 *   several instances the stamp can happen elsewhere, so waiters also re-read the session).
 *
 * Listeners must not throw; if one does, the error goes to `onListenerError` and the others still run.
 */
import type { Session, TicketMatch } from './session.js';

export type SessionOpenedListener = (session: Session) => Promise<unknown> | void;
export type TicketStampedListener = (sessionId: string, match: TicketMatch) => void;

export interface SessionEventsOptions {
  onListenerError?: (error: unknown, event: 'opened' | 'ticketStamped') => void;
}

export class SessionEvents {
  private readonly openedListeners = new Set<SessionOpenedListener>();
  private readonly stampedListeners = new Set<TicketStampedListener>();
  private readonly onListenerError: (error: unknown, event: 'opened' | 'ticketStamped') => void;

  constructor(options: SessionEventsOptions = {}) {
    this.onListenerError = options.onListenerError ?? (() => undefined);
  }

  /** Returns the function that unsubscribes. */
  onOpened(listener: SessionOpenedListener): () => void {
    this.openedListeners.add(listener);
    return () => this.openedListeners.delete(listener);
  }

  onTicketStamped(listener: TicketStampedListener): () => void {
    this.stampedListeners.add(listener);
    return () => this.stampedListeners.delete(listener);
  }

  /** Resolves when every listener has finished; never rejects. Callers need not await it. */
  async opened(session: Session): Promise<void> {
    await Promise.all(
      [...this.openedListeners].map(async (listener) => {
        try {
          await listener(session);
        } catch (error) {
          this.onListenerError(error, 'opened');
        }
      }),
    );
  }

  ticketStamped(sessionId: string, match: TicketMatch): void {
    for (const listener of this.stampedListeners) {
      try {
        listener(sessionId, match);
      } catch (error) {
        this.onListenerError(error, 'ticketStamped');
      }
    }
  }
}
