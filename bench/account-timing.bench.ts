// Account-discovery timing: does an auth endpoint answer faster or slower depending on whether
// the address belongs to an account, and in which state? Starts the real server on a fresh data
// folder (email in outbox mode, as offline installs run), makes one unverified and one verified
// account, then calls each endpoint for an unverified, a verified and an unknown address in turn
// (interleaved, one request at a time, so the three see the same machine) and prints p50/p95
// side by side. Timing belongs here, not in tests.
//
//   node bench/account-timing.bench.ts                 embedded PGlite
//   BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/test node bench/account-timing.bench.ts
//
// Knobs: BENCH_ROUNDS (200 requests per endpoint and address), BENCH_WARMUP_ROUNDS (20),
// BENCH_LOG_LEVEL (warn; `info` to measure versions before the verification link was printed).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(import.meta.dirname, '..');
const pg = createRequire(path.join(root, 'server', 'package.json'))('pg') as typeof import('pg');
const rounds = Number(process.env.BENCH_ROUNDS ?? 200);
const warmupRounds = Number(process.env.BENCH_WARMUP_ROUNDS ?? 20);
const databaseUrl = process.env.BENCH_DATABASE_URL || null;

let server: ChildProcess | null = null;
let serverOut = '';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ainfluencer-timing-'));
let dropDatabase: (() => Promise<void>) | null = null;

const log = (m: string) => process.stderr.write(`[timing] ${m}\n`);

async function cleanup() {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  await dropDatabase?.().catch(() => {});
  fs.rmSync(tmp, { recursive: true, force: true });
}

function start(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'server/src/cli.ts'), 'start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      serverOut += c;
      const m = serverOut.match(/AInfluencer is running at (http:\/\/\S+)/);
      if (m) resolve(m[1].replace('localhost', '127.0.0.1'));
    });
    child.stderr!.setEncoding('utf8').on('data', (c: string) => { serverOut += c; });
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${serverOut}`)));
  });
}

async function post(base: string, url: string, body: unknown): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - t0 };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function main() {
  let dbUrl: string | undefined;
  if (databaseUrl) {
    const name = `ainf_timing_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const u = new URL(databaseUrl);
    u.pathname = `/${name}`;
    dbUrl = u.toString();
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: tmp, PORT: '0', HOST: '127.0.0.1',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn', AUTH_RATE_LIMIT: '1000000', AUTH_ACCOUNT_RATE_LIMIT: '1000', ...(dbUrl ? { DATABASE_URL: dbUrl } : {}),
  };
  const base = await start(env);
  log(`server at ${base} (${databaseUrl ? 'Postgres' : 'PGlite'})`);

  const password = 'bench-password-1';
  const unverified = 'unverified@timing.test';
  const verified = 'verified@timing.test';
  const unknown = 'nobody@timing.test';
  const r1 = await post(base, '/api/auth/register', { name: 'Timing', email: unverified, password });
  if (r1.status !== 201) throw new Error(`register: ${r1.status}`);
  await printedLink(0);
  // Verify the other with the link the server prints (no SMTP configured).
  const offset = serverOut.length;
  const r2 = await post(base, '/api/auth/register', { name: 'Timing', email: verified, password });
  if (r2.status !== 201) throw new Error(`register: ${r2.status}`);
  const link = await printedLink(offset);
  const v = await post(base, '/api/auth/verify-email', { token: new URL(link).searchParams.get('token') });
  if (v.status !== 200) throw new Error(`verify: HTTP ${v.status}`);

  const cases: Array<{ name: string; url: string; body: (email: string) => unknown; expect: number[] }> = [
    { name: 'POST /api/auth/resend-verification', url: '/api/auth/resend-verification', body: (email) => ({ email }), expect: [200] },
    { name: 'POST /api/auth/forgot-password', url: '/api/auth/forgot-password', body: (email) => ({ email }), expect: [200] },
    { name: 'POST /api/auth/login (wrong password)', url: '/api/auth/login', body: (email) => ({ email, password: 'wrong-password' }), expect: [401] },
  ];
  const states = [['unverified', unverified], ['verified', verified], ['unknown', unknown]] as const;
  const rows: string[] = [];
  for (const c of cases) {
    const ms: Record<string, number[]> = { unverified: [], verified: [], unknown: [] };
    for (let i = 0; i < warmupRounds + rounds; i++) {
      for (const [state, email] of states) {
        const r = await post(base, c.url, c.body(email));
        if (!c.expect.includes(r.status)) throw new Error(`${c.name} for ${state}: HTTP ${r.status}`);
        if (i >= warmupRounds) ms[state].push(r.ms);
      }
    }
    const cell = (xs: number[]) => `${pct(xs, 50).toFixed(1).padStart(6)} ${pct(xs, 95).toFixed(1).padStart(6)}`;
    rows.push(`${c.name.padEnd(40)} ${cell(ms.unverified)}   ${cell(ms.verified)}   ${cell(ms.unknown)}`);
  }
  const head = `${'ms, one request at a time'.padEnd(40)} ${'unverified'.padStart(13)}   ${'verified'.padStart(13)}   ${'unknown'.padStart(13)}`;
  const sub = `${''.padEnd(40)} ${'p50    p95'.padStart(13)}   ${'p50    p95'.padStart(13)}   ${'p50    p95'.padStart(13)}`;
  process.stdout.write(`\n${head}\n${sub}\n${rows.join('\n')}\n\n${rounds} requests per cell after ${warmupRounds} warm-up rounds; ${databaseUrl ? 'Postgres server' : 'embedded PGlite'}.\n`);
}

/**
 * The first verification link the server printed after `offset`: on a line of its own (this
 * version), or inside the JSON log line (older versions, with BENCH_LOG_LEVEL=info).
 */
async function printedLink(offset: number): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const m = serverOut.slice(offset).match(/(http:\/\/\S+?\/verify-email\?token=[A-Za-z0-9._~%-]+)/);
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no verification link printed');
}

main().then(cleanup, async (err) => {
  log(String((err as Error).stack ?? err));
  await cleanup();
  process.exit(1);
});
