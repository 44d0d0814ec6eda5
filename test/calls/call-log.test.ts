import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { CallLog } from '../../src/calls/call-log.js';

function capture(level: string): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

describe('CallLog', () => {
  it('logs with the call bindings at enabled levels, both call shapes', async () => {
    const { logger, lines } = capture('info');
    const log = new CallLog(logger, { callId: 'c1', sessionId: 'ses_1' });
    log.info({ reason: 'caller_hangup' }, 'call ended');
    log.warn('agent slow');
    log.debug('not shown');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, callId: 'c1', sessionId: 'ses_1', reason: 'caller_hangup', msg: 'call ended' }),
      expect.objectContaining({ level: 40, callId: 'c1', sessionId: 'ses_1', msg: 'agent slow' }),
    ]);
  });

  it('creates no child logger while nothing is logged at an enabled level', () => {
    const { logger } = capture('warn');
    const child = vi.spyOn(logger, 'child');
    const log = new CallLog(logger, { callId: 'c1' });
    log.info({ a: 1 }, 'below the level');
    expect(child).not.toHaveBeenCalled();
    log.error('shown');
    log.error('again');
    expect(child).toHaveBeenCalledTimes(1);
  });
});
