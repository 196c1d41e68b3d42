// Ingest benchmark: the whole vault pipeline per image (store, sanitize + provenance,
// thumbnail, sha256 + perceptual hash, NSFW rating, faces + identity, gates, database writes)
// with the models warm, on ONE core. Target (issue 3): ≤ 300 ms per image per core.
//
//   node bench/ingest.bench.ts            (BENCH_INGEST_IMAGES=40, BENCH_VISION_NO_PIN=1 to not pin,
//                                          BENCH_VISION_THREADS=1: models in one worker thread; 0: in the main thread)
//
// Runs the real AssetService against an embedded database and local storage in a temp folder;
// the job handler is called directly (queue latency is not part of ingest cost).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

if (process.platform === 'linux' && !process.env.BENCH_VISION_PINNED && process.env.BENCH_VISION_NO_PIN !== '1') {
  if (spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0) {
    const r = spawnSync('taskset', ['-c', '0', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit', env: { ...process.env, BENCH_VISION_PINNED: '1', UV_THREADPOOL_SIZE: '1' },
    });
    process.exit(r.status ?? 1);
  }
}

const root = path.resolve(import.meta.dirname, '..');
const serverRequire = createRequire(path.join(root, 'server', 'package.json'));
const sharp = serverRequire('sharp') as typeof import('sharp').default;
sharp.concurrency(1);
const pino = serverRequire('pino') as typeof import('pino').default;
const { loadConfig } = await import('../server/src/config/env.ts');
const { createContext } = await import('../server/src/context.ts');
const TARGET_MS = 300;
const count = Number(process.env.BENCH_INGEST_IMAGES ?? 40);
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

const assets = path.resolve(path.dirname(serverRequire.resolve('@vladmandic/human')), '..', 'assets');
const facematch = fs.readFileSync(path.join(assets, 'screenshot-facematch.jpg'));
const TILE = 1920 / 18;
async function portrait(row: 1 | 2, i: number, variant: number) {
  return sharp(facematch).extract({ left: Math.round(i * TILE + 1), top: row === 1 ? 284 : 394, width: Math.round(TILE - 3), height: 104 })
    .resize(720 + variant * 8).extend({ top: 120, bottom: 120, left: 120, right: 120, background: { r: 20 + variant, g: 30, b: 40 } }).jpeg({ quality: 88 }).toBuffer();
}
async function card(i: number) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1080" height="1350"><rect width="100%" height="100%" fill="hsl(${(i * 47) % 360},60%,55%)"/><text x="540" y="640" font-size="84" text-anchor="middle" font-family="sans-serif" fill="#fff">Quote card ${i}</text></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 88 }).toBuffer();
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ainfluencer-ingest-bench-'));
const ctx = await createContext(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', AUTH_SECRET: 'b'.repeat(64), VISION_THREADS: process.env.BENCH_VISION_THREADS ?? '1' }), { log: pino({ level: 'silent' }), print: () => {} });
const vision = ctx.engines.list('vision')[0];
try {
  const { id: userId } = await ctx.services.auth.createVerifiedUser({ name: 'Bench', email: 'ingest@bench.test', password: 'bench-password' }, 'user');
  log('warming the models …');
  const warm = await portrait(1, 1, 99);
  await vision.rate(warm);
  await vision.faces(warm);
  const images: Array<{ kind: string; data: Buffer }> = [];
  for (let i = 0; i < count; i++) images.push(i % 2 === 0 ? { kind: 'portrait', data: await portrait(i % 4 === 0 ? 1 : 2, 1 + (i % 8), i) } : { kind: 'card', data: await card(i) });
  // Time spent in the two model calls, to split each image's cost into models vs the rest.
  let modelMs = 0;
  for (const name of ['rate', 'faces'] as const) {
    const fn = vision[name].bind(vision) as (x: never) => Promise<unknown>;
    (vision as unknown as Record<string, unknown>)[name] = async (x: never) => {
      const t = performance.now();
      try { return await fn(x); } finally { modelMs += performance.now() - t; }
    };
  }
  const rows: Array<{ kind: string; ms: number; cpuMs: number; modelMs: number; status: string }> = [];
  for (const [i, img] of images.entries()) {
    modelMs = 0;
    const t = performance.now();
    const cpu = process.cpuUsage();
    const created = await ctx.services.ingest.ingest({ userId, source: 'generated', filename: `img-${i}.jpg`, data: img.data, prompt: 'bench image', engine: 'bench' });
    const res = await ctx.services.ingest.handleIngest({ assetId: created.id });
    const c = process.cpuUsage(cpu);
    const ms = performance.now() - t;
    if (res.status !== 'success') throw new Error(`ingest ${i} ${res.status}`);
    rows.push({ kind: img.kind, ms, cpuMs: (c.user + c.system) / 1000, modelMs, status: (await ctx.services.assets.get(userId, created.id)).status });
  }
  const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
  const line = (label: string, xs: typeof rows) => {
    const ms = xs.map((r) => r.ms);
    const cpu = xs.map((r) => r.cpuMs);
    const p95 = pct(ms, 95);
    const models = pct(xs.map((r) => r.modelMs), 50);
    const rest = pct(xs.map((r) => r.ms - r.modelMs), 50);
    return `| ${label.padEnd(22)} | ${String(xs.length).padStart(6)} | ${pct(ms, 50).toFixed(0).padStart(6)} | ${p95.toFixed(0).padStart(6)} | ${pct(cpu, 50).toFixed(0).padStart(10)} | ${models.toFixed(0).padStart(13)} | ${rest.toFixed(0).padStart(11)} | ${('≤ ' + TARGET_MS).padStart(10)} | ${(p95 <= TARGET_MS ? 'pass' : 'MISS').padStart(6)} |`;
  };
  process.stdout.write([
    '',
    `AInfluencer ingest benchmark — one core, models warm, VISION_THREADS ${process.env.BENCH_VISION_THREADS ?? 1}, load average ${os.loadavg()[0].toFixed(1)}, ${os.cpus()[0]?.model ?? ''}, Node ${process.version}`,
    '',
    '| images                 | count  | p50 ms | p95 ms | CPU p50 ms | models p50 ms | rest p50 ms | target p95 | result |',
    '|------------------------|-------:|-------:|-------:|-----------:|--------------:|------------:|-----------:|-------:|',
    line('all', rows),
    line('single-face portraits', rows.filter((r) => r.kind === 'portrait')),
    line('no-face cards', rows.filter((r) => r.kind === 'card')),
    '',
  ].join('\n'));
} finally {
  await ctx.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
