// The `ainfluencer` command line as an operator runs it: real child processes (node + the
// TypeScript sources), a temp DATA_DIR, PORT=0 on 127.0.0.1. Exit codes: 0 ok, 2 bad usage or
// configuration. With DATABASE_URL set, the same checks run against a fresh database on that
// server (the embedded-folder lock checks are PGlite-only), plus split api/worker processes.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, children, cliEnv, run, start, type Running } from './support/cli.ts';
import { serverDatabase } from './support/databases.ts';

const usingPostgres = Boolean(process.env.DATABASE_URL);

async function login(base: string, email: string, password: string) {
  const res = await api(base, 'POST', '/api/auth/login', { body: { email, password } });
  expect(res.status, res.text).toBe(200);
  return res;
}

/** Opens the SSE stream and resolves once its first bytes arrived; `ended` settles when the server closes it. */
function openEvents(base: string, cookie: string): Promise<{ ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}/api/events`, { headers: { cookie } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`events answered ${res.statusCode}`));
      const ended = new Promise<void>((done) => { res.on('end', done); res.on('close', done); res.on('error', () => done()); });
      res.once('data', () => resolve({ ended }));
      res.resume();
    });
    req.on('error', reject);
  });
}

let tmp: string;
const databases: Array<{ url: string; drop(): Promise<void> }> = [];
let dbUrl: string | undefined;

/** A database of its own on the Postgres server (dropped after the file), or undefined when embedded. */
async function ownDatabase(): Promise<string | undefined> {
  if (!usingPostgres) return undefined;
  const db = await serverDatabase('ainf_cli');
  databases.push(db);
  return db.url;
}

function baseEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return cliEnv(dataDir, { ...(dbUrl ? { DATABASE_URL: dbUrl } : {}), ...extra });
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ainfluencer-cli-'));
  dbUrl = await ownDatabase();
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const db of databases) await db.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the command line', () => {
  test.concurrent('bad usage and configuration exit with code 2 and name the problem: PORT=abc, worker role without DATABASE_URL, create-admin with a short password', async ({ expect }) => {
    const dir = path.join(tmp, 'never-created');
    const [badPort, worker, shortPw] = await Promise.all([
      run(['start'], baseEnv(dir, { PORT: 'abc' })),
      run(['start', '--role', 'worker'], { ...baseEnv(dir), DATABASE_URL: undefined }),
      run(['create-admin', '--email', 'a@b.co', '--password', 'short'], baseEnv(dir)),
    ]);
    expect({ code: badPort.code, stderr: badPort.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(/^Invalid configuration:\n\s+- PORT: /) });
    expect({ code: worker.code, stderr: worker.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(/DATABASE_URL: required for --role worker/) });
    expect({ code: shortPw.code, stderr: shortPw.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(/--password must be at least 8 characters/) });
    // Nothing was created for commands that never got to the database.
    expect(fs.existsSync(dir)).toBe(false);
    // No stack traces for configuration mistakes.
    for (const r of [badPort, worker, shortPw]) expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 90_000); // three cold Node processes at once: over 30 s on a loaded 2-core machine

  test.concurrent('an install from scratch: migrate, seed-demo twice, create-admin; then start serves the seeded data and stops gracefully', async ({ expect }) => {
    const dataDir = path.join(tmp, 'studio');
    const env = baseEnv(dataDir);

    const migrate = await run(['migrate'], env);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toContain('Database is up to date.');

    const seed1 = await run(['seed-demo'], env, 300_000); // it runs the photo and ingest jobs (vision models)
    expect(seed1.code, seed1.stderr).toBe(0);
    expect(seed1.stdout).toContain('demo@example.com / demo-password');
    // Photos and vault items went through the real pipeline, which ran inside seed-demo.
    expect(seed1.stdout).toMatch(/\(3 characters, 10 reference photos, 13 vault items added; vault: 13 items \(\d+ approved, \d+ waiting for review\)\)\.\n$/);

    const seed2 = await run(['seed-demo'], env, 120_000);
    expect(seed2.code, seed2.stderr).toBe(0);
    expect(seed2.stdout).toMatch(/^Demo data already present: sign in as demo@example\.com \/ demo-password \(vault: 13 items/);
    expect(seed2.stdout).not.toMatch(/added/);

    const admin = await run(['create-admin', '--email', 'admin@x.io', '--password', 'long-enough-pw'], env);
    expect(admin.code, admin.stderr).toBe(0);
    expect(admin.stdout).toContain('Created administrator admin@x.io.');
    expect(admin.stdout, 'a verified administrator needs no link').not.toContain('verify-email');

    const server = await start([], env);
    try {
      const port = new URL(server.base).port;
      expect(Number(port)).toBeGreaterThan(0);
      expect(server.printed).toBe(`http://localhost:${port}`);
      expect(server.output()).toContain(`AInfluencer is running at http://localhost:${port}`);

      const health = await api(server.base, 'GET', '/api/health');
      expect(health.status).toBe(200);
      expect(health.json).toMatchObject({ ok: true, database: usingPostgres ? 'postgres' : 'pglite', storage: 'local', mail: 'outbox' });

      const demo = await login(server.base, 'demo@example.com', 'demo-password');
      const list = await api(server.base, 'GET', '/api/characters', { cookie: demo.cookie });
      expect(list.status).toBe(200);
      const items = (list.json.items ?? list.json) as Array<{ handle: string }>;
      expect(items.map((c) => c.handle).sort()).toEqual(['aurora.reads', 'kenji.codes', 'mila.moves']);

      // Every demo character has processed reference photos and vault items: some approved (by
      // the identity gate, or by the demo user), some waiting in the review queue. Seeding twice
      // added nothing twice.
      for (const c of items as Array<{ id: string; handle: string }>) {
        const photos = await api(server.base, 'GET', `/api/characters/${c.id}/photos`, { cookie: demo.cookie });
        expect(photos.status).toBe(200);
        const list = photos.json.items as Array<{ status: string; thumbnailUrl: string | null }>;
        expect({ handle: c.handle, count: list.length, ready: list.every((p) => p.status === 'ready' && p.thumbnailUrl) }).toEqual({ handle: c.handle, count: c.handle === 'kenji.codes' ? 4 : 3, ready: true });
        const counts = await api(server.base, 'GET', `/api/assets/counts?characterId=${c.id}`, { cookie: demo.cookie });
        expect(counts.status, counts.text).toBe(200);
        expect(counts.json.byStatus.approved, c.handle).toBeGreaterThanOrEqual(2); // a face that matches its references + one quote card
        expect(counts.json.byStatus.pending, c.handle).toBeGreaterThanOrEqual(1);
        expect(counts.json.byStatus.processing ?? 0).toBe(0);
      }
      const review = await api(server.base, 'GET', '/api/assets?status=pending&limit=100', { cookie: demo.cookie });
      expect(review.status, review.text).toBe(200);
      expect(review.json.items.length).toBeGreaterThanOrEqual(3);
      const all = await api(server.base, 'GET', '/api/assets/counts', { cookie: demo.cookie });
      expect(all.json.total).toBe(13);
      const approved = await api(server.base, 'GET', '/api/assets?status=approved&limit=100', { cookie: demo.cookie });
      const decidedBy = await Promise.all((approved.json.items as Array<{ id: string }>).map(async (a) => (await api(server.base, 'GET', `/api/assets/${a.id}`, { cookie: demo.cookie })).json.decidedBy));
      expect(new Set(decidedBy)).toEqual(new Set(['rules', 'user']));

      const adm = await login(server.base, 'admin@x.io', 'long-enough-pw');
      const me = await api(server.base, 'GET', '/api/auth/me', { cookie: adm.cookie });
      expect(me.status).toBe(200);
      expect(me.json.user).toMatchObject({ email: 'admin@x.io', role: 'admin', emailVerified: true });
      expect((await api(server.base, 'GET', '/api/auth/me', { cookie: demo.cookie })).json.user.role).toBe('user');

      if (!usingPostgres) {
        // The embedded database belongs to this process: a second start is refused clearly.
        const second = await run(['start'], env);
        expect(second.code).toBe(2);
        expect(second.stderr).toMatch(/The embedded database in .* is in use by another process \(pid \d+\)/);
        expect(second.stderr).toContain(`pid ${server.child.pid}`);
        expect(second.stderr).toContain('DATABASE_URL');
        expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'db.lock'), 'utf8'))).toMatchObject({ pid: server.child.pid, started: expect.any(String) });
        // …and the first one is unaffected.
        expect((await api(server.base, 'GET', '/api/health')).status).toBe(200);
      }

      // A browser tab with an open live-update stream must not hold up shutdown.
      const events = await openEvents(server.base, demo.cookie);
      const stopped = await server.stop('SIGTERM');
      expect(stopped.code, stopped.stdout + stopped.stderr).toBe(0);
      expect(stopped.signal).toBeNull();
      // Code 0 is the graceful path: past its 20 s limit the CLI exits with 1.
      expect(stopped.stdout).toMatch(/shutting down gracefully/);
      await events.ended;
      if (!usingPostgres) expect(fs.existsSync(path.join(dataDir, 'db.lock'))).toBe(false);
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  }, 600_000); // a bound for a loaded machine, not a target: each step boots a process
});

