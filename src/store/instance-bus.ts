/**
 * Request/reply between talkbridge instances, addressed by instance id (config `instance.id`).
 * Scale-out uses it to carry a call command to the instance whose drachtio-srf legs carry the call
 * (src/calls/forwarding-call-controller.ts). Implementation: Redis pub/sub
 * (redis/redis-instance-bus.ts); a single instance (SQLite store) has no bus and no forwarding.
 *
 * The bus knows nothing of calls: request and reply bodies are decoded with zod schemas the
 * composition root passes in, at the edge where a message arrives. Expected failures are values.
 */

/** Why a request got no reply. */
export type BusFailure =
  /** No process listens on the target's address (Redis PUBLISH reached 0 subscribers). */
  | 'unreachable'
  /** The target received the request but no reply came within the time allowed. */
  | 'timeout'
  /** The target received the request and refused it (malformed, or it serves nothing yet). */
  | 'rejected'
  /** The bus itself could not send (Redis down). */
  | 'unavailable'
  /** This bus is closed (shutting down). */
  | 'closed';

export type BusOutcome<Res> =
  | { ok: true; reply: Res; correlationId: string }
  | { ok: false; failure: BusFailure; detail: string; correlationId: string | null };

export interface BusRequestMeta {
  /** Instance that sent the request. */
  from: string;
  correlationId: string;
}

/** Serves one request; its result is the reply. Should not throw (a throw is logged, the requester gets `rejected`). */
export type BusHandler<Req, Res> = (request: Req, meta: BusRequestMeta) => Promise<Res>;

export interface InstanceBus<Req, Res> {
  /** This instance's id: where replies to its requests (and requests for it) are addressed. */
  readonly instanceId: string;
  /** Set the handler of requests addressed to this instance (one handler; a second call replaces it). */
  serve(handler: BusHandler<Req, Res>): void;
  /** Send `request` to instance `to`; resolves with its reply or a failure, never later than `timeoutMs`. */
  request(to: string, request: Req, timeoutMs: number): Promise<BusOutcome<Res>>;
  /** Stop receiving; pending requests resolve `closed`. Leaves nothing that keeps the process alive. */
  close(): Promise<void>;
}
