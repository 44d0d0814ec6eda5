/** Prometheus metrics of call control, registered on the registry the composition root passes. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class CallMetrics {
  readonly inboundCalls: Counter<'result'>;
  readonly liveCalls: Gauge;
  readonly transfers: Counter<'outcome' | 'destination_type'>;
  /** Transfer command accepted → INVITE handed to the SIP server, seconds. */
  readonly transferInviteLatency: Histogram;
  /** Commands sent to the instance that owns the call (scale-out), by command and outcome. */
  readonly forwardedCommands: Counter<'command' | 'outcome'>;
  /** Labelled children, looked up once per label value (prom-client hashes the labels on every inc). */
  private readonly inboundByResult = new Map<string, Counter.Internal>();

  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    this.inboundCalls = new Counter({
      name: 'talkbridge_inbound_calls_total',
      help: 'Inbound INVITEs by result (answered, refused_403/404/503, agent_failed, cancelled)',
      labelNames: ['result'],
      registers,
    });
    this.liveCalls = new Gauge({ name: 'talkbridge_live_calls', help: 'Calls currently owned by this instance', registers });
    this.transfers = new Counter({
      name: 'talkbridge_transfers_total',
      help: 'Transfers by outcome and destination type',
      labelNames: ['outcome', 'destination_type'],
      registers,
    });
    this.transferInviteLatency = new Histogram({
      name: 'talkbridge_transfer_invite_seconds',
      help: 'Transfer command accepted until the INVITE was handed to the SIP server',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1, 5],
      registers,
    });
    this.forwardedCommands = new Counter({
      name: 'talkbridge_forwarded_commands_total',
      help: 'Call commands forwarded to the owning instance, by command (transfer, wait, hangup) and outcome (ok, refused, unreachable, timeout, failed)',
      labelNames: ['command', 'outcome'],
      registers,
    });
  }

  /** Count an inbound INVITE by its result (answered, refused_403/404/503, agent_failed, cancelled, store_failed). */
  countInbound(result: string): void {
    let child = this.inboundByResult.get(result);
    if (!child) {
      child = this.inboundCalls.labels({ result });
      this.inboundByResult.set(result, child);
    }
    child.inc();
  }
}
