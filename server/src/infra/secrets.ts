// Secrets at rest (engine API keys now, platform OAuth tokens later): AES-256-GCM with a random
// 96-bit IV per value. A stored value reads `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url);
// the key id (first 8 bytes of SHA-256 of the key) lets several keys coexist during a rotation and
// turns "wrong key" into a clear message instead of garbage. The key comes from SECRETS_KEY (32
// bytes, hex or base64) or from DATA_DIR/secrets.key, created on first start with mode 0600.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';
const KEY_FILE = 'secrets.key';
/** Written first by a rotation; read too, so a rotation cut short by a crash loses nothing. */
const NEXT_KEY_FILE = 'secrets.key.next';

const b64 = (b: Buffer) => b.toString('base64url');

export function keyIdOf(key: Buffer): string {
  return b64(createHash('sha256').update(key).digest().subarray(0, 8));
}

/** Parses a 32-byte key written as 64 hex digits or base64 / base64url; null when it is neither. */
export function parseSecretKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return b.length === 32 ? b : null;
}

export class SecretDecryptError extends Error {}

export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  private readonly primary: { id: string; key: Buffer };

  /** `keys[0]` encrypts; every key decrypts values written with it. */
  constructor(keys: Buffer[]) {
    if (keys.length === 0) throw new Error('SecretBox needs at least one key');
    for (const k of keys) {
      if (k.length !== 32) throw new Error('A secrets key must be 32 bytes');
      this.keys.set(keyIdOf(k), k);
    }
    this.primary = { id: keyIdOf(keys[0]!), key: keys[0]! };
  }

  get primaryKeyId(): string { return this.primary.id; }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.primary.key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, this.primary.id, b64(iv), b64(cipher.getAuthTag()), b64(ct)].join('.');
  }

  decrypt(token: string): string {
    const parts = token.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretDecryptError('A stored secret is not in a format this version can read.');
    const key = this.keys.get(parts[1]!);
    if (!key) throw new SecretDecryptError('A stored secret was encrypted with another key (SECRETS_KEY or DATA_DIR/secrets.key changed). Restore the old key, or enter the secret again.');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[2]!, 'base64url'));
      decipher.setAuthTag(Buffer.from(parts[3]!, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(parts[4]!, 'base64url')), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new SecretDecryptError('A stored secret could not be decrypted (it was changed or damaged).', { cause: err } as ErrorOptions);
    }
  }

  /** True when the value was written with the primary key (a rotation leaves none that is not). */
  isCurrent(token: string): boolean {
    return token.split('.')[1] === this.primary.id;
  }
}

async function readKeyFile(file: string): Promise<Buffer | null> {
  let text: string;
  try { text = await fs.readFile(file, 'utf8'); } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const key = parseSecretKey(text);
  if (!key) throw new Error(`${file} does not hold a 32-byte key (64 hex digits or base64).`);
  return key;
}

/** Writes a key file atomically with mode 0600 (temp file + rename). */
async function writeKeyFile(file: string, key: Buffer): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  await fs.rename(tmp, file);
}

export interface SecretKeySource {
  /** SECRETS_KEY, already parsed. */
  envKey: Buffer | null;
  dataDir: string;
}

/**
 * The keys of this process, primary first: SECRETS_KEY when set, else DATA_DIR/secrets.key
 * (created now if missing). A `secrets.key.next` left by an interrupted rotation is read too.
 */
export async function loadSecretKeys(src: SecretKeySource): Promise<Buffer[]> {
  const keys: Buffer[] = [];
  const next = await readKeyFile(path.join(src.dataDir, NEXT_KEY_FILE));
  if (src.envKey) keys.push(src.envKey);
  else {
    let key = await readKeyFile(path.join(src.dataDir, KEY_FILE));
    if (!key) {
      await fs.mkdir(src.dataDir, { recursive: true });
      key = randomBytes(32);
      try { await writeKeyFile(path.join(src.dataDir, KEY_FILE), key); } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      key = (await readKeyFile(path.join(src.dataDir, KEY_FILE)))!; // another process may have won the race
    }
    keys.push(key);
  }
  if (next && !keys.some((k) => k.equals(next))) keys.push(next);
  return keys;
}

/**
 * Key rotation in three steps that survive a crash between any two: the new key is written to
 * `secrets.key.next` (read by every start, so values re-encrypted with it stay readable), the
 * caller re-encrypts every stored secret in one transaction (`reencrypt`), then the new key
 * replaces `secrets.key`. With SECRETS_KEY the new key stays in `secrets.key.next` for the operator
 * to move into SECRETS_KEY.
 */
export async function rotateSecretKey(src: SecretKeySource, reencrypt: (box: SecretBox) => Promise<number>): Promise<{ key: Buffer; reencrypted: number; file: string }> {
  const old = await loadSecretKeys(src);
  const nextFile = path.join(src.dataDir, NEXT_KEY_FILE);
  let key = await readKeyFile(nextFile);
  if (!key || old[0]!.equals(key)) {
    key = randomBytes(32);
    await fs.rm(nextFile, { force: true });
    await fs.mkdir(src.dataDir, { recursive: true });
    await writeKeyFile(nextFile, key);
  }
  const reencrypted = await reencrypt(new SecretBox([key, ...old.filter((k) => !k.equals(key))]));
  // With SECRETS_KEY the operator sets the new key; until then the file keeps every process able
  // to read the re-encrypted values. It is theirs to delete once SECRETS_KEY holds the new key.
  if (src.envKey) return { key, reencrypted, file: nextFile };
  await fs.rename(nextFile, path.join(src.dataDir, KEY_FILE));
  return { key, reencrypted, file: path.join(src.dataDir, KEY_FILE) };
}
