// The account settings page's server side: rename, change of email (verified before it counts),
// sessions named by device, the data export (a zip of everything) and deleting the account
// (database rows, stored files, sessions), including a deletion that fails halfway and resumes.
import fs from 'node:fs';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assets, characters, outbox, referencePhotos, sessions, users } from '../src/db/schema.ts';
import { JobName } from '../src/jobs/jobs.ts';
import { cookieHeader, createTestApp, linkOf, signUp, validCharacter, waitForMail, type TestApp, type TestUser } from './harness.ts';
import { multipart, uploadPhotos, waitForPhotoStatus } from './support/uploads.ts';
import { readZip } from './support/zip.ts';

let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  admin = await signUp(t, 'Admin'); // the first account administers the instance
});
afterAll(async () => { await t?.close(); });

const get = (url: string, u: TestUser | string) => t.app.inject({ method: 'GET', url, headers: { cookie: typeof u === 'string' ? u : u.cookie } });
const send = (method: 'POST' | 'PATCH' | 'PUT', url: string, payload: unknown, u: TestUser | string) =>
  t.app.inject({ method, url, payload: payload as object, headers: { cookie: typeof u === 'string' ? u : u.cookie } });
const login = (email: string, password: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, headers });

async function waitUntil<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const png = (colour: string) => sharp({ create: { width: 200, height: 160, channels: 3, background: colour } }).png().toBuffer();

/** A user with a character, a ready reference photo and a processed vault asset. */
async function populatedUser(name: string) {
  const u = await signUp(t, name);
  const c = (await send('POST', '/api/characters', validCharacter({ persona: { traits: ['curious', 'witty'], tone: 'warm' } }), u)).json();
  const photo = (await uploadPhotos(t, u, c.id, [{ name: 'ref.png', data: await png('#3366aa'), type: 'image/png' }])).json().items[0];
  await waitForPhotoStatus(t, u, c.id, photo.id, 'ready');
  const body = multipart([{ name: 'holiday.png', data: await png('#aa6633'), type: 'image/png' }]);
  const asset = (await t.app.inject({ method: 'POST', url: '/api/assets', payload: body.payload, headers: { ...body.headers, cookie: u.cookie } })).json().items[0];
  await waitUntil('asset processed', async () => (await get(`/api/assets/${asset.id}`, u)).json().status !== 'processing');
  return { u, character: c, photoId: photo.id as string, assetId: asset.id as string };
}

const userFolder = (id: string) => path.join(t.dir, 'media', 'users', id);

async function rowsOf(userId: string) {
  const db = t.ctx.database.db;
  const n = async (q: Promise<Array<{ n: number }>>) => (await q)[0].n;
  return {
    users: await n(db.select({ n: sql<number>`count(*)::int` }).from(users).where(eq(users.id, userId))),
    sessions: await n(db.select({ n: sql<number>`count(*)::int` }).from(sessions).where(eq(sessions.userId, userId))),
    characters: await n(db.select({ n: sql<number>`count(*)::int` }).from(characters).where(eq(characters.userId, userId))),
    photos: await n(db.select({ n: sql<number>`count(*)::int` }).from(referencePhotos).where(eq(referencePhotos.userId, userId))),
    assets: await n(db.select({ n: sql<number>`count(*)::int` }).from(assets).where(eq(assets.userId, userId))),
    outbox: await n(db.select({ n: sql<number>`count(*)::int` }).from(outbox).where(eq(outbox.userId, userId))),
  };
}

describe('profile', () => {
  test('the name can be changed and shows at once; bad names are refused', async () => {
    const u = await signUp(t, 'Old Name');
    const res = await send('PATCH', '/api/account/profile', { name: '  New Name  ' }, u);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().user).toMatchObject({ name: 'New Name', email: u.email });
    expect((await get('/api/auth/me', u)).json().user.name).toBe('New Name');
    for (const name of ['', '   ', 'x'.repeat(81)]) expect((await send('PATCH', '/api/account/profile', { name }, u)).statusCode).toBe(400);
    expect((await get('/api/auth/me', admin)).json().user.name).toBe('Admin');
  });

  test('a new email replaces the old one only after the link sent to it is opened', async () => {
    const u = await signUp(t);
    const newEmail = `moved-${Date.now()}@example.com`;
    const res = await send('POST', '/api/account/email', { newEmail: newEmail.toUpperCase() }, u);
    expect(res.statusCode, res.body).toBe(202);
    const mail = await waitForMail(t, newEmail, 'change-email');
    expect(mail.subject).toBe('Confirm your new email for AInfluencer');
    // Not yet: the account keeps its email, and the new one cannot sign in.
    expect((await get('/api/auth/me', u)).json().user.email).toBe(u.email);
    expect((await login(newEmail, u.password)).statusCode).toBe(401);

    const token = new URL(linkOf(mail.text)).searchParams.get('token');
    const ver = await t.app.inject({ method: 'POST', url: '/api/auth/verify-email', payload: { token }, headers: { cookie: u.cookie } });
    expect(ver.statusCode, ver.body).toBe(200);
    expect((await get('/api/auth/me', u)).json().user).toMatchObject({ email: newEmail, emailVerified: true });
    expect((await login(u.email, u.password)).statusCode).toBe(401);
    expect((await login(newEmail, u.password)).statusCode).toBe(200);
  });

  test('changing to an address that has an account answers the same and sends nothing; bad input is a 400', async () => {
    const u = await signUp(t);
    const other = await signUp(t);
    const before = (await t.ctx.repos.outbox.listForRecipient(other.email)).length;
    const res = await send('POST', '/api/account/email', { newEmail: other.email }, u);
    expect(res.statusCode).toBe(202);
    // better-auth answers after deciding, synchronously: nothing was sent, nothing changed.
    expect((await t.ctx.repos.outbox.listForRecipient(other.email)).length).toBe(before);
    expect((await get('/api/auth/me', u)).json().user.email).toBe(u.email);
    const same = await send('POST', '/api/account/email', { newEmail: u.email }, u);
    expect(same.statusCode).toBe(400);
    expect(same.json().error.message).toBe('That is already your email address.');
    expect((await send('POST', '/api/account/email', { newEmail: 'not-an-email' }, u)).statusCode).toBe(400);
  });
});

