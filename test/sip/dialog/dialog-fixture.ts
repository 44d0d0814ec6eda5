import type { DialogState } from '../../../src/sip/dialog/dialog-state.js';

export function dialogFixture(over: Partial<DialogState> = {}): DialogState {
  return {
    id: 'c1;from-tag=ours',
    role: 'uac',
    usage: 'invite',
    phase: 'confirmed',
    callId: 'c1',
    localTag: 'ours',
    remoteTag: 'theirs',
    localParty: '"Alice" <sip:alice@example.com>;tag=ours',
    remoteParty: '<sip:bob@example.com>;tag=theirs',
    localSeq: 10,
    remoteSeq: null,
    remoteTarget: 'sip:bob@10.0.0.2:5080;transport=udp',
    routeSet: [],
    localContact: '<sip:127.0.0.1:5060>',
    secure: false,
    ...over,
  };
}
