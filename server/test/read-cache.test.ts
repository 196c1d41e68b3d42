// The dashboard read cache must never show stale data to the user who changed it, nor to
// another API process once the change is announced.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { EventBus } from '../src/infra/events.ts';
import { UserReadCache } from '../src/infra/read-cache.ts';
import { createTestApp, signUp, validCharacter, type TestApp, type TestUser } from './harness.ts';

let t: TestApp;
let u: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  await t.ctx.events.start();
  u = await signUp(t);
});
afterAll(async () => { await t?.close(); });

const call = (method: string, url: string, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, payload: payload as object, headers: { cookie: u.cookie } });

test('every write is visible on the very next read', async () => {
  const c = (await call('POST', '/api/characters', validCharacter({ name: 'Cache Cara' }))).json();
  expect((await call('GET', '/api/characters')).json().items.map((x: { id: string }) => x.id)).toContain(c.id);
  expect((await call('GET', `/api/characters/${c.id}`)).json().bio).toBe('Test character');
  await call('PATCH', `/api/characters/${c.id}`, { bio: 'changed' });
  expect((await call('GET', `/api/characters/${c.id}`)).json().bio).toBe('changed');
  await call('POST', `/api/characters/${c.id}/status`, { action: 'pause' });
  expect((await call('GET', '/api/characters?status=paused')).json().items.map((x: { id: string }) => x.id)).toEqual([c.id]);
  await call('POST', '/api/characters/bulk', { ids: [c.id], action: 'resume' });
  expect((await call('GET', `/api/characters/${c.id}`)).json().status).toBe('active');
  await call('DELETE', `/api/characters/${c.id}`);
  expect((await call('GET', `/api/characters/${c.id}`)).statusCode).toBe(404);
  expect((await call('GET', '/api/characters')).json().items.map((x: { id: string }) => x.id)).not.toContain(c.id);
});

test('a change made by another process shows once it is announced', async () => {
  const c = (await call('POST', '/api/characters', validCharacter({ name: 'Remote Rita' }))).json();
  expect((await call('GET', `/api/characters/${c.id}`)).json().bio).toBe('Test character');
  // Another process writes directly and publishes its event on the shared bus.
  await t.ctx.repos.characters.update(u.id, c.id, { bio: 'written elsewhere' });
  const other = new EventBus(t.ctx.database);
  await other.publish(u.id, { type: 'character.updated', data: { id: c.id, status: 'active' } });
  await expect.poll(async () => (await call('GET', `/api/characters/${c.id}`)).json().bio, { timeout: 5_000 }).toBe('written elsewhere');
});

test('a read that started before a write does not store its stale result', async () => {
  const cache = new UserReadCache();
  let release!: () => void;
  const slow = cache.get('u1', 'k', () => new Promise<string>((r) => { release = () => r('old'); }));
  cache.invalidateUser('u1'); // a write lands while the read is in flight
  release();
  expect(await slow).toBe('old');
  expect(await cache.get('u1', 'k', async () => 'new')).toBe('new');
  expect(await cache.get('u1', 'k', async () => 'newer')).toBe('new'); // now cached
  cache.invalidateUser('u2');
  expect(await cache.get('u1', 'k', async () => 'newest')).toBe('new'); // other users do not clear it
});
