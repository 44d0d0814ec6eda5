/**
 * The final response the caller gets when the AI agent's endpoint does not take the call, and the
 * reason recorded on the session (issue 5: "agent unreachable or rejecting → the caller gets a clean
 * final response and the session records why"). The agent's own status is not passed through as is:
 * a 404 or 401 from a misconfigured agent must not tell the carrier the dialled number is wrong.
 */
export interface AgentFailure {
  /** Final status from the agent side (including 408/503 the SIP stack generates), null for an error. */
  status: number | null;
  /** We cancelled because the agent did not answer within `agentAnswerTimeoutSeconds`. */
  timedOut: boolean;
}

export type AgentEndReason = 'agent_no_answer' | 'agent_busy' | 'agent_declined' | 'agent_unreachable' | 'agent_rejected';

export interface CallerFinal {
  status: 480 | 486 | 603;
  endReason: AgentEndReason;
}

export function callerFinalForAgentFailure(failure: AgentFailure): CallerFinal {
  if (failure.timedOut) return { status: 480, endReason: 'agent_no_answer' };
  switch (failure.status) {
    case 486:
    case 600:
      return { status: 486, endReason: 'agent_busy' };
    case 603:
      return { status: 603, endReason: 'agent_declined' };
    case null:
    case 408: // RFC 3261 §8.1.3.1: transaction timeout
    case 503: // RFC 3261 §8.1.3.1: transport error
      return { status: 480, endReason: 'agent_unreachable' };
    default:
      return { status: 480, endReason: 'agent_rejected' };
  }
}
