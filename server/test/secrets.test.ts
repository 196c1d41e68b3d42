// Secrets at rest: AES-256-GCM values that only the right key opens, a key file created once with
// mode 0600, SECRETS_KEY taking precedence, and a rotation that keeps every secret readable
// whatever step a crash interrupts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { keyIdOf, loadSecretKeys, parseSecretKey, rotateSecretKey, SecretBox, SecretDecryptError } from '../src/infra/secrets.ts';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-')); });
afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

test('a value round-trips, carries no plaintext, and differs every time (random IV)', () => {
  const box = new SecretBox([randomBytes(32)]);
  const a = box.encrypt('sk-live-abcdef123456');
  const b = box.encrypt('sk-live-abcdef123456');
  expect(a).not.toBe(b);
  expect(a).not.toContain('abcdef');
  expect(Buffer.from(a.split('.')[4]!, 'base64url').toString('latin1')).not.toContain('abcdef');
  expect(box.decrypt(a)).toBe('sk-live-abcdef123456');
  expect(box.decrypt(box.encrypt('ünïcødé 🔑'))).toBe('ünïcødé 🔑');
});

test('another key, or a changed byte, is refused with a clear message — never garbage', () => {
  const box = new SecretBox([randomBytes(32)]);
  const token = box.encrypt('secret');
  expect(() => new SecretBox([randomBytes(32)]).decrypt(token)).toThrow(/encrypted with another key/);
  const parts = token.split('.');
  const ct = Buffer.from(parts[4]!, 'base64url');
  ct[0] = ct[0]! ^ 1;
  parts[4] = ct.toString('base64url');
  expect(() => box.decrypt(parts.join('.'))).toThrow(SecretDecryptError);
  expect(() => box.decrypt('not-a-secret')).toThrow(/format/);
});

test('the key file is created once, mode 0600, and reused', async () => {
  const [k1] = await loadSecretKeys({ envKey: null, dataDir: dir });
  const file = path.join(dir, 'secrets.key');
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  const [k2] = await loadSecretKeys({ envKey: null, dataDir: dir });
  expect(k2!.equals(k1!)).toBe(true);
  expect(parseSecretKey(fs.readFileSync(file, 'utf8'))!.equals(k1!)).toBe(true);
});

test('SECRETS_KEY wins over the file; hex and base64 both parse', async () => {
  const key = randomBytes(32);
  expect(parseSecretKey(key.toString('hex'))!.equals(key)).toBe(true);
  expect(parseSecretKey(key.toString('base64'))!.equals(key)).toBe(true);
  expect(parseSecretKey('too-short')).toBeNull();
  const keys = await loadSecretKeys({ envKey: key, dataDir: dir });
  expect(keys[0]!.equals(key)).toBe(true);
  expect(fs.existsSync(path.join(dir, 'secrets.key'))).toBe(false);
});

test('rotation re-encrypts with a new key and retires the old one', async () => {
  const [old] = await loadSecretKeys({ envKey: null, dataDir: dir });
  let stored = [new SecretBox([old!]).encrypt('key-one'), new SecretBox([old!]).encrypt('key-two')];
  const res = await rotateSecretKey({ envKey: null, dataDir: dir }, async (box) => {
    const oldBox = new SecretBox([old!]);
    stored = stored.map((s) => box.encrypt(oldBox.decrypt(s)));
    return stored.length;
  });
  expect(res.reencrypted).toBe(2);
  const keys = await loadSecretKeys({ envKey: null, dataDir: dir });
  expect(keys).toHaveLength(1);
  expect(keyIdOf(keys[0]!)).not.toBe(keyIdOf(old!));
  const box = new SecretBox(keys);
  expect(stored.map((s) => box.decrypt(s))).toEqual(['key-one', 'key-two']);
  expect(() => new SecretBox([old!]).decrypt(stored[0]!)).toThrow(/another key/);
  expect(fs.existsSync(path.join(dir, 'secrets.key.next'))).toBe(false);
});

test('a rotation killed after the re-encryption committed loses nothing: the next start reads both keys, and a re-run finishes it', async () => {
  const [old] = await loadSecretKeys({ envKey: null, dataDir: dir });
  let stored = new SecretBox([old!]).encrypt('precious');
  // The re-encryption commits, then the process dies before the key file is replaced.
  await expect(rotateSecretKey({ envKey: null, dataDir: dir }, async (box) => {
    stored = box.encrypt('precious');
    throw new Error('killed');
  })).rejects.toThrow('killed');
  const afterCrash = new SecretBox(await loadSecretKeys({ envKey: null, dataDir: dir }));
  expect(afterCrash.decrypt(stored)).toBe('precious');
  // Running the command again reuses the pending key and completes.
  await rotateSecretKey({ envKey: null, dataDir: dir }, async (box) => { stored = box.encrypt(afterCrash.decrypt(stored)); return 1; });
  const keys = await loadSecretKeys({ envKey: null, dataDir: dir });
  expect(keys).toHaveLength(1);
  expect(new SecretBox(keys).decrypt(stored)).toBe('precious');
});

test('a rotation that failed before committing leaves the old values readable', async () => {
  const [old] = await loadSecretKeys({ envKey: null, dataDir: dir });
  const stored = new SecretBox([old!]).encrypt('still-here');
  await expect(rotateSecretKey({ envKey: null, dataDir: dir }, async () => { throw new Error('database down'); })).rejects.toThrow('database down');
  expect(new SecretBox(await loadSecretKeys({ envKey: null, dataDir: dir })).decrypt(stored)).toBe('still-here');
});

test('with SECRETS_KEY the new key waits in secrets.key.next, readable by every process until the operator moves it', async () => {
  const envKey = randomBytes(32);
  let stored = new SecretBox([envKey]).encrypt('env-secret');
  const res = await rotateSecretKey({ envKey, dataDir: dir }, async (box) => { stored = box.encrypt('env-secret'); return 1; });
  expect(res.file).toBe(path.join(dir, 'secrets.key.next'));
  expect(new SecretBox(await loadSecretKeys({ envKey, dataDir: dir })).decrypt(stored)).toBe('env-secret');
  expect(new SecretBox(await loadSecretKeys({ envKey: res.key, dataDir: dir })).decrypt(stored)).toBe('env-secret');
});
