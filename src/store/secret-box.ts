/**
 * Encryption at rest for stored secrets (Zendesk API tokens, webhook signing secrets):
 * AES-256-GCM, random 96-bit IV per value, the record id and field name as associated data so a
 * ciphertext cannot be moved to another record or field. Format: `v1:<iv>:<tag>:<ciphertext>` (base64url).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TalkbridgeError } from '../errors.js';

export const SECRET_KEY_FILE = 'secret.key';

export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new TypeError('SecretBox key must be 32 bytes');
    this.key = Buffer.from(key);
  }

  encrypt(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1:${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${body.toString('base64url')}`;
  }

  decrypt(sealed: string, context: string): string {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) {
      throw new TalkbridgeError('STORE_ERR_UNAVAILABLE', 'stored secret has an unknown format', { context });
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new TalkbridgeError(
        'STORE_ERR_UNAVAILABLE',
        'cannot decrypt a stored secret (was store.secretKey or the data directory key file changed?)',
        { context },
        { cause: error },
      );
    }
  }
}

/**
 * The key in `<dataDir>/secret.key` (64 hex chars), created with mode 0600 on first use.
 * `wx` makes creation atomic: if two processes race, the loser reads the winner's key.
 */
export function loadOrCreateSecretKey(dataDir: string): Buffer {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, SECRET_KEY_FILE);
  try {
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  chmodSync(path, 0o600);
  const text = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new TalkbridgeError('CONFIG_ERR_INVALID', `${path}: must hold 64 hex characters (a 32-byte key)`, { path });
  }
  return Buffer.from(text, 'hex');
}
