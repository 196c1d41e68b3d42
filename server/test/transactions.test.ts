// Units of work and the domain-event outbox on the real database and queue: a row, its job and
// its event commit together or not at all; events reach subscribers exactly once even with a
// failing subscriber in the same batch; a subscriber that keeps failing is given up on, logged.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OutboxDispatcher } from '../src/infra/outbox.ts';
import { DatabaseTransactor } from '../src/infra/transactions.ts';
import { JobName } from '../src/jobs/jobs.ts';
import { makeRepositories, type Repositories } from '../src/repositories/index.ts';
import { createTestApp, signUp, validCharacter, type TestApp, type TestUser } from './harness.ts';

let t: TestApp;
let u: TestUser;
beforeAll(async () => {
  t = await createTestApp({}, { workers: false });
  u = await signUp(t);
});
afterAll(async () => { await t?.close(); });

function transactor() {
  return new DatabaseTransactor<Repositories>({ database: t.ctx.database, queue: t.ctx.queue, events: t.ctx.events, makeRepos: makeRepositories });
}

async function liveEventsUntil(marker: string, action: () => Promise<void>) {
  // Live events reach this process through LISTEN; collect until the marker arrives.
  await t.ctx.events.start();
  const seen: Array<{ type: string; data: Record<string, unknown> }> = [];
  let resolve!: () => void;
  const done = new Promise<void>((r) => { resolve = r; });
  const unsubscribe = t.ctx.events.subscribe(u.id, (e) => {
    seen.push(e as never);
    if ((e.data as { id?: string }).id === marker) resolve();
  });
  try {
    await action();
    await done;
  } finally {
    unsubscribe();
  }
  return seen;
}

describe('a unit of work', () => {
  test('rolls back the row, the job, the domain event and the live event together', async () => {
    const id = randomUUID();
    const marker = randomUUID();
    const seen = await liveEventsUntil(marker, async () => {
      await expect(transactor().run(async (x) => {
        await x.repos.assets.insert({ id, userId: u.id, kind: 'image', source: 'upload', status: 'processing', mimeType: 'image/png', bytes: 1, sha256: `rollback-${id}`, originalName: 'r.png' });
        await x.jobs.send(JobName.AssetIngest, { assetId: id }, { singletonKey: id });
        await x.events.emit(u.id, { type: 'AssetAdded', data: { assetId: id, characterId: null } });
        throw new Error('something after the writes failed');
      })).rejects.toThrow('something after the writes failed');
      // A later, committed event marks the point by which the rolled-back one would have arrived.
      await transactor().run((x) => x.events.emit(u.id, { type: 'FolderDeleted', data: { folderId: marker } }));
    });
    expect(await t.ctx.repos.assets.get(u.id, id)).toBeNull();
    expect(await t.ctx.queue.history(JobName.AssetIngest, id)).toEqual([]);
    const events = await t.ctx.repos.domainEvents.listForUser(u.id);
    expect(events.some((e) => (e.data as { assetId?: string }).assetId === id)).toBe(false);
    expect(seen.some((e) => e.data.id === id)).toBe(false);
    expect(seen.at(-1)).toEqual({ type: 'folder.deleted', data: { id: marker } });
  });

  test('commits the row, the job, the domain event and the live event together', async () => {
    const id = randomUUID();
    const seen = await liveEventsUntil(id, () => transactor().run(async (x) => {
      await x.repos.assets.insert({ id, userId: u.id, kind: 'image', source: 'upload', status: 'processing', mimeType: 'image/png', bytes: 1, sha256: `commit-${id}`, originalName: 'c.png' });
      await x.jobs.send(JobName.AssetIngest, { assetId: id }, { singletonKey: id });
      await x.events.emit(u.id, { type: 'AssetAdded', data: { assetId: id, characterId: null } });
    }));
    expect(await t.ctx.repos.assets.get(u.id, id)).not.toBeNull();
    expect((await t.ctx.queue.history(JobName.AssetIngest, id)).map((j) => j.state)).toEqual(['created']);
    const events = await t.ctx.repos.domainEvents.listForUser(u.id);
    expect(events.filter((e) => e.type === 'AssetAdded' && (e.data as { assetId: string }).assetId === id)).toHaveLength(1);
    expect(seen).toContainEqual({ type: 'asset.updated', data: { id, status: 'processing' } });
  });

  test('a failed character create (duplicate name) leaves no event behind', async () => {
    const name = `Only once ${randomUUID().slice(0, 6)}`;
    const ok = await t.app.inject({ method: 'POST', url: '/api/characters', payload: validCharacter({ name }), headers: { cookie: u.cookie } });
    expect(ok.statusCode).toBe(201);
    const dup = await t.app.inject({ method: 'POST', url: '/api/characters', payload: validCharacter({ name }), headers: { cookie: u.cookie } });
    expect(dup.statusCode).toBe(409);
    const created = (await t.ctx.repos.domainEvents.listForUser(u.id)).filter((e) => e.type === 'CharacterCreated');
    const characters = (await t.app.inject({ method: 'GET', url: '/api/characters', headers: { cookie: u.cookie } })).json();
    // One event per character that exists: the refused create recorded none.
    expect(created.map((e) => (e.data as { characterId: string }).characterId).sort()).toEqual(characters.items.map((c: { id: string }) => c.id).sort());
  });
});

