// API latency while ingest runs (issue 7, A5): the vault list (`GET /api/assets?limit=100`)
// p95 while 200 uploaded images are being analysed, beside the idle list p95 and the no-op
// `/api/health` p95 measured in the same run against the same server. Run once with the models
// in the server's main thread (VISION_THREADS=0, the old behaviour) and once with the worker-
// thread pool (default size), so the effect of moving inference off the event loop shows.
//
//   node bench/list-under-ingest.bench.ts     (BENCH_QUICK=1: 5-s windows, 120 images)
//
// The real server (`node server/src/cli.ts start`, embedded PGlite, all-in-one) runs as a child
// process; autocannon (BENCH_CONNECTIONS=10 clients, back to back) runs here. Target: list p95
// ≤ 20 ms under ingest (the API target of DESIGN.md). Knobs: BENCH_INGEST_IMAGES (200),
// BENCH_DURATION (10 s per window), BENCH_CONNECTIONS (10), BENCH_VISION_THREADS ("0,default").
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import autocannon from 'autocannon';

const root = path.resolve(import.meta.dirname, '..');
const serverRequire = createRequire(path.join(root, 'server', 'package.json'));
const sharp = serverRequire('sharp') as typeof import('sharp').default;
const quick = process.env.BENCH_QUICK === '1';
const num = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);
const IMAGES = num('BENCH_INGEST_IMAGES', quick ? 120 : 200);
const DURATION = num('BENCH_DURATION', quick ? 5 : 10);
const CONNECTIONS = num('BENCH_CONNECTIONS', 10);
const MODES = (process.env.BENCH_VISION_THREADS ?? '0,default').split(',').map((s) => s.trim());
const TARGET_MS = 20;
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

let server: ChildProcess | null = null;
process.on('exit', () => { if (server && server.exitCode === null) server.kill('SIGKILL'); });

const freePort = () => new Promise<number>((resolve, reject) => {
  const s = net.createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => { const port = (s.address() as net.AddressInfo).port; s.close(() => resolve(port)); });
});

function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'server/src/cli.ts'), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args[0]} exited ${code}: ${out}`))));
  });
}

function start(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'server/src/cli.ts'), 'start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1].replace('localhost', '127.0.0.1').replace(/\/$/, ''));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

async function stop() {
  const child = server;
  server = null;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

// Half single-face portraits (the slow case: rating + face detection + embedding), half cards.
const assets = path.resolve(path.dirname(serverRequire.resolve('@vladmandic/human')), '..', 'assets');
const facematch = fs.readFileSync(path.join(assets, 'screenshot-facematch.jpg'));
const TILE = 1920 / 18;
async function image(i: number): Promise<Buffer> {
  if (i % 2 === 0) {
    const t = [1, 2, 3, 4, 6, 7, 9, 11][(i / 2) % 8];
    // The index written in the margin keeps every file distinct (near colours can encode alike).
    const label = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="400" height="60"><text x="10" y="45" font-size="40" fill="#fff">#${i}</text></svg>`);
    const framed = await sharp(facematch).extract({ left: Math.round(t * TILE + 1), top: t < 5 ? 284 : 394, width: Math.round(TILE - 3), height: 104 }).resize(720)
      .extend({ top: 120, bottom: 120, left: 120, right: 120, background: { r: 20, g: 30, b: 40 } }).toBuffer();
    return sharp(framed).composite([{ input: label, top: 890, left: 20 }]).jpeg({ quality: 88 }).toBuffer();
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1080" height="1350"><rect width="100%" height="100%" fill="hsl(${(i * 47) % 360},60%,55%)"/><circle cx="540" cy="500" r="${200 + (i % 50)}" fill="hsl(${(i * 91) % 360},50%,40%)"/><text x="540" y="1000" font-size="84" text-anchor="middle" font-family="sans-serif" fill="#fff">Post ${i}</text></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 88 }).toBuffer();
}

