/**
 * Writes what happens on a call to the store through the session service: timeline events,
 * lifecycle transitions and transfer records. Writes for one session are applied in the
 * order they were issued (one promise chain per session) and never block or break the call: a store
 * failure is logged, not thrown.
 */
import type { Logger } from 'pino';
import type { SessionService } from '../sessions/session-service.js';
import type { Session, SessionState, Transfer } from '../sessions/session.js';
import type { Store } from '../store/store.js';

type TransferPatch = Parameters<Store['transfers']['update']>[1];

export class SessionRecorder {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly service: SessionService,
    private readonly store: Pick<Store, 'sessions' | 'transfers'>,
    private readonly log: Logger,
  ) {}

  event(sessionId: string, type: string, data: Record<string, unknown> = {}): void {
    this.enqueue(sessionId, `event ${type}`, () => this.service.event(sessionId, type, data));
  }

  /** Lifecycle step (checked by the session lifecycle; a refused step is logged). */
  transition(sessionId: string, to: SessionState, details: { endReason?: string; data?: Record<string, unknown> } = {}): void {
    this.enqueue(sessionId, `transition to ${to}`, async () => {
      const result = await this.service.transition(sessionId, to, details);
      if (!result.ok) this.log.warn({ sessionId, to, reason: result.reason, detail: result.detail }, 'session transition refused');
    });
  }

  /**
   * Store a new transfer once `after` settles, ahead of every later write of its session (so its
   * updates never reach a missing row). Resolves when stored; rejects if the write fails.
   */
  createTransfer(transfer: Transfer, after: Promise<void>): Promise<void> {
    let settle!: (error: unknown) => void;
    const stored = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === null ? resolve() : reject(error));
    });
    this.enqueue(transfer.sessionId, 'transfer create', async () => {
      await after;
      try {
        await this.store.transfers.create(transfer);
        settle(null);
      } catch (error) {
        settle(error);
        throw error;
      }
    });
    return stored;
  }

  transfer(transfer: Pick<Transfer, 'id' | 'sessionId'>, patch: TransferPatch): void {
    this.enqueue(transfer.sessionId, 'transfer update', async () => {
      await this.store.transfers.update(transfer.id, patch);
    });
  }

  /** Resolves once every write issued so far for `sessionId` (or for all sessions) is done. */
  async idle(sessionId?: string): Promise<void> {
    if (sessionId !== undefined) {
      await this.chains.get(sessionId);
      return;
    }
    await Promise.all([...this.chains.values()]);
  }

  /** The session after the writes issued so far for it are applied. */
  async read(sessionId: string): Promise<Session | null> {
    await this.idle(sessionId);
    return this.store.sessions.get(sessionId);
  }

  private enqueue(sessionId: string, what: string, write: () => Promise<void>): void {
    const previous = this.chains.get(sessionId) ?? Promise.resolve();
    const next = previous.then(write).catch((error: unknown) => {
      this.log.error({ err: error, sessionId }, `store write failed: ${what}`);
    });
    this.chains.set(sessionId, next);
    void next.then(() => {
      if (this.chains.get(sessionId) === next) this.chains.delete(sessionId);
    });
  }
}
