// The whole app on S3 storage: a real app (createTestApp) with STORAGE_DRIVER=s3 against an
// in-process s3rver (test/support/s3rver.ts). Every check on stored files reads the bucket
// directly through the S3 API (listKeys/getObject/headObject on the s3rver helper), never through
// our app, so the bytes at rest are what is asserted. Also: boot against an unusable S3 (closed
// port, missing bucket) fails with StorageUnavailableError naming endpoint and bucket, and the
// CLI prints just that message and exits 2.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../src/config/env.ts';
import { createContext } from '../src/context.ts';
import { S3Storage } from '../src/infra/storage/index.ts';
import { StorageUnavailableError } from '../src/infra/storage/storage.ts';
import { createTestApp, freshDatabase, signUp, validCharacter, type TestApp, type TestUser } from './harness.ts';
import { closedPort, startS3rver, type RunningS3rver } from './support/s3rver.ts';
import { phonePhoto, photo, uploadPhotos, waitForPhotoStatus, type UploadFile } from './support/uploads.ts';

const serverDir = path.resolve(import.meta.dirname, '..');

let s3: RunningS3rver;
let t: TestApp;
let u: TestUser;
/** `ainfluencer migrate` against a closed port; started first so its cold boot overlaps the other tests. */
let cliRun: Promise<{ endpoint: string; code: number | null; stdout: string; stderr: string }>;
beforeAll(async () => {
  cliRun = migrateWithUnreachableS3();
  cliRun.catch(() => {}); // awaited (and reported) by its test
  s3 = await startS3rver();
  t = await createTestApp({
    STORAGE_DRIVER: 's3',
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
  });
  u = await signUp(t);
});
afterAll(async () => {
  await t?.close();
  await s3?.close();
});

const upload = (characterId: string, files: UploadFile[], user = u) => uploadPhotos(t, user, characterId, files);
const get = (url: string, user = u) => t.app.inject({ method: 'GET', url, headers: { cookie: user.cookie } });
const del = (url: string, user = u) => t.app.inject({ method: 'DELETE', url, headers: { cookie: user.cookie } });

