// Housekeeping on the real database, queue and local storage: the reconciler finishes records
// that no job will finish, and the sweeper removes files that no row owns — only old ones, only
// under paths whose owner it knows.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assets } from '../src/db/schema.ts';
import { JobName } from '../src/jobs/jobs.ts';
import { createTestApp, signUp, validCharacter, type TestApp, type TestUser } from './harness.ts';
import { uploadAssets, waitForAsset } from './support/uploads.ts';

const png = (seed: number) => sharp({ create: { width: 90, height: 90, channels: 3, background: { r: seed, g: 255 - seed, b: 77 } } }).png().toBuffer();

/** An asset row left `processing` with no job (as after a restore, or a job deleted by hand), last changed 10 minutes ago. */
async function strandedAsset(t: TestApp, u: TestUser, opts: { withFile: boolean }) {
  const id = randomUUID();
  const incomingKey = `users/${u.id}/assets/${id}/incoming.png`;
  if (opts.withFile) await t.ctx.storage.put(incomingKey, await png(id.charCodeAt(0)), 'image/png');
  await t.ctx.repos.assets.insert({ id, userId: u.id, kind: 'image', source: 'upload', status: 'processing', mimeType: 'image/png', bytes: 10, sha256: `stranded-${id}`, originalName: 'stranded.png', incomingKey });
  await t.ctx.database.db.update(assets).set({ updatedAt: sql`now() - interval '10 minutes'` }).where(sql`${assets.id} = ${id}`);
  return id;
}

// One studio for the reconciler and the sweeper tests (the queued-job test starts its own).
let t: TestApp;
let u: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  u = await signUp(t);
});
afterAll(async () => { await t?.close(); });

describe('the reconciler', () => {

  test('re-queues a stranded asset whose upload is stored, and fails one whose upload is gone', async () => {
    const requeue = await strandedAsset(t, u, { withFile: true });
    const lost = await strandedAsset(t, u, { withFile: false });
    expect(await t.ctx.services.maintenance.reconcile()).toEqual({ status: 'success' });
    const done = await waitForAsset(t, u, requeue);
    expect(['pending', 'approved']).toContain(done.status);
    const failed = await waitForAsset(t, u, lost);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/missing from storage/);
  });

  test('leaves alone an asset that changed recently or whose job is still queued', async () => {
    const fresh = await strandedAsset(t, u, { withFile: true });
    await t.ctx.database.db.update(assets).set({ updatedAt: sql`now()` }).where(sql`${assets.id} = ${fresh}`);
    await t.ctx.services.maintenance.reconcile();
    expect(await t.ctx.queue.history(JobName.AssetIngest, fresh)).toEqual([]);
    expect((await t.ctx.repos.assets.get(u.id, fresh))!.status).toBe('processing');
  });
});

describe('the reconciler with a queued job', () => {
  test('does not queue a second job for an asset whose job is waiting', async () => {
    const t = await createTestApp({}, { workers: false });
    try {
      const u = await signUp(t);
      const res = await uploadAssets(t, u, [{ name: 'queued.png', data: await png(9), type: 'image/png' }]);
      const id = res.json().items[0].id;
      await t.ctx.database.db.update(assets).set({ updatedAt: sql`now() - interval '10 minutes'` }).where(sql`${assets.id} = ${id}`);
      await t.ctx.services.maintenance.reconcile();
      expect((await t.ctx.queue.history(JobName.AssetIngest, id)).map((j) => j.state)).toEqual(['created']);
    } finally {
      await t.close();
    }
  });
});

