import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { JobName } from '../src/jobs/jobs.ts';
import { cookieHeader, createTestApp, latestMailLink, signUp, waitForJob, type TestApp } from './harness.ts';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

const post = (url: string, payload: unknown, cookie?: string) =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers: cookie ? { cookie } : {} });
const get = (url: string, cookie?: string) => t.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });

describe('registration and verification', () => {
  test('the first account becomes admin, later ones do not', async () => {
    const first = await signUp(t, 'First');
    const second = await signUp(t, 'Second');
    expect((await get('/api/auth/me', first.cookie)).json().user.role).toBe('admin');
    expect((await get('/api/auth/me', second.cookie)).json().user.role).toBe('user');
  });

  test('an unverified account cannot sign in and gets a fresh link', async () => {
    const email = 'unverified@example.com';
    expect((await post('/api/auth/register', { name: 'U', email, password: 'long-password' })).statusCode).toBe(201);
    const before = (await t.ctx.repos.outbox.listForRecipient(email)).length;
    const login = await post('/api/auth/login', { email, password: 'long-password' });
    expect(login.statusCode).toBe(403);
    expect(login.json().error.code).toBe('email_not_verified');
    expect(login.headers['set-cookie']).toBeUndefined();
    expect((await t.ctx.repos.outbox.listForRecipient(email)).length).toBeGreaterThan(before);
  });

  test('verifying through the emailed link signs the user in', async () => {
    const email = 'verify-me@example.com';
    await post('/api/auth/register', { name: 'V', email, password: 'long-password' });
    const link = await latestMailLink(t, email, 'verify-email');
    expect(link.startsWith('http://localhost:8080/verify-email?token=')).toBe(true);
    const res = await post('/api/auth/verify-email', { token: new URL(link).searchParams.get('token') });
    expect(res.statusCode).toBe(200);
    const me = await get('/api/auth/me', cookieHeader(res.headers['set-cookie']));
    expect(me.statusCode).toBe(200);
    expect(me.json().user).toMatchObject({ email, emailVerified: true });
  });

  test('a forged or tampered token is refused with a clear message', async () => {
    const res = await post('/api/auth/verify-email', { token: 'eyJhbGciOiJIUzI1NiJ9.eyJlbWFpbCI6Im1AZXhhbXBsZS5jb20ifQ.bad' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/invalid or has expired/);
  });

  test('registering an email twice does not reveal the account and does not create a second one', async () => {
    const email = 'twice@example.com';
    expect((await post('/api/auth/register', { name: 'A', email, password: 'long-password' })).statusCode).toBe(201);
    const again = await post('/api/auth/register', { name: 'B', email, password: 'other-password' });
    expect([201, 409]).toContain(again.statusCode);
    expect(again.statusCode).toBeLessThan(500);
  });

  test.each([
    [{ name: 'X', email: 'not-an-email', password: 'long-password' }, 'email'],
    [{ name: 'X', email: 'a@b.co', password: 'short' }, 'password'],
    [{ name: '', email: 'a@b.co', password: 'long-password' }, 'name'],
    [{ email: 'a@b.co', password: 'long-password' }, 'name'],
  ])('bad registration input %j → 400 naming %s', async (body, field) => {
    const res = await post('/api/auth/register', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
    expect(res.json().error.details.some((d: { path: string[] }) => d.path.includes(field))).toBe(true);
  });
});

describe('sign in, sessions and sign out', () => {
  test('wrong password → 401 without saying which part was wrong', async () => {
    const u = await signUp(t);
    const res = await post('/api/auth/login', { email: u.email, password: 'wrong-password' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toBe('Email or password is incorrect.');
    const unknown = await post('/api/auth/login', { email: 'nobody@example.com', password: 'wrong-password' });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.message).toBe(res.json().error.message);
  });

  test('sessions are listed, another can be revoked, and logout ends the current one', async () => {
    const u = await signUp(t); // verifying the email signed in once, login a second time
    const before = (await get('/api/auth/sessions', u.cookie)).json().items as { id: string }[];
    const second = await post('/api/auth/login', { email: u.email, password: u.password, rememberMe: true });
    const cookie2 = cookieHeader(second.headers['set-cookie']);
    const list = (await get('/api/auth/sessions', u.cookie)).json().items as { id: string; current: boolean }[];
    expect(list).toHaveLength(before.length + 1);
    expect(list.filter((s) => s.current)).toHaveLength(1);
    const other = list.find((s) => !s.current && !before.some((b) => b.id === s.id))!;
    expect((await t.app.inject({ method: 'DELETE', url: `/api/auth/sessions/${other.id}`, headers: { cookie: u.cookie } })).statusCode).toBe(200);
    expect((await get('/api/auth/me', cookie2)).statusCode).toBe(401);
    expect((await get('/api/auth/me', u.cookie)).statusCode).toBe(200);
    const out = await post('/api/auth/logout', {}, u.cookie);
    expect(out.statusCode).toBe(200);
    expect((await get('/api/auth/me', u.cookie)).statusCode).toBe(401);
  });

  test("a user cannot revoke someone else's session", async () => {
    const a = await signUp(t);
    const b = await signUp(t);
    const bSessions = (await get('/api/auth/sessions', b.cookie)).json().items as { id: string }[];
    const res = await t.app.inject({ method: 'DELETE', url: `/api/auth/sessions/${bSessions[0].id}`, headers: { cookie: a.cookie } });
    expect(res.statusCode).toBe(404);
    expect((await get('/api/auth/me', b.cookie)).statusCode).toBe(200);
  });

  test('sign out everywhere else keeps only this session', async () => {
    const u = await signUp(t);
    const other = cookieHeader((await post('/api/auth/login', { email: u.email, password: u.password })).headers['set-cookie']);
    const n = ((await get('/api/auth/sessions', u.cookie)).json().items as unknown[]).length;
    expect(n).toBeGreaterThanOrEqual(2);
    const res = await post('/api/auth/sessions/revoke-others', {}, u.cookie);
    expect(res.json()).toEqual({ ok: true, revoked: n - 1 });
    expect((await get('/api/auth/sessions', u.cookie)).json().items).toHaveLength(1);
    expect((await get('/api/auth/me', other)).statusCode).toBe(401);
    expect((await get('/api/auth/me', u.cookie)).statusCode).toBe(200);
  });

  test('a tampered session cookie is not accepted', async () => {
    const u = await signUp(t);
    const tampered = u.cookie.replace(/=([^.;]+)/, '=AAAA$1');
    expect((await get('/api/auth/me', tampered)).statusCode).toBe(401);
  });

  test('change password requires the current one and revokes other sessions', async () => {
    const u = await signUp(t);
    const other = cookieHeader((await post('/api/auth/login', { email: u.email, password: u.password })).headers['set-cookie']);
    const wrong = await post('/api/auth/change-password', { currentPassword: 'nope-nope', newPassword: 'brand-new-pass' }, u.cookie);
    expect(wrong.statusCode).toBe(400);
    const ok = await post('/api/auth/change-password', { currentPassword: u.password, newPassword: 'brand-new-pass', revokeOtherSessions: true }, u.cookie);
    expect(ok.statusCode).toBe(200);
    expect((await get('/api/auth/me', other)).statusCode).toBe(401);
    expect((await post('/api/auth/login', { email: u.email, password: 'brand-new-pass' })).statusCode).toBe(200);
  });
});

describe('password reset', () => {
  test('reset link sets a new password and ends old sessions', async () => {
    const u = await signUp(t);
    expect((await post('/api/auth/forgot-password', { email: u.email })).json()).toEqual({ ok: true });
    const link = await latestMailLink(t, u.email, 'password-reset');
    expect(link).toMatch(/^http:\/\/localhost:8080\/reset-password\?token=/);
    const token = new URL(link).searchParams.get('token');
    expect((await post('/api/auth/reset-password', { token, password: 'short' })).statusCode).toBe(400);
    expect((await post('/api/auth/reset-password', { token, password: 'a-new-password' })).statusCode).toBe(200);
    expect((await get('/api/auth/me', u.cookie)).statusCode).toBe(401);
    expect((await post('/api/auth/login', { email: u.email, password: u.password })).statusCode).toBe(401);
    expect((await post('/api/auth/login', { email: u.email, password: 'a-new-password' })).statusCode).toBe(200);
    // single use
    expect((await post('/api/auth/reset-password', { token, password: 'another-password' })).statusCode).toBe(400);
  });

  test('asking for a reset of an unknown email answers the same and sends nothing', async () => {
    const res = await post('/api/auth/forgot-password', { email: 'ghost@example.com' });
    expect(res.json()).toEqual({ ok: true });
    // The job decides: it runs for the unknown address too, and sends nothing.
    expect(await waitForJob(t, JobName.AccountEmail, await t.ctx.services.auth.forgotPassword('ghost@example.com'))).toBe('completed');
    expect(await t.ctx.repos.outbox.listForRecipient('ghost@example.com')).toHaveLength(0);
  });

  test('the email jobs are safe to run twice: a second run sends nothing more', async () => {
    const u = await signUp(t);
    const requestedAt = new Date().toISOString();
    const job = (p: Parameters<typeof t.ctx.jobHandlers[typeof JobName.AccountEmail]['run']>[0]) => t.ctx.jobHandlers[JobName.AccountEmail].run(p);
    expect(await job({ kind: 'password-reset', email: u.email, requestedAt })).toEqual({ status: 'success' });
    expect(await job({ kind: 'password-reset', email: u.email, requestedAt })).toEqual({ status: 'skipped', reason: 'already sent' });
    expect((await t.ctx.repos.outbox.listForRecipient(u.email)).filter((m) => m.kind === 'password-reset')).toHaveLength(1);
    // A verified account gets no verification link; an unknown address gets nothing.
    expect(await job({ kind: 'verify-email', email: u.email, requestedAt })).toEqual({ status: 'skipped', reason: 'already verified' });
    expect(await job({ kind: 'verify-email', email: 'nobody-here@example.com', requestedAt })).toEqual({ status: 'skipped', reason: 'no such account' });
  });
});

describe('protection', () => {
  test('protected routes answer 401 without a session', async () => {
    for (const url of ['/api/auth/me', '/api/auth/sessions', '/api/characters', '/api/persona-templates', '/api/admin/outbox']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error.message).toBe('Please sign in to continue.');
    }
  });

  test('the outbox is for administrators only', async () => {
    const users = await Promise.all([signUp(t), signUp(t)]);
    const roles = await Promise.all(users.map(async (u) => (await get('/api/auth/me', u.cookie)).json().user.role));
    for (const [i, u] of users.entries()) {
      expect((await get('/api/admin/outbox', u.cookie)).statusCode).toBe(roles[i] === 'admin' ? 200 : 403);
    }
  });
});

describe('rate limiting', () => {
  const expectRateLimited = (res: { statusCode: number; headers: Record<string, unknown>; json(): any }, max = 60) => {
    expect(res.statusCode).toBe(429);
    expect(res.json().error.code).toBe('rate_limited');
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= max, `Retry-After: ${String(res.headers['retry-after'])}`).toBe(true);
  };

  test('auth routes are rate limited per client', async () => {
    const limited = await createTestApp({ AUTH_RATE_LIMIT: '5' });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await limited.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'x@example.com', password: 'whatever-1' } });
        codes.push(res.statusCode);
        if (res.statusCode === 429) {
          expect(res.json().error.message).toMatch(/Too many attempts/);
          expectRateLimited(res);
        }
      }
      expect(codes.slice(0, 5).every((c) => c === 401)).toBe(true);
      expect(codes.slice(5)).toEqual([429, 429]);
      // non-auth routes are not limited by it
      expect((await limited.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  test('rotating X-Forwarded-For does not escape the per-IP limit while TRUST_PROXY is off', async () => {
    const limited = await createTestApp({ AUTH_RATE_LIMIT: '5' });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await limited.app.inject({
          method: 'POST', url: '/api/auth/forgot-password', payload: { email: `rotate${i}@example.com` },
          headers: { 'x-forwarded-for': `203.0.113.${i + 1}` },
        });
        codes.push(res.statusCode);
        if (res.statusCode === 429) expectRateLimited(res);
      }
      expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  test('with TRUST_PROXY on, the client address comes from X-Forwarded-For', async () => {
    const limited = await createTestApp({ AUTH_RATE_LIMIT: '5', TRUST_PROXY: 'true' });
    try {
      const forgot = (ip: string, i: number) => limited.app.inject({
        method: 'POST', url: '/api/auth/forgot-password', payload: { email: `proxied${i}@example.com` }, headers: { 'x-forwarded-for': ip },
      });
      // Seven clients behind the proxy, one request each: none is limited.
      const spread = [];
      for (let i = 0; i < 7; i++) spread.push((await forgot(`198.51.100.${i + 1}`, i)).statusCode);
      expect(spread).toEqual([200, 200, 200, 200, 200, 200, 200]);
      // One client seven times: limited after five.
      const same = [];
      for (let i = 0; i < 7; i++) {
        const res = await forgot('198.51.100.200', i);
        same.push(res.statusCode);
        if (res.statusCode === 429) expectRateLimited(res);
      }
      expect(same).toEqual([200, 200, 200, 200, 200, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  describe('per account', () => {
    let lt: TestApp;
    beforeAll(async () => { lt = await createTestApp({ AUTH_ACCOUNT_RATE_LIMIT: '3', TRUST_PROXY: 'true' }); });
    afterAll(async () => { await lt?.close(); });
    const login = (email: string, password: string, ip: string) =>
      lt.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, headers: { 'x-forwarded-for': ip } });

    test('failed sign-ins lock the account whatever the IP, with Retry-After; other accounts are unaffected', async () => {
      const victim = await signUp(lt);
      const bystander = await signUp(lt);
      for (let i = 1; i <= 3; i++) expect((await login(victim.email, `wrong-password-${i}`, `192.0.2.${i}`)).statusCode).toBe(401);
      // Locked now: even the right password, from an address never seen before, answers 429.
      const locked = await login(victim.email, victim.password, '192.0.2.99');
      expectRateLimited(locked, 15 * 60);
      expect(locked.headers['set-cookie']).toBeUndefined();
      expect((await login(victim.email.toUpperCase(), victim.password, '192.0.2.100')).statusCode).toBe(429);
      expect((await login(bystander.email, bystander.password, '192.0.2.1')).statusCode).toBe(200);
    });

    test('an address without an account is throttled the same way (the lock reveals nothing)', async () => {
      const ghost = 'ghost-login@example.com';
      const codes = [];
      for (let i = 1; i <= 4; i++) codes.push((await login(ghost, `guess-${i}`, `192.0.2.${i}`)).statusCode);
      expect(codes).toEqual([401, 401, 401, 429]);
    });

    test('a successful sign-in resets the count', async () => {
      const u = await signUp(lt);
      for (let round = 0; round < 3; round++) {
        expect((await login(u.email, 'wrong-password', '192.0.2.7')).statusCode).toBe(401);
        expect((await login(u.email, 'wrong-password', '192.0.2.8')).statusCode).toBe(401);
        expect((await login(u.email, u.password, '192.0.2.9')).statusCode).toBe(200);
      }
    });
  });
});
