// The job lifecycle on the real queue and database: a handler's `failed` is final (no retry), a
// thrown error is retried and then failed for good, and a job that fails for good always runs its
// final-failure step: the record is marked failed with the reason, the failure is logged at error
// level, the user is told live, and the user can retry.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DatabaseTransactor } from '../src/infra/transactions.ts';
import { Queue } from '../src/infra/queue.ts';
import { JobName } from '../src/jobs/jobs.ts';
import { makeRepositories } from '../src/repositories/index.ts';
import { createTestApp, signUp, type TestApp, type TestUser } from './harness.ts';
import { uploadAssets, waitForAsset } from './support/uploads.ts';

async function png(seed: number, size = 120) {
  return sharp({ create: { width: size, height: size, channels: 3, background: { r: seed % 256, g: (seed * 7) % 256, b: (seed * 13) % 256 } } }).png().toBuffer();
}

describe('a handler that returns failed', () => {
  let t: TestApp;
  let u: TestUser;
  const logs: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    t = await createTestApp({}, { logs, logLevel: 'warn' });
    u = await signUp(t);
  });
  afterAll(async () => { await t?.close(); });

  test('is not retried: the record is failed at once with the reason, logged and announced', async () => {
    // A PNG whose header reads fine but whose pixel data is cut off: ingest cannot decode it.
    const whole = await png(1, 600);
    const broken = whole.subarray(0, Math.floor(whole.length / 3));
    const res = await uploadAssets(t, u, [{ name: 'broken.png', data: broken, type: 'image/png' }]);
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().items[0].id;
    const a = await waitForAsset(t, u, id);
    expect(a.status).toBe('failed');
    expect(a.error).toMatch(/could not be decoded/);
    // One attempt only, and it went straight to the dead-letter queue.
    const jobs = await t.ctx.queue.history(JobName.AssetIngest, id);
    const main = jobs.filter((j) => j.queue === JobName.AssetIngest);
    expect(main).toHaveLength(1);
    expect(main[0]).toMatchObject({ state: 'failed', retryCount: 0 });
    await expect.poll(() => logs.some((l) => l.msg === 'job failed for good' && l.job === JobName.AssetIngest && l.level === 50 && l.permanent === true)).toBe(true);
    const events = await t.ctx.repos.domainEvents.listForUser(u.id);
    expect(events.filter((e) => e.type === 'AssetFailed' && (e.data as { assetId: string }).assetId === id)).toHaveLength(1);
  });
});

describe('a handler that keeps throwing', () => {
  let t: TestApp;
  let u: TestUser;
  const logs: Array<Record<string, unknown>> = [];
  let attempts = 0;
  beforeAll(async () => {
    t = await createTestApp({}, { workers: false, logs, logLevel: 'warn', maxRetryDelaySeconds: 1 });
    u = await signUp(t);
  });
  afterAll(async () => { await t?.close(); });

  test('is retried until its attempts run out, then failed for good with a reason the user can read; a retry then succeeds', async () => {
    const real = t.ctx.jobHandlers[JobName.AssetIngest];
    let failing = true;
    await t.ctx.queue.work({
      ...t.ctx.jobHandlers,
      [JobName.AssetIngest]: {
        run: async (p) => {
          attempts++;
          if (failing) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          return real.run(p);
        },
        onFailure: real.onFailure,
      },
    }, 2);
    await t.ctx.outbox.start();
    const res = await uploadAssets(t, u, [{ name: 'full-disk.png', data: await png(2), type: 'image/png' }]);
    const id = res.json().items[0].id;
    const a = await waitForAsset(t, u, id);
    expect(a.status).toBe('failed');
    expect(a.error).toMatch(/disk was full/);
    expect(attempts).toBe(4); // the first try and 3 retries (AssetIngest's retryLimit)
    expect(logs.filter((l) => l.msg === 'job attempt failed; it will be retried if attempts remain' && l.level === 40)).toHaveLength(4);
    await expect.poll(() => logs.some((l) => l.msg === 'job failed for good' && l.level === 50 && l.permanent === false)).toBe(true);

    // The record is final and the user can act on it: approve is refused, retry works.
    const approve = await t.app.inject({ method: 'POST', url: `/api/assets/${id}/decision`, payload: { action: 'approve' }, headers: { cookie: u.cookie } });
    expect(approve.statusCode).toBe(409);
    failing = false;
    const retry = await t.app.inject({ method: 'POST', url: `/api/assets/${id}/retry`, headers: { cookie: u.cookie } });
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json().status).toBe('processing');
    const done = await waitForAsset(t, u, id);
    expect(['pending', 'approved']).toContain(done.status);
    expect(done.error).toBeNull();
    // Retrying something that did not fail is refused with a reason.
    const again = await t.app.inject({ method: 'POST', url: `/api/assets/${id}/retry`, headers: { cookie: u.cookie } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/Only a failed asset/);
  });

  test('uploading the same file again replaces a failed asset instead of answering 409', async () => {
    // A fresh upload that fails permanently, then the very same bytes again.
    const whole = await png(3, 500);
    const broken = whole.subarray(0, Math.floor(whole.length / 2));
    const first = (await uploadAssets(t, u, [{ name: 'again.png', data: broken, type: 'image/png' }])).json().items[0];
    expect((await waitForAsset(t, u, first.id)).status).toBe('failed');
    const second = await uploadAssets(t, u, [{ name: 'again.png', data: broken, type: 'image/png' }]);
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json().items[0].id).not.toBe(first.id);
    expect((await t.app.inject({ method: 'GET', url: `/api/assets/${first.id}`, headers: { cookie: u.cookie } })).statusCode).toBe(404);
  });
});

describe('a backlog', () => {
  let t: TestApp;
  let queue: Queue;
  beforeAll(async () => {
    t = await createTestApp({}, { workers: false });
    // A second queue on the same database whose idle workers would wait an hour between polls:
    // only NOTIFY and the wake-up after each job can make them fetch.
    queue = new Queue({ database: t.ctx.database, log: t.ctx.log, pollingIntervalSeconds: 3600 });
    await queue.start();
  });
  afterAll(async () => {
    await queue?.stop();
    await t?.close();
  });

  test('drains completely after one NOTIFY, never waiting for a poll between jobs', async () => {
    await queue.work(t.ctx.jobHandlers, 2);
    // 30 jobs in one transaction: Postgres folds their identical NOTIFYs into one at commit, so
    // the two workers are woken once. A worker that went back to sleep after a job (one job per
    // polling interval) would leave 28 of them queued for an hour.
    const tx = new DatabaseTransactor({ database: t.ctx.database, queue, events: t.ctx.events, makeRepos: makeRepositories });
    await tx.run(async (u) => { for (let i = 0; i < 30; i++) await u.jobs.send(JobName.StoragePurge, { keys: [] }); });
    await expect.poll(() => queue.stats.completed, { timeout: 60_000, interval: 100 }).toBe(30);
    expect(queue.stats).toMatchObject({ completed: 30, failed: 0, retried: 0 });
  });
});