describe('the storage sweeper', () => {

  const media = () => path.join(t.dir, 'media');
  const age = (key: string, hours: number) => {
    const when = new Date(Date.now() - hours * 3600_000);
    fs.utimesSync(path.join(media(), ...key.split('/')), when, when);
  };

  test('removes old files no row owns and interrupted writes; keeps referenced, recent and unknown files', async () => {
    const character = (await t.app.inject({ method: 'POST', url: '/api/characters', payload: validCharacter(), headers: { cookie: u.cookie } })).json();
    const kept = (await uploadAssets(t, u, [{ name: 'kept.png', data: await png(40), type: 'image/png' }], { characterId: character.id })).json().items[0];
    const keptRow = await waitForAsset(t, u, kept.id);
    expect(['pending', 'approved']).toContain(keptRow.status);
    const keptKeys = (await t.ctx.repos.assets.storageKeysOf([kept.id])).get(kept.id)!;
    expect(keptKeys.length).toBeGreaterThanOrEqual(2);

    const orphanAsset = `users/${u.id}/characters/${character.id}/assets/${randomUUID()}/incoming.png`;
    const orphanPhoto = `users/${u.id}/characters/${character.id}/photos/${randomUUID()}.jpg`;
    const orphanThumb = `users/${u.id}/characters/${character.id}/photos/${randomUUID()}.thumb.webp`;
    const recentOrphan = `users/${u.id}/assets/${randomUUID()}/original.png`;
    const unknown = `users/${u.id}/exports/archive.zip`;
    const staleInKeptFolder = `${path.posix.dirname(keptKeys[0])}/incoming.png`;
    for (const k of [orphanAsset, orphanPhoto, orphanThumb, recentOrphan, unknown, staleInKeptFolder]) await t.ctx.storage.put(k, Buffer.from(k), 'application/octet-stream');
    for (const k of [orphanAsset, orphanPhoto, orphanThumb, unknown, staleInKeptFolder, ...keptKeys]) age(k, 2);
    // A write interrupted by kill -9: the temp file next to its target.
    const tmp = path.join(media(), 'users', u.id, 'assets', `x.png~tmp-deadbeef0000`);
    fs.mkdirSync(path.dirname(tmp), { recursive: true });
    fs.writeFileSync(tmp, 'half');
    const old = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(tmp, old, old);

    expect(await t.ctx.services.maintenance.sweep()).toEqual({ status: 'success' });

    const exists = async (k: string) => (await t.ctx.storage.stat(k)) !== null;
    for (const k of [orphanAsset, orphanPhoto, orphanThumb, staleInKeptFolder]) expect(await exists(k), k).toBe(false);
    for (const k of [recentOrphan, unknown, ...keptKeys]) expect(await exists(k), k).toBe(true);
    expect(fs.existsSync(tmp)).toBe(false);
    expect((await t.app.inject({ method: 'GET', url: `/api/assets/${kept.id}/original`, headers: { cookie: u.cookie } })).statusCode).toBe(200);
  });
  test('removes what a killed upload or generation left in the temp folder, not what is still being written', async () => {
    const tempDir = t.ctx.config.uploads.tempDir;
    fs.mkdirSync(tempDir, { recursive: true });
    const old = new Date(Date.now() - 2 * 3600_000);
    const deadUpload = path.join(tempDir, `${randomUUID()}.upload`);
    const liveUpload = path.join(tempDir, `${randomUUID()}.upload`);
    const deadScratch = path.join(tempDir, 'generated-dead');
    const liveScratch = path.join(tempDir, 'generated-live');
    fs.writeFileSync(deadUpload, 'half an upload');
    fs.writeFileSync(liveUpload, 'an upload still arriving');
    fs.mkdirSync(deadScratch);
    fs.writeFileSync(path.join(deadScratch, 'out.png'), 'x');
    fs.mkdirSync(liveScratch);
    fs.writeFileSync(path.join(liveScratch, 'out.png'), 'x');
    for (const p of [deadUpload, path.join(deadScratch, 'out.png'), deadScratch, liveScratch]) fs.utimesSync(p, old, old);
    // liveScratch itself is old, but a file inside it was just written.

    expect(await t.ctx.services.maintenance.sweep()).toEqual({ status: 'success' });

    expect(fs.existsSync(deadUpload)).toBe(false);
    expect(fs.existsSync(deadScratch)).toBe(false);
    expect(fs.existsSync(liveUpload)).toBe(true);
    expect(fs.existsSync(path.join(liveScratch, 'out.png'))).toBe(true);
  });
});