async function upload(base: string, cookie: string, from: number, count: number) {
  for (let i = from; i < from + count; i += 10) {
    const form = new FormData();
    for (let j = i; j < Math.min(from + count, i + 10); j++) form.append('files', new Blob([new Uint8Array(await image(j))], { type: 'image/jpeg' }), `post-${j}.jpg`);
    const res = await fetch(`${base}/api/assets`, { method: 'POST', body: form, headers: { cookie } });
    if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`);
  }
}

async function processing(base: string, cookie: string): Promise<number> {
  const res = await fetch(`${base}/api/assets/counts`, { headers: { cookie } });
  const body = (await res.json()) as { byStatus: Record<string, number> };
  return body.byStatus.processing ?? 0;
}

async function p95(base: string, urlPath: string, cookie: string | null) {
  const latencies: number[] = [];
  // Called without a callback it is both the running instance (events) and a promise of the result.
  const instance = autocannon({ url: `${base}${urlPath}`, connections: CONNECTIONS, duration: DURATION, headers: cookie ? { cookie } : {} }) as unknown as autocannon.Instance & Promise<autocannon.Result>;
  instance.on('response', (_c: unknown, status: number, _b: number, ms: number) => { if (status === 200) latencies.push(ms); });
  const result = (await instance) as { non2xx: number; errors: number };
  if (result.non2xx || result.errors) throw new Error(`${urlPath}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
  return { p50: at(50), p95: at(95), p99: at(99), max: latencies[latencies.length - 1], rps: latencies.length / DURATION };
}

interface ModeResult { mode: string; threads: string; idleHealth: Awaited<ReturnType<typeof p95>>; idleList: Awaited<ReturnType<typeof p95>>; busyList: Awaited<ReturnType<typeof p95>>; busyHealth: Awaited<ReturnType<typeof p95>>; ingestedDuring: number; stillProcessing: number }
const results: ModeResult[] = [];

for (const mode of MODES) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ainfluencer-list-ingest-bench-'));
  try {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env, DATA_DIR: dir, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', LOG_PRETTY: 'false', AUTH_RATE_LIMIT: '100000',
      AUTH_SECRET: 'c'.repeat(64), NODE_ENV: 'production', ...(mode === 'default' ? {} : { VISION_THREADS: mode }),
    };
    delete env.DATABASE_URL;
    if (mode === 'default') delete env.VISION_THREADS;
    const email = 'bench@example.com';
    const password = 'bench-password-123';
    await run(['create-admin', '--email', email, '--password', password, '--name', 'Bench'], env);
    const base = await start(env);
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    if (login.status !== 200) throw new Error(`login ${login.status}`);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => !c.endsWith('=')).join('; ');
    log(`VISION_THREADS=${mode}: warming up (20 images, models load) …`);
    await upload(base, cookie, 0, 20);
    while (await processing(base, cookie)) await new Promise((r) => setTimeout(r, 200));
    const list = '/api/assets?limit=100';
    const idleHealth = await p95(base, '/api/health', null);
    const idleList = await p95(base, list, cookie);
    log(`  idle: list p95 ${idleList.p95} ms, health p95 ${idleHealth.p95} ms; uploading ${IMAGES} …`);
    await upload(base, cookie, 1000, IMAGES);
    const before = await processing(base, cookie);
    const busyList = await p95(base, list, cookie);
    const busyHealth = await p95(base, '/api/health', null);
    const stillProcessing = await processing(base, cookie);
    log(`  under ingest: list p95 ${busyList.p95} ms, health p95 ${busyHealth.p95} ms; ${before - stillProcessing} images analysed in the two windows, ${stillProcessing} still processing`);
    results.push({ mode, threads: mode === 'default' ? `default (${Math.min(2, os.availableParallelism())})` : mode, idleHealth, idleList, busyList, busyHealth, ingestedDuring: before - stillProcessing, stillProcessing });
  } finally {
    await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const f = (n: number) => n.toFixed(1);
const lines = [
  '',
  `AInfluencer API latency while ingesting — ${os.cpus().length} cores, Node ${process.version}, ${CONNECTIONS} connections, ${DURATION} s windows, ${IMAGES} images uploaded, load average ${os.loadavg()[0].toFixed(1)}${quick ? ', BENCH_QUICK' : ''}`,
  '',
  '| VISION_THREADS | health p95 idle | list p95 idle | list p50 / p95 / p99 / max under ingest | health p95 under ingest | list req/s idle → ingest | images analysed in the windows | target list p95 | result |',
  '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ...results.map((r) => `| ${r.threads} | ${f(r.idleHealth.p95)} | ${f(r.idleList.p95)} | ${f(r.busyList.p50)} / ${f(r.busyList.p95)} / ${f(r.busyList.p99)} / ${f(r.busyList.max)} | ${f(r.busyHealth.p95)} | ${Math.round(r.idleList.rps)} → ${Math.round(r.busyList.rps)} | ${r.ingestedDuring}${r.stillProcessing ? '' : ' (ingest ended inside the windows)'} | ≤ ${TARGET_MS} | ${r.busyList.p95 <= TARGET_MS ? 'pass' : 'MISS'} |`),
  '',
];
process.stdout.write(lines.join('\n'));
