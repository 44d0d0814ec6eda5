/** Reason header values (RFC 3326) for BYEs the server sends on its own. */

/** RFC 3261 §13.3.1.4 "the session SHOULD be terminated … with a BYE"; text as drachtio-server sends it. */
export const ACK_TIMEOUT_REASON = 'SIP ;cause=200 ;text="ACK timeout"';

/**
 * A 2xx to our INVITE had no Contact (RFC 3261 §13.3.1.4: it "MUST contain a Contact"): drachtio-srf
 * ACKs it and fails the call, so the server ends the session nobody can use (§13.2.2.4: a dialog
 * the UAC does not want "MUST be terminated by sending a BYE").
 */
export const NO_CONTACT_REASON = 'SIP ;cause=200 ;text="2xx without Contact"';

/** A 2xx arrived for an INVITE the application had already cancelled (drachtio-protocol.md §7.4). */
export const CANCEL_RACE_REASON = 'SIP ;cause=200 ;text="ACK-BYE due to cancel race condition"';