describe('sessions', () => {
  test('are named by browser and operating system', async () => {
    const u = await signUp(t);
    await login(u.email, u.password, { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1' });
    await login(u.email, u.password, { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' });
    await login(u.email, u.password, { 'user-agent': 'curl/8.5.0' });
    const items = (await get('/api/auth/sessions', u)).json().items as Array<{ userAgent: string; device: Record<string, unknown> }>;
    const byUa = (s: string) => items.find((i) => i.userAgent?.startsWith(s))?.device;
    expect(byUa('Mozilla/5.0 (iPhone')).toEqual({ label: 'Safari on iOS', browser: 'Safari', browserVersion: '17', os: 'iOS', type: 'mobile' });
    expect(byUa('Mozilla/5.0 (Windows')).toEqual({ label: 'Chrome on Windows', browser: 'Chrome', browserVersion: '131', os: 'Windows', type: 'desktop' });
    expect(byUa('curl/')).toMatchObject({ label: 'curl', browser: null });
  });
});

describe('data export', () => {
  test('a zip with the account, characters with persona and appearance, reference photos and vault originals — and nobody else\'s data', async () => {
    const { u, character, photoId, assetId } = await populatedUser('Exporter');
    const stranger = await populatedUser('Stranger');
    const res = await get('/api/account/export', u);
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="ainfluencer-account-\d{4}-\d{2}-\d{2}\.zip"$/);
    const zip = readZip(res.rawPayload);

    const account = JSON.parse(zip.get('account.json')!.toString());
    expect(account.user).toMatchObject({ id: u.id, email: u.email, name: 'Exporter' });
    expect(account.sessions.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(account)).not.toMatch(/token/i);

    const folder = `characters/${character.handle}`;
    const c = JSON.parse(zip.get(`${folder}/character.json`)!.toString());
    expect(c).toMatchObject({ id: character.id, name: character.name, persona: { traits: ['curious', 'witty'], tone: 'warm' } });
    expect(c.appearance).toHaveProperty('attributes');
    expect(c.referencePhotos).toEqual([expect.objectContaining({ id: photoId, file: `photos/${photoId}.png` })]);
    expect(zip.get(`${folder}/photos/${photoId}.png`)!.equals((await get(`/api/photos/${photoId}/original`, u)).rawPayload)).toBe(true);

    const vault = JSON.parse(zip.get('vault/assets.json')!.toString());
    const a = vault.assets.find((x: { id: string }) => x.id === assetId);
    expect(a).toMatchObject({ originalName: 'holiday.png', file: expect.stringMatching(new RegExp(`^${assetId}-holiday\\.\\w+$`)) });
    expect(zip.get(`vault/${a.file}`)!.equals((await get(`/api/assets/${assetId}/original`, u)).rawPayload)).toBe(true);

    const everything = [...zip.entries()].map(([name, data]) => `${name}\n${data.toString('latin1')}`).join('\n');
    for (const foreign of [stranger.u.email, stranger.character.id, stranger.photoId, stranger.assetId]) expect(everything).not.toContain(foreign);
  });

  test('needs a session', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/account/export' })).statusCode).toBe(401);
  });
});

describe('deleting the account', () => {
  test('needs a confirmation: the password or the email typed out', async () => {
    const u = await signUp(t);
    for (const body of [{}, { password: 'not-my-password' }, { email: 'someone-else@example.com' }]) {
      const res = await send('POST', '/api/account/delete', body, u);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    }
    expect((await get('/api/auth/me', u)).statusCode).toBe(200);
    expect((await rowsOf(u.id)).users).toBe(1);
  });

  test('removes the rows and every stored file, ends every session, and leaves others alone', async () => {
    const { u, character } = await populatedUser('Leaver');
    const bystander = await populatedUser('Stayer');
    const otherDevice = cookieHeader((await login(u.email, u.password)).headers['set-cookie']);
    expect(fs.existsSync(userFolder(u.id))).toBe(true);
    expect(await rowsOf(u.id)).toMatchObject({ users: 1, characters: 1, photos: 1, assets: 1 });

    const res = await send('POST', '/api/account/delete', { password: u.password }, u);
    expect(res.statusCode, res.body).toBe(202);
    expect([res.headers['set-cookie']].flat().join('\n')).toMatch(/ainfluencer\.session_token=;.*Max-Age=0/);
    // Every session ends at once, and the account can no longer sign in.
    for (const cookie of [u.cookie, otherDevice]) expect((await get('/api/auth/me', cookie)).statusCode).toBe(401);
    expect((await login(u.email, u.password)).statusCode).toBe(401);

    // The job removes everything.
    await waitUntil('account rows gone', async () => (await rowsOf(u.id)).users === 0);
    expect(await rowsOf(u.id)).toEqual({ users: 0, sessions: 0, characters: 0, photos: 0, assets: 0, outbox: 0 });
    expect(await t.ctx.repos.outbox.listForRecipient(u.email)).toEqual([]);
    expect(fs.existsSync(userFolder(u.id))).toBe(false);
    expect((await t.ctx.repos.characters.statusOf(u.id, [character.id])).size).toBe(0);

    // The other account is untouched.
    expect(await rowsOf(bystander.u.id)).toMatchObject({ users: 1, characters: 1, photos: 1, assets: 1 });
    expect(fs.existsSync(userFolder(bystander.u.id))).toBe(true);
    expect((await get('/api/auth/me', bystander.u)).statusCode).toBe(200);
    // The address is free again.
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { name: 'Again', email: u.email, password: 'another-password' } })).statusCode).toBe(201);
  });

  test('can be confirmed by typing the email', async () => {
    const u = await signUp(t);
    expect((await send('POST', '/api/account/delete', { email: ` ${u.email.toUpperCase()} ` }, u)).statusCode).toBe(202);
    await waitUntil('account gone', async () => (await rowsOf(u.id)).users === 0);
  });

  test('a deletion that fails halfway leaves a locked account that a retry finishes', async () => {
    const { u } = await populatedUser('Halfway');
    const db = t.ctx.database.db;
    // The database refuses to delete this user (a sequence counts the attempts: it is not rolled back).
    await db.execute(sql.raw(`create sequence delete_attempts`));
    await db.execute(sql.raw(`create function refuse_delete() returns trigger language plpgsql as $$
      begin perform nextval('delete_attempts'); raise exception 'simulated database failure'; end $$`));
    await db.execute(sql.raw(`create trigger refuse_delete before delete on users for each row when (old.id = '${u.id}') execute function refuse_delete()`));
    try {
      expect((await send('POST', '/api/account/delete', { password: u.password }, u)).statusCode).toBe(202);
      await waitUntil('a failed attempt', async () => {
        const [r] = (await db.execute(sql.raw('select is_called from delete_attempts'))).rows as Array<{ is_called: boolean }>;
        return r.is_called;
      });
      // Nothing half-written: the rows are all there (one transaction), but the account is
      // marked, signed out everywhere and cannot sign in.
      expect(await rowsOf(u.id)).toMatchObject({ users: 1, sessions: 0, characters: 1, photos: 1, assets: 1 });
      expect((await t.ctx.repos.users.findByEmail(u.email))?.deletingAt).toBeInstanceOf(Date);
      expect((await login(u.email, u.password)).statusCode).toBe(401);
      expect((await get('/api/auth/me', u)).statusCode).toBe(401);
    } finally {
      await db.execute(sql.raw('drop trigger refuse_delete on users'));
      await db.execute(sql.raw('drop function refuse_delete'));
      await db.execute(sql.raw('drop sequence delete_attempts'));
    }
    // The job's retry finishes the deletion.
    await waitUntil('account gone after the retry', async () => (await rowsOf(u.id)).users === 0, 30_000);
    expect(fs.existsSync(userFolder(u.id))).toBe(false);
  }, 60_000);

  test('the reconciler finishes a deletion whose job was lost', async () => {
    const { u } = await populatedUser('Lost');
    await t.ctx.repos.accounts.markDeleting(u.id); // as if the job had been lost (retries used up, deleted by hand)
    expect(await t.ctx.services.maintenance.reconcile()).toEqual({ status: 'success' });
    await waitUntil('account gone', async () => (await rowsOf(u.id)).users === 0);
    expect(fs.existsSync(userFolder(u.id))).toBe(false);
    // Running the delete job again is harmless; an account that was not asked to go is never touched.
    expect(await t.ctx.jobHandlers[JobName.AccountDelete].run({ userId: u.id })).toEqual({ status: 'skipped', reason: 'already deleted' });
    expect(await t.ctx.jobHandlers[JobName.AccountDelete].run({ userId: admin.id })).toEqual({ status: 'skipped', reason: 'account is not marked for deletion' });
    expect((await get('/api/auth/me', admin)).statusCode).toBe(200);
  });

  test('the only administrator cannot delete their account while other accounts exist', async () => {
    const res = await send('POST', '/api/account/delete', { password: admin.password }, admin);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/only administrator/);
    expect((await get('/api/auth/me', admin)).statusCode).toBe(200);
  });
});