async function newCharacter(user = u) {
  const res = await t.app.inject({ method: 'POST', url: '/api/characters', payload: validCharacter(), headers: { cookie: user.cookie } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

/** An APP1 segment carrying EXIF: marker FF E1, two length bytes, then "Exif\0\0". */
function hasExifSegment(jpeg: Buffer) {
  for (let i = jpeg.indexOf(Buffer.from([0xff, 0xe1])); i !== -1; i = jpeg.indexOf(Buffer.from([0xff, 0xe1]), i + 1)) {
    if (jpeg.subarray(i + 4, i + 10).equals(Buffer.from('Exif\0\0', 'latin1'))) return true;
  }
  return false;
}

const folderOf = (userId: string, characterId: string) => `users/${userId}/characters/${characterId}/`;

describe('the app on S3 storage', () => {
  test('health reports the s3 driver; the boot check left no probe object', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, storage: 's3' });
    expect(t.ctx.storage).toBeInstanceOf(S3Storage);
    // the boot check's probe object was cleaned up
    expect(await s3.listKeys('_storage-check/')).toEqual([]);
  });

  test('an upload lands in the bucket as a JPEG without EXIF; the job adds a WebP thumbnail; both are served', async () => {
    const cid = await newCharacter();
    const input = await phonePhoto();
    expect(hasExifSegment(input)).toBe(true);
    expect(input.includes(Buffer.from('Jane Roe'))).toBe(true);

    const res = await upload(cid, [{ name: 'IMG_0001.JPG', data: input }]);
    expect(res.statusCode, res.body).toBe(201);
    const [p] = res.json().items;
    expect(p).toMatchObject({ mimeType: 'image/jpeg', width: 240, height: 400, status: 'processing' });

    const originalKey = `${folderOf(u.id, cid)}photos/${p.id}.jpg`;
    const thumbKey = `${folderOf(u.id, cid)}photos/${p.id}.thumb.webp`;
    // The original is in the bucket right after the 201 (the thumbnail may or may not be yet).
    expect(await s3.listKeys(folderOf(u.id, cid))).toContain(originalKey);
    const stored = await s3.getObject(originalKey);
    expect(await s3.headObject(originalKey)).toEqual({ size: stored.length, contentType: 'image/jpeg' });
    expect([...stored.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect([...stored.subarray(-2)]).toEqual([0xff, 0xd9]);
    expect(hasExifSegment(stored)).toBe(false);
    expect(stored.includes(Buffer.from('Jane Roe'))).toBe(false);
    expect(stored.includes(Buffer.from('TestCam'))).toBe(false);
    const meta = await sharp(stored).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 240, height: 400 });
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();

    const ready = await waitForPhotoStatus(t, u, cid, p.id, 'ready');
    expect(ready).toMatchObject({ thumbnailUrl: `/api/photos/${p.id}/thumbnail` });
    expect(await s3.listKeys(folderOf(u.id, cid))).toEqual([originalKey, thumbKey]);
    const thumb = await s3.getObject(thumbKey);
    expect(await s3.headObject(thumbKey)).toEqual({ size: thumb.length, contentType: 'image/webp' });
    expect(thumb.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(thumb.subarray(8, 12).toString('latin1')).toBe('WEBP');
    expect(await sharp(thumb).metadata()).toMatchObject({ format: 'webp', width: 320, height: 320 });

    // Through the API: the same bytes as in the bucket.
    const original = await get(p.url);
    expect(original.statusCode).toBe(200);
    expect(original.headers['content-type']).toBe('image/jpeg');
    expect(original.rawPayload.equals(stored)).toBe(true);
    const served = await get(`/api/photos/${p.id}/thumbnail`);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/webp');
    expect(served.rawPayload.equals(thumb)).toBe(true);

    // Nothing went to the local folder the local driver would have used.
    expect(fs.existsSync(path.join(t.dir, 'media'))).toBe(false);
  });

  test('a refused batch puts nothing in the bucket', async () => {
    const cid = await newCharacter();
    const res = await upload(cid, [{ name: 'good.jpg', data: await photo() }, { name: 'bad.jpg', data: Buffer.from('not an image') }]);
    expect(res.statusCode).toBe(415);
    expect(await s3.listKeys(folderOf(u.id, cid))).toEqual([]);
  });

  test('deleting a photo removes its original and thumbnail objects, and only those', async () => {
    const cid = await newCharacter();
    const [p, keep] = (await upload(cid, [{ name: 'a.jpg', data: await photo() }, { name: 'b.jpg', data: await photo() }])).json().items;
    await waitForPhotoStatus(t, u, cid, p.id, 'ready');
    await waitForPhotoStatus(t, u, cid, keep.id, 'ready');
    const photos = `${folderOf(u.id, cid)}photos/`;
    expect(await s3.listKeys(folderOf(u.id, cid))).toEqual(
      [`${photos}${p.id}.jpg`, `${photos}${p.id}.thumb.webp`, `${photos}${keep.id}.jpg`, `${photos}${keep.id}.thumb.webp`].sort(),
    );

    const res = await del(`/api/characters/${cid}/photos/${p.id}`);
    expect(res.statusCode).toBe(200);
    // The row goes at once; the files by a job once the delete has committed.
    expect((await get(p.url)).statusCode).toBe(404);
    await expect.poll(() => s3.listKeys(folderOf(u.id, cid)), { timeout: 30_000 }).toEqual([`${photos}${keep.id}.jpg`, `${photos}${keep.id}.thumb.webp`]);
    expect(await s3.headObject(`${photos}${p.id}.jpg`)).toBeNull();
    expect((await get(p.url)).statusCode).toBe(404);
    expect((await get(`/api/photos/${p.id}/thumbnail`)).statusCode).toBe(404);
    expect((await get(keep.url)).statusCode).toBe(200);
  });

  test("deleting a character removes every object under its folder; other characters' and users' objects stay", async () => {
    const doomed = await newCharacter();
    const sibling = await newCharacter();
    const other = await signUp(t, 'Other');
    const theirs = await newCharacter(other);

    const [d1, d2] = (await upload(doomed, [{ name: 'd1.jpg', data: await photo() }, { name: 'd2.jpg', data: await photo() }])).json().items;
    const [s1] = (await upload(sibling, [{ name: 's1.jpg', data: await photo() }])).json().items;
    const [o1] = (await upload(theirs, [{ name: 'o1.jpg', data: await photo() }], other)).json().items;
    for (const [cid, p, who] of [[doomed, d1, u], [doomed, d2, u], [sibling, s1, u], [theirs, o1, other]] as const) {
      await waitForPhotoStatus(t, who, cid, p.id, 'ready');
    }
    expect(await s3.listKeys(folderOf(u.id, doomed))).toHaveLength(4);
    const siblingBefore = await s3.listKeys(folderOf(u.id, sibling));
    const theirsBefore = await s3.listKeys(folderOf(other.id, theirs));
    expect(siblingBefore).toHaveLength(2);
    expect(theirsBefore).toHaveLength(2);
    const theirBytes = await Promise.all(theirsBefore.map((k) => s3.getObject(k)));

    // Another user cannot delete it, and trying changes nothing in the bucket.
    expect((await del(`/api/characters/${doomed}`, other)).statusCode).toBe(404);
    expect(await s3.listKeys(folderOf(u.id, doomed))).toHaveLength(4);

    const res = await del(`/api/characters/${doomed}`);
    expect(res.statusCode, res.body).toBeLessThan(300);
    await expect.poll(() => s3.listKeys(folderOf(u.id, doomed)), { timeout: 30_000 }).toEqual([]);
    expect(await s3.listKeys(folderOf(u.id, sibling))).toEqual(siblingBefore);
    expect(await s3.listKeys(folderOf(other.id, theirs))).toEqual(theirsBefore);
    for (const [i, k] of theirsBefore.entries()) expect((await s3.getObject(k)).equals(theirBytes[i]), k).toBe(true);
    expect((await get(o1.url, other)).statusCode).toBe(200);
    expect((await get(d1.url)).statusCode).toBe(404);
  });
});

// ---------------------------------------------------------------------------------------------
// Boot against an S3 that cannot be used

async function bootError(env: Record<string, string>): Promise<unknown> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ainfluencer-s3boot-'));
  const db = await freshDatabase();
  try {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, LOG_LEVEL: 'silent', AUTH_SECRET: randomBytes(32).toString('hex'), ...env });
    const ctx = await createContext(config, { database: db.options, log: pino({ level: 'silent' }) }).catch((err: unknown) => err);
    if (!(ctx instanceof Error)) {
      await (ctx as { close(): Promise<void> }).close();
      return null;
    }
    return ctx;
  } finally {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const CLI_SECRET = 'secret-value-not-for-logs';

async function migrateWithUnreachableS3() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ainfluencer-s3cli-'));
  const db = process.env.DATABASE_URL ? await freshDatabase() : null;
  try {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      DATA_DIR: dataDir,
      LOG_PRETTY: 'false',
      ...(db?.options.kind === 'postgres' ? { DATABASE_URL: db.options.url } : {}),
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: 'cli-bucket',
      S3_ACCESS_KEY_ID: 'cli-access-key',
      S3_SECRET_ACCESS_KEY: CLI_SECRET,
      S3_FORCE_PATH_STYLE: 'true',
    };
    const child = spawn(process.execPath, [path.join(serverDir, 'src', 'cli.ts'), 'migrate'], { cwd: serverDir, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000); // a cold embedded-database boot on a loaded 2-core CI machine
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    return { endpoint, code, stdout, stderr };
  } finally {
    await db?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const s3Env = (over: Record<string, string>) => ({ ...s3.env, ...over });

describe('booting against an unusable S3', () => {
  test('nothing listening at the endpoint: StorageUnavailableError naming bucket and endpoint', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const err = await bootError(s3Env({ S3_ENDPOINT: endpoint, S3_BUCKET: 'photos-bucket' }));
    expect(err).toBeInstanceOf(StorageUnavailableError);
    expect((err as Error).message).toMatch(new RegExp(`^S3 bucket 'photos-bucket' at ${endpoint.replaceAll('.', '\\.')} is not reachable: .*ECONNREFUSED`));
  });

  test('a bucket that does not exist: StorageUnavailableError saying so', async () => {
    const err = await bootError(s3Env({ S3_BUCKET: 'no-such-bucket' }));
    expect(err).toBeInstanceOf(StorageUnavailableError);
    expect((err as Error).message).toBe(`S3 bucket 'no-such-bucket' at ${s3.endpoint} is not reachable: the bucket does not exist (404)`);
  });

  test('the CLI prints only that message (no stack) and exits 2', async () => {
    const { endpoint, code, stdout, stderr } = await cliRun;
    expect(code, stderr).toBe(2);
    expect(stderr.trim()).toMatch(new RegExp(`^S3 bucket 'cli-bucket' at ${endpoint.replaceAll('.', '\\.')} is not reachable: .*ECONNREFUSED`));
    expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr + stdout).not.toContain(CLI_SECRET);
    expect(stdout).not.toContain('Database is up to date');
  }, 160_000);
});
