/**
 * Runs once before the suite: the real peers the tests drive must be installed. A missing peer is
 * a failure with an install hint, never a skip (DESIGN.md "Tests").
 */
import { execFileSync } from 'node:child_process';

const PEERS: { binary: string; args: string[]; pkg: string }[] = [
  { binary: 'sipp', args: ['-v'], pkg: 'sip-tester' },
  { binary: 'redis-server', args: ['--version'], pkg: 'redis-server' },
];

export default function setup(): void {
  const missing: string[] = [];
  for (const peer of PEERS) {
    try {
      execFileSync(peer.binary, peer.args, { stdio: 'ignore' });
    } catch (error) {
      // sipp -v exits non-zero on some builds; only "not found" means missing.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') missing.push(`${peer.binary} (apt-get install ${peer.pkg})`);
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `test peers missing: ${missing.join(', ')}. Run "bash scripts/install-test-deps.sh" (or "npm test", which runs it).`,
    );
  }
}
