import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh directory under the OS temp dir; `remove()` deletes it and everything in it. */
export function makeTempDir(prefix = 'talkbridge-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * For a test file: `tempDir()` makes a fresh directory each call, and all of them are deleted after
 * the file's tests (vitest `afterAll`).
 */
export function tempDirFactory(prefix: string): () => string {
  const dirs: { remove: () => void }[] = [];
  afterAll(() => {
    for (const d of dirs.splice(0)) d.remove();
  });
  return () => {
    const dir = makeTempDir(prefix);
    dirs.push(dir);
    return dir.path;
  };
}