describe('the outbox dispatcher', () => {
  test('delivers each event to its subscribers once, retries a failing one without holding up the rest, and gives up after the last attempt', async () => {
    const logs: Array<Record<string, unknown>> = [];
    const log = (await import('pino')).default({ level: 'warn' }, { write: (l: string) => { logs.push(JSON.parse(l)); } });
    const tx = transactor();
    const dispatcher = new OutboxDispatcher({ database: t.ctx.database, transactor: tx, log, pollMs: 100 });
    const delivered: string[] = [];
    let flakyCalls = 0;
    const ids = ['one', 'two', 'flaky-a', 'three'].map((p) => `${p}-${randomUUID().slice(0, 8)}`);
    dispatcher.on('FolderDeleted', async (e, x) => {
      if (!ids.includes(e.data.folderId)) return; // events of the other tests
      if (e.data.folderId.startsWith('flaky')) {
        flakyCalls++;
        // The job it enqueues must roll back with the failed attempt.
        await x.jobs.send(JobName.StoragePurge, { keys: [`users/${u.id}/x`] }, { singletonKey: `flaky-${flakyCalls}` });
        throw new Error('subscriber is down');
      }
      delivered.push(e.data.folderId);
    });
    for (const folderId of ids) await tx.run((x) => x.events.emit(u.id, { type: 'FolderDeleted', data: { folderId } }));
    await dispatcher.start();
    try {
      await expect.poll(() => delivered.length, { timeout: 20_000 }).toBe(3);
      expect(delivered.sort()).toEqual(ids.filter((i) => !i.startsWith('flaky')).sort());
      // Speed up the flaky event's backoff by clearing its next attempt time, until it gives up.
      const { domainEvents } = await import('../src/db/schema.ts');
      const { sql } = await import('drizzle-orm');
      for (let i = 0; i < 12 && !logs.some((l) => l.msg === 'domain event could not be dispatched; gave up'); i++) {
        await t.ctx.database.db.update(domainEvents).set({ nextAttemptAt: null }).where(sql`${domainEvents.failedAt} is null and ${domainEvents.dispatchedAt} is null`);
        await dispatcher.kick();
      }
      expect(flakyCalls).toBe(10);
      expect(logs.filter((l) => l.msg === 'domain event could not be dispatched; gave up' && l.level === 50)).toHaveLength(1);
      // None of the flaky attempts' jobs survived their rollback.
      for (let i = 1; i <= 10; i++) expect(await t.ctx.queue.history(JobName.StoragePurge, `flaky-${i}`)).toEqual([]);
      // Delivered events are not delivered again.
      await dispatcher.kick();
      expect(delivered).toHaveLength(3);
    } finally {
      await dispatcher.stop();
    }
  });
});
