// The abuse signal (issue 8): every refusal by the safety screen is recorded (user, where, which
// rule), the user is told what triggered it, repeated refusals flag the account, and an
// administrator sees blocks per account and can clear a flag — never override a block.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cookieHeader, createTestApp, signUp, validCharacter, type TestApp, type TestUser } from './harness.ts';
import { photo, uploadAssets, waitForAsset } from './support/uploads.ts';

let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  admin = await signUp(t, 'Ada Admin');
  await t.ctx.repos.users.setRole(admin.id, 'admin');
  const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: admin.email, password: admin.password } });
  admin.cookie = cookieHeader(login.headers['set-cookie']);
});
afterAll(async () => { await t?.close(); });

const call = (user: TestUser, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: { cookie: user.cookie }, ...(payload !== undefined ? { payload: payload as object } : {}) });

const UNSAFE_BIO = 'explicit nude set, schoolgirl';

describe('a refused asset prompt', () => {
  test('a generated file whose prompt the screen refuses is kept as blocked evidence and counts in the abuse signal', async () => {
    const u = await signUp(t, 'Gen');
    const res = await uploadAssets(t, u, [{ name: 'gen.png', data: await photo('png') }], { source: 'generated', prompt: 'explicit photo, 8th grader' });
    expect(res.statusCode, res.body).toBe(201);
    const asset = await waitForAsset(t, u, res.json().items[0].id);
    expect(asset).toMatchObject({ status: 'blocked', decidedBy: 'safety' });
    const overview = (await call(admin, 'GET', `/api/admin/safety?userId=${u.id}`)).json();
    expect(overview.blocks).toEqual([expect.objectContaining({
      userId: u.id, source: 'asset.ingest', field: 'prompt', rule: 'sexual-with-minor', excerpt: 'explicit photo, 8th grader',
    })]);
    expect(overview.blocks[0].terms).toEqual(expect.arrayContaining(['explicit photo', 'grade 8']));
    const events = await t.ctx.repos.domainEvents.listForUser(u.id);
    expect(events.filter((e) => e.type === 'SafetyBlocked')).toHaveLength(1);
    // a clean prompt records nothing
    const fine = await uploadAssets(t, u, [{ name: 'ok.png', data: await photo('png') }], { source: 'generated', prompt: 'a red balloon over a lake' });
    await waitForAsset(t, u, fine.json().items[0].id);
    expect((await call(admin, 'GET', `/api/admin/safety?userId=${u.id}`)).json().blocks).toHaveLength(1);
  });
});

describe('a refused character', () => {
  test('is recorded with where and which rule, the user is told which terms triggered it, and nothing is saved', async () => {
    const u = await signUp(t, 'Sam');
    const res = await call(u, 'POST', '/api/characters', validCharacter({ bio: UNSAFE_BIO }));
    expect(res.statusCode, res.body).toBe(422);
    const err = res.json().error;
    expect(err.code).toBe('unsafe_prompt');
    expect(err.message).toMatch(/nude/);
    expect(err.message).toMatch(/school ?girl/i);
    expect((await call(u, 'GET', '/api/characters')).json().items).toEqual([]);

    const overview = (await call(admin, 'GET', `/api/admin/safety?userId=${u.id}`)).json();
    expect(overview.blocks).toEqual([expect.objectContaining({
      userId: u.id, source: 'character.create', field: 'the bio and persona', rule: 'sexual-with-minor',
      excerpt: expect.stringContaining('schoolgirl'),
    })]);
    // The terms that fired, the sexual one and the minor-related one, as the screen names them.
    expect(overview.blocks[0].terms).toContain('nude');
    expect(overview.blocks[0].terms.some((x: string) => /school ?girl/i.test(x))).toBe(true);
    const events = await t.ctx.repos.domainEvents.listForUser(u.id);
    expect(events.filter((e) => e.type === 'SafetyBlocked')).toHaveLength(1);
  });

  test('an edit and a preview are recorded too, each with its own source', async () => {
    const u = await signUp(t, 'Kim');
    const created = await call(u, 'POST', '/api/characters', validCharacter());
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    const edit = await call(u, 'PATCH', `/api/characters/${id}`, { bio: UNSAFE_BIO });
    expect(edit.statusCode, edit.body).toBe(422);
    expect((await call(u, 'GET', `/api/characters/${id}`)).json().bio).not.toBe(UNSAFE_BIO);
    const preview = await call(u, 'POST', '/api/prompt-preview', validCharacter({ bio: UNSAFE_BIO }));
    expect(preview.statusCode, preview.body).toBe(422);
    const sources = (await call(admin, 'GET', `/api/admin/safety?userId=${u.id}`)).json().blocks.map((b: { source: string }) => b.source).sort();
    expect(sources).toEqual(['character.preview', 'character.update']);
  });
});

describe('repeated blocks', () => {
  test('flag the account for review; the administrator sees it first and can clear the flag, the records stay', async () => {
    const u = await signUp(t, 'Rex');
    const bystander = await signUp(t, 'Bea');
    expect((await call(bystander, 'POST', '/api/characters', validCharacter({ bio: UNSAFE_BIO }))).statusCode).toBe(422);
    for (let i = 0; i < 3; i++) {
      expect((await call(u, 'POST', '/api/characters', validCharacter({ bio: UNSAFE_BIO }))).statusCode).toBe(422);
    }
    const overview = (await call(admin, 'GET', '/api/admin/safety')).json();
    expect(overview.flagAfter).toEqual({ blocks: 3, withinHours: 24 });
    const first = overview.accounts[0];
    expect(first).toMatchObject({ userId: u.id, name: 'Rex', blocks: 3, recentBlocks: 3, flaggedAt: expect.any(String), flagReason: expect.stringMatching(/3 or more/) });
    expect(overview.accounts.find((a: { userId: string }) => a.userId === bystander.id)).toMatchObject({ blocks: 1, flaggedAt: null });
    const events = await t.ctx.repos.domainEvents.listForUser(u.id);
    expect(events.filter((e) => e.type === 'AccountFlagged')).toHaveLength(1);

    // A fourth block does not flag twice.
    expect((await call(u, 'POST', '/api/characters', validCharacter({ bio: UNSAFE_BIO }))).statusCode).toBe(422);
    expect((await t.ctx.repos.domainEvents.listForUser(u.id)).filter((e) => e.type === 'AccountFlagged')).toHaveLength(1);

    expect((await call(admin, 'DELETE', `/api/admin/safety/flags/${u.id}`)).statusCode).toBe(200);
    const after = (await call(admin, 'GET', '/api/admin/safety')).json().accounts.find((a: { userId: string }) => a.userId === u.id);
    expect(after).toMatchObject({ flaggedAt: null, blocks: 4 });
    expect((await call(admin, 'DELETE', '/api/admin/safety/flags/no-such-user')).statusCode).toBe(404);
  });

  test('the safety page is for administrators only', async () => {
    const u = await signUp(t, 'Nosy');
    expect((await call(u, 'GET', '/api/admin/safety')).statusCode).toBe(403);
    expect((await call(u, 'DELETE', `/api/admin/safety/flags/${u.id}`)).statusCode).toBe(403);
  });
});
