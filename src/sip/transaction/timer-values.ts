/**
 * Transaction timer values (RFC 3261 §17 and Table 4, RFC 6026 for L and M), computed per
 * transaction instance from the base values T1/T2/T4 and the reliability of its transport.
 */

/** Every timer the four machines use. */
export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M';

export interface TimerSettings {
  /** RTT estimate, default 500 ms (RFC 3261 §17.1.1.1). */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  t2: number;
  /** Maximum duration a message remains in the network, default 5 s. */
  t4: number;
}

export const DEFAULT_TIMER_SETTINGS: Readonly<TimerSettings> = Object.freeze({ t1: 500, t2: 4000, t4: 5000 });

/**
 * Durations in milliseconds. `null` means "not armed on this transport" (A/E/G on reliable
 * transports); `0` means "fires at once" and the reducers go straight to Terminated.
 */
export interface TimerValues {
  reliable: boolean;
  t1: number;
  t2: number;
  /** Initial A (INVITE request retransmit), doubles each time; null on reliable transports. */
  A: number | null;
  /** INVITE client transaction timeout, 64*T1. */
  B: number;
  /** Wait time for response retransmits (INVITE client): ≥ 32 s unreliable, 0 reliable. */
  D: number;
  /** Initial E (non-INVITE request retransmit); null on reliable transports. */
  E: number | null;
  /** Non-INVITE client transaction timeout, 64*T1. */
  F: number;
  /** Initial G (INVITE final response retransmit); null on reliable transports. */
  G: number | null;
  /** Wait time for ACK receipt, 64*T1. */
  H: number;
  /** Wait time for ACK retransmits: T4 unreliable, 0 reliable. */
  I: number;
  /** Wait time for non-INVITE request retransmits: 64*T1 unreliable, 0 reliable. */
  J: number;
  /** Wait time for non-INVITE response retransmits: T4 unreliable, 0 reliable. */
  K: number;
  /** RFC 6026: INVITE server Accepted state lifetime, 64*T1 for all transports. */
  L: number;
  /** RFC 6026: INVITE client Accepted state lifetime, 64*T1 for all transports. */
  M: number;
}

/** RFC 3261 Table 4: Timer D "> 32s for UDP". */
const TIMER_D_UNRELIABLE_MIN = 32_000;

export function computeTimerValues(reliable: boolean, settings: Partial<TimerSettings> = {}): TimerValues {
  const { t1, t2, t4 } = { ...DEFAULT_TIMER_SETTINGS, ...settings };
  const sixtyFourT1 = 64 * t1;
  return {
    reliable,
    t1,
    t2,
    // RFC 3261 §17.1.1.2: "If a reliable transport is being used, the client transaction SHOULD NOT start timer A".
    A: reliable ? null : t1,
    B: sixtyFourT1,
    // §17.1.1.2: "at least 32 seconds for unreliable transports, and ... zero seconds for reliable transports".
    D: reliable ? 0 : Math.max(TIMER_D_UNRELIABLE_MIN, sixtyFourT1),
    // §17.1.2.2: "If an unreliable transport is in use, the client transaction MUST set timer E to fire in T1 seconds."
    E: reliable ? null : t1,
    F: sixtyFourT1,
    // §17.2.1: "If an unreliable transport is being used, the server transaction ... MUST start timer G to fire in T1."
    G: reliable ? null : t1,
    H: sixtyFourT1,
    // §17.2.1: "Timer I ... T4 seconds for unreliable transports, and zero seconds for reliable transports."
    I: reliable ? 0 : t4,
    // §17.2.2: "Timer J ... 64*T1 seconds for unreliable transports, and zero seconds for reliable transports."
    J: reliable ? 0 : sixtyFourT1,
    // §17.1.2.2: "Timer K ... T4 seconds for unreliable transports, and zero seconds for reliable transports."
    K: reliable ? 0 : t4,
    // RFC 6026: Timer L (server) and Timer M (client) are "64*T1" for all transports.
    L: sixtyFourT1,
    M: sixtyFourT1,
  };
}
