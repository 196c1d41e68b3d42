// A real full disk (issue 7, A1 and A6): DATA_DIR on a small tmpfs. An upload that does not fit
// answers 507 and leaves no file behind; an ingest that runs out of space half-way is retried,
// then failed for good with a reason the user reads, and the user's retry succeeds once space is
// freed. Needs permission to mount a tmpfs (root, as on the CI machine); skipped, saying so,
// where mounting is not allowed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, signUp, type TestApp, type TestUser } from './harness.ts';
import { uploadAssets, waitForAsset } from './support/uploads.ts';

function mount(dir: string, sizeBytes: number): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// Whether this user may mount: tried once on a probe folder, unmounted at once (a mount made at
// import time would outlive a run that filters this file's tests out).
const canMount = (() => {
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'ainf-probe-'));
  const ok = mount(probe, 64 * 1024);
  if (ok) execFileSync('umount', [probe]);
  fs.rmdirSync(probe);
  return ok;
})();
if (!canMount) console.warn('disk-full.test: skipped, this user cannot mount a tmpfs (run as root to include it)');

const KB = 1024;
let mnt = '';

/** Every stored file under a folder, relative to it (local storage's `~meta.json` sidecars left out). */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile() && !d.name.endsWith('~meta.json')).map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .filter((f) => f !== 'secrets.key') // the instance's secrets key, written at start
    .sort();
}

/** Free bytes on the tmpfs. */
const free = () => { const s = fs.statfsSync(mnt); return s.bavail * s.bsize; };

/** Leaves about `bytes` free on the tmpfs by growing (or shrinking) one filler file. */
function leaveFree(bytes: number) {
  const filler = path.join(mnt, 'filler');
  const current = fs.existsSync(filler) ? fs.statSync(filler).size : 0;
  const target = Math.max(0, current + free() - bytes);
  fs.writeFileSync(filler, Buffer.alloc(target, 1));
}

/** A PNG of noise: it does not compress, so its size is known in advance (~3 bytes a pixel). */
const noise = (side: number, seed: number) =>
  sharp({ create: { width: side, height: side, channels: 3, background: { r: seed, g: 0, b: 0 }, noise: { type: 'gaussian', mean: 128, sigma: 80 } } }).png({ compressionLevel: 0 }).toBuffer();

describe.skipIf(!canMount)('a full data disk', () => {
  let t: TestApp;
  let u: TestUser;
  beforeAll(async () => {
    mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'ainf-full-'));
    if (!mount(mnt, 4096 * KB)) throw new Error(`could not mount a tmpfs at ${mnt}`);
    // DATA_DIR on the tmpfs: stored files and the upload temp folder (DATA_DIR/tmp/uploads) both.
    t = await createTestApp({ DATA_DIR: mnt }, { maxRetryDelaySeconds: 1 });
    u = await signUp(t);
  });
  afterAll(async () => {
    await t?.close();
    if (mnt) {
      execFileSync('umount', [mnt]);
      fs.rmSync(mnt, { recursive: true, force: true });
    }
  });

  test('an upload that does not fit (while streaming to the temp folder) answers 507 in words and leaves no file behind', async () => {
    const file = await noise(300, 1); // ~270 KB
    leaveFree(64 * KB);
    const before = filesUnder(mnt);
    const res = await uploadAssets(t, u, [{ name: 'big.png', data: file, type: 'image/png' }]);
    expect(res.statusCode, res.body).toBe(507);
    expect(res.json().error).toMatchObject({ code: 'insufficient_storage', message: expect.stringMatching(/disk is full/) });
    expect(filesUnder(mnt)).toEqual(before);
    expect((await t.app.inject({ method: 'GET', url: '/api/assets', headers: { cookie: u.cookie } })).json().items).toEqual([]);
  });

  test('an ingest that runs out of space is failed with the reason, not left processing; retry works once space is freed', async () => {
    const file = await noise(300, 2);
    // Room for the upload itself, not for the processed original and thumbnail beside it.
    leaveFree(file.length + 96 * KB);
    const res = await uploadAssets(t, u, [{ name: 'half.png', data: file, type: 'image/png' }]);
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().items[0].id as string;
    const failed = await waitForAsset(t, u, id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/disk was full/);
    // Nothing half-written is kept: only the original upload, which the retry needs.
    expect(filesUnder(mnt).filter((f) => f !== 'filler').map((f) => path.basename(f))).toEqual(['incoming.png']);

    fs.rmSync(path.join(mnt, 'filler'));
    const retry = await t.app.inject({ method: 'POST', url: `/api/assets/${id}/retry`, headers: { cookie: u.cookie } });
    expect(retry.statusCode, retry.body).toBe(200);
    const done = await waitForAsset(t, u, id);
    expect(['pending', 'approved']).toContain(done.status);
    expect(done.error).toBeNull();
    // The upload is removed once the processed files are recorded (just after the status changes).
    await expect.poll(() => filesUnder(mnt).map((f) => path.basename(f)).sort()).toEqual(['original.png', 'thumb.webp']);
  });
});
