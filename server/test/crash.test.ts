// kill -9 in the middle of a job: the studio is killed while an ingest job runs, then started
// again. The job's heartbeat stops, the queue fails it within heartbeatSeconds (+ one supervision
// pass) and retries it, so the asset is processed within about a minute — not left `processing`
// until the 15-minute expiry. Real processes, real database, real ffmpeg.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { resolveFfmpeg } from '../src/media/ffmpeg.ts';
import { api, children, cliEnv, run, start, type Running } from './support/cli.ts';
import { serverDatabase } from './support/databases.ts';

const serverUrl = process.env.DATABASE_URL;
let tmp: string;
let database: { url: string; drop(): Promise<void> } | null = null;
let dbUrl: string | undefined;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ainfluencer-crash-'));
  if (serverUrl) {
    database = await serverDatabase('ainf_crash');
    dbUrl = database.url;
  }
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await database?.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const env = (dataDir: string) => cliEnv(dataDir, {
  LOG_LEVEL: 'debug', AUTH_RATE_LIMIT: '1000', WORKER_CONCURRENCY: '1',
  ...(dbUrl ? { DATABASE_URL: dbUrl, AUTH_SECRET: 'c'.repeat(40) } : {}),
});

/** A video whose ingest takes a second or more (720p, 8 s), so the kill lands while it runs. */
function bigVideo(file: string) {
  execFileSync(resolveFfmpeg({}).ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25:duration=8', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=8',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-y', file]);
  return fs.readFileSync(file);
}

async function upload(base: string, cookie: string, name: string, data: Buffer) {
  const form = new FormData();
  form.append('files', new Blob([new Uint8Array(data)], { type: 'video/mp4' }), name);
  const res = await fetch(`${base}/api/assets`, { method: 'POST', headers: { cookie }, body: form });
  const body = await res.json() as { items: Array<{ id: string; status: string }> };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.items[0];
}

async function waitForLine(p: Running, re: RegExp, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (re.test(p.output())) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no line matching ${re} in:\n${p.output().slice(-3000)}`);
}

test('after kill -9 during an ingest, the restarted studio finishes the asset within about a minute', async () => {
  const dataDir = path.join(tmp, 'studio');
  const admin = await run(['create-admin', '--email', 'crash@example.com', '--password', 'crash-password'], env(dataDir));
  expect(admin.code, admin.stderr).toBe(0);
  const video = bigVideo(path.join(tmp, 'big.mp4'));

  let app = await start([], env(dataDir), 120_000);
  let cookie = (await api(app.base, 'POST', '/api/auth/login', { body: { email: 'crash@example.com', password: 'crash-password' } })).cookie;
  const asset = await upload(app.base, cookie, 'big.mp4', video);
  // The ingest job has started: kill the process without any chance to clean up.
  await waitForLine(app, /"msg":"job started".*"job":"asset-ingest"|"job":"asset-ingest".*"msg":"job started"/, 60_000);
  const killed = await app.stop('SIGKILL');
  expect(killed.signal).toBe('SIGKILL');

  app = await start([], env(dataDir), 120_000);
  cookie = (await api(app.base, 'POST', '/api/auth/login', { body: { email: 'crash@example.com', password: 'crash-password' } })).cookie;
  const right = await api(app.base, 'GET', `/api/assets/${asset.id}`, { cookie });
  expect(right.json.status, 'the kill landed before the job finished').toBe('processing');

  // Positive signal: the asset leaves `processing` (a 15-minute expiry would time this test out).
  let last: { status: string; error: string | null } = right.json;
  const until = Date.now() + 150_000; // ~35 s on an idle machine (PGlite: ~10 s); the old expiry was 900 s
  while (last.status === 'processing' && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500));
    last = (await api(app.base, 'GET', `/api/assets/${asset.id}`, { cookie })).json;
  }
  expect(last.status, JSON.stringify(last)).not.toBe('processing');
  expect(['pending', 'approved']).toContain(last.status);
  expect(app.output()).toMatch(/"msg":"job started".*"attempt":2|"attempt":2.*"msg":"job started"/);
  const stopped = await app.stop('SIGTERM');
  expect(stopped.code).toBe(0);
}, 360_000);
