import { afterAll, beforeAll, expect, test } from 'vitest';
import { EventBus } from '../src/infra/events.ts';
import { JobName } from '../src/jobs/jobs.ts';
import { createTestApp, signUp, type TestApp } from './harness.ts';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

test('boot fails when a job has no handler, naming it', async () => {
  const { [JobName.DatabaseMaintenance]: _dropped, ...partial } = t.ctx.jobHandlers;
  await expect(t.ctx.queue.work(partial as typeof t.ctx.jobHandlers, 1)).rejects.toThrow(/missing database-maintenance/);
  await expect(t.ctx.queue.work({ ...t.ctx.jobHandlers, 'no-such-job': { run: async () => ({ status: 'success' }) } } as typeof t.ctx.jobHandlers, 1))
    .rejects.toThrow(/unknown no-such-job/);
});

test('the maintenance job refreshes planner statistics', async () => {
  const res = await t.ctx.jobHandlers[JobName.DatabaseMaintenance].run({});
  expect(res).toEqual({ status: 'success' });
});

test('a session revoked by another process stops working as soon as it is announced', async () => {
  await t.ctx.events.start();
  const u = await signUp(t);
  const me = () => t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: u.cookie } });
  expect((await me()).statusCode).toBe(200);
  const sessionId = (await me()).json().session.id;
  // Another API process deletes the session row and announces it on the shared bus.
  await t.ctx.repos.users.deleteSession(u.id, sessionId);
  expect((await me()).statusCode).toBe(200); // still cached here: this is what the announcement is for
  const otherProcess = new EventBus(t.ctx.database);
  await otherProcess.publishSystem({ type: 'sessions.invalidated', data: { userId: u.id } });
  await expect.poll(async () => (await me()).statusCode, { timeout: 5_000 }).toBe(401);
});

test('system events never reach browsers', async () => {
  const u = await signUp(t);
  const seen: string[] = [];
  const unsubscribe = t.ctx.events.subscribe(u.id, (e) => seen.push(e.type));
  await t.ctx.events.publishSystem({ type: 'sessions.invalidated', data: { userId: u.id } });
  await t.ctx.events.publish(u.id, { type: 'character.deleted', data: { id: 'x' } });
  await expect.poll(() => seen.length).toBe(1);
  expect(seen).toEqual(['character.deleted']);
  unsubscribe();
});

test('an unexpected failure answers 500 with a correlation id and no internals', async () => {
  const broken = await createTestApp();
  try {
    const u = await signUp(broken);
    await broken.ctx.database.close(); // the database goes away under a running server
    const res = await broken.app.inject({ method: 'GET', url: '/api/characters', headers: { cookie: u.cookie } });
    expect(res.statusCode).toBe(500);
    const err = res.json().error;
    expect(err.code).toBe('internal');
    expect(err.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).not.toMatch(/select|pglite|postgres|at .*\.ts|stack/i);
  } finally {
    await broken.close().catch(() => {});
  }
});

test('unknown API routes answer 404 in the error format', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/api/nope' });
  expect(res.statusCode).toBe(404);
  expect(res.json().error).toMatchObject({ code: 'not_found', message: 'No route GET /api/nope' });
});