describe('the first administrator without SMTP', () => {
  /** Waits for a verification link printed on a line of its own (not inside a JSON log line). */
  async function printedLink(server: Running, after: number): Promise<{ link: string; at: number }> {
    const lineLink = /^(http:\/\/localhost:\d+\/verify-email\?token=[A-Za-z0-9._~%-]+)$/m;
    for (let i = 0; i < 600; i++) {
      const rest = server.output().slice(after);
      const m = rest.match(lineLink);
      if (m) return { link: m[1], at: after + m.index! + m[0].length };
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no verification link on its own line:\n${server.output().slice(after)}`);
  }

  test.concurrent('gets the verification link on a plain line at sign-up and a fresh one at every start until verified', async ({ expect }) => {
    const dataDir = path.join(tmp, 'first-admin');
    // A database of its own: the other tests share one that already has an administrator.
    const ownDb = await ownDatabase();
    const env = { ...baseEnv(dataDir), ...(ownDb ? { DATABASE_URL: ownDb } : {}) };
    const email = 'first@x.io';
    const first = await start([], env);
    try {
      const reg = await api(first.base, 'POST', '/api/auth/register', { body: { name: 'First', email, password: 'long-enough-pw' } });
      expect(reg.status, reg.text).toBe(201);
      const { link } = await printedLink(first, 0);
      expect(new URL(link).pathname).toBe('/verify-email');
      // The JSON log line is still there too (with the link inside its escaped message). pino writes
      // it through its own buffered stream, so it may arrive after the plain line: wait for it.
      const jsonLine = /^\{.*"Email \(no SMTP configured; kept in the outbox\):\\n {2}To: first@x\.io/m;
      for (let i = 0; i < 400 && !jsonLine.test(first.output()); i++) await new Promise((r) => setTimeout(r, 50));
      expect(first.output()).toMatch(jsonLine);
      expect((await first.stop('SIGTERM')).code).toBe(0);
    } finally {
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
    }

    // The next start prints a fresh link for the unverified administrator, and it works.
    const second = await start([], env);
    try {
      const { link } = await printedLink(second, second.output().indexOf('AInfluencer is running at'));
      const ver = await api(second.base, 'POST', '/api/auth/verify-email', { body: { token: new URL(link).searchParams.get('token') } });
      expect(ver.status, ver.text).toBe(200);
      const me = await api(second.base, 'GET', '/api/auth/me', { cookie: ver.cookie });
      expect(me.json.user).toMatchObject({ email, role: 'admin', emailVerified: true });
      expect((await api(second.base, 'GET', '/api/admin/outbox', { cookie: ver.cookie })).status).toBe(200);
      expect((await second.stop('SIGTERM')).code).toBe(0);
    } finally {
      if (second.child.exitCode === null) second.child.kill('SIGKILL');
    }

    // Verified: later starts print no link.
    const third = await start([], env);
    try {
      const stopped = await third.stop('SIGTERM');
      expect(stopped.code).toBe(0);
      expect(stopped.stdout).not.toMatch(/verify-email\?token=/);
    } finally {
      if (third.child.exitCode === null) third.child.kill('SIGKILL');
    }
  }, 180_000);
});

describe.skipIf(!usingPostgres)('split roles on a Postgres server', () => {
  test('start --role api and --role worker run side by side and stop gracefully', async () => {
    const dir = path.join(tmp, 'split');
    const secret = randomBytes(32).toString('hex');

    const env = baseEnv(dir, { AUTH_SECRET: secret });
    const [noSecret, apiProc, worker] = await Promise.all([
      run(['start', '--role', 'api'], baseEnv(dir)),
      start(['--role', 'api'], env),
      start(['--role', 'worker'], env),
    ]);
    try {
      // Without AUTH_SECRET the separate roles refuse to start (sessions must verify everywhere).
      expect(noSecret.code).toBe(2);
      expect(noSecret.stderr).toMatch(/AUTH_SECRET: required when running separate roles/);

      expect(worker.output()).toContain('AInfluencer worker is running (no HTTP)');
      expect(worker.output()).toMatch(/workers started/);
      expect(apiProc.output()).not.toMatch(/workers started/);
      const health = await api(apiProc.base, 'GET', '/api/health');
      expect(health.status).toBe(200);
      expect(health.json).toMatchObject({ ok: true, database: 'postgres' });
      // The api process knows the seeded accounts from the shared database.
      await login(apiProc.base, 'admin@x.io', 'long-enough-pw');

      const [a, w] = await Promise.all([apiProc.stop('SIGTERM'), worker.stop('SIGTERM')]);
      for (const r of [a, w]) {
        expect(r.code, r.stdout + r.stderr).toBe(0); // not the 20 s forced exit (code 1)
      }
    } finally {
      for (const p of [apiProc, worker]) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  }, 480_000);
});
