// Ingest throughput and queue drain (issue 7, A5 and A2), the whole pipeline through the real
// queue: uploads create rows and AssetIngest jobs, the workers (WORKER_CONCURRENCY 2) run them,
// the vision models run in VISION_THREADS worker threads. One process, embedded PGlite, local
// storage in a temp folder; every figure below is measured in the same run.
//
//   node bench/ingest-throughput.bench.ts     (BENCH_QUICK=1 for a ~1-minute run)
//
// 1. Throughput grows with cores: N images are uploaded with the workers stopped, then the
//    workers start and the clock runs until the last one is processed — in a child pinned to one
//    core with one vision thread, then to two cores with two (taskset). Target: ≥ 1.8×. Also
//    printed, without a target: 1 vs 2 vision threads on every core of the machine (on 2 cores,
//    the event loop, sharp and the database already use the second core beside one model thread).
// 2. Drain (A2): the single-image rate first (one upload at a time, each waited for through the
//    queue), then DRAIN uploads queued while the workers are stopped and drained. Target: drain
//    rate ≥ 90 % of single-image rate × concurrency.
//
// Knobs: BENCH_THROUGHPUT_IMAGES (60; quick 24), BENCH_DRAIN_JOBS (1000; quick 200),
// BENCH_SINGLE_IMAGES (12; quick 6), BENCH_CONCURRENCY (2).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(import.meta.dirname, '..');
const serverRequire = createRequire(path.join(root, 'server', 'package.json'));
const sharp = serverRequire('sharp') as typeof import('sharp').default;
const pino = serverRequire('pino') as typeof import('pino').default;
const { loadConfig } = await import('../server/src/config/env.ts');
const { createContext } = await import('../server/src/context.ts');

const quick = process.env.BENCH_QUICK === '1';
const num = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);
const N = num('BENCH_THROUGHPUT_IMAGES', quick ? 24 : 60);
const DRAIN = num('BENCH_DRAIN_JOBS', quick ? 200 : 1000);
const SINGLE = num('BENCH_SINGLE_IMAGES', quick ? 6 : 12);
const CONCURRENCY = num('BENCH_CONCURRENCY', 2);
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

// Unique images (no two share a hash): half single-face portraits (960² JPEG), half quote cards.
const assets = path.resolve(path.dirname(serverRequire.resolve('@vladmandic/human')), '..', 'assets');
const facematch = fs.readFileSync(path.join(assets, 'screenshot-facematch.jpg'));
const TILE = 1920 / 18;
const faceTiles = await Promise.all([1, 2, 3, 4, 6, 7, 9, 11].map((i) => sharp(facematch)
  .extract({ left: Math.round(i * TILE + 1), top: i < 5 ? 284 : 394, width: Math.round(TILE - 3), height: 104 }).resize(720).toBuffer()));
async function image(i: number): Promise<Buffer> {
  if (i % 2 === 0) {
    // The index written in the margin keeps every file distinct (near colours can encode alike).
    const label = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="400" height="60"><text x="10" y="45" font-size="40" fill="#fff">#${i}</text></svg>`);
    const framed = await sharp(faceTiles[(i / 2) % faceTiles.length]).extend({ top: 120, bottom: 120, left: 120, right: 120, background: { r: 20, g: 30, b: 40 } }).toBuffer();
    return sharp(framed).composite([{ input: label, top: 890, left: 20 }]).jpeg({ quality: 88 }).toBuffer();
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1080" height="1350"><rect width="100%" height="100%" fill="hsl(${(i * 47) % 360},60%,55%)"/><text x="540" y="640" font-size="84" text-anchor="middle" font-family="sans-serif" fill="#fff">Quote card ${i}</text></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 88 }).toBuffer();
}

type Ctx = Awaited<ReturnType<typeof createContext>>;
let seq = 0;

async function withContext<T>(visionThreads: number, fn: (ctx: Ctx, userId: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ainfluencer-throughput-bench-'));
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', AUTH_SECRET: 'b'.repeat(64), VISION_THREADS: String(visionThreads), WORKER_CONCURRENCY: String(CONCURRENCY) });
  const ctx = await createContext(config, { log: pino({ level: 'silent' }), print: () => {} });
  try {
    const { id: userId } = await ctx.services.auth.createVerifiedUser({ name: 'Bench', email: `t${seq++}@bench.test`, password: 'bench-password' }, 'user');
    await ctx.engines.list('vision')[0].warmUp(); // every thread loads its models before the clock starts
    return await fn(ctx, userId);
  } finally {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function upload(ctx: Ctx, userId: string, i: number) {
  return ctx.services.ingest.ingest({ userId, source: 'generated', filename: `img-${i}.jpg`, data: await image(i), prompt: 'bench image', engine: 'bench' });
}

/** Waits until no asset of the user is processing; returns how many are in each status. */
async function settled(ctx: Ctx, userId: string, expected: number): Promise<Record<string, number>> {
  for (;;) {
    const { byStatus, total } = await ctx.services.assets.counts(userId);
    if (total >= expected && !byStatus.processing) return byStatus;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `count` uploads with the workers stopped, then the workers start: images per second until the last one is done. */
async function backlog(ctx: Ctx, userId: string, count: number, offset: number) {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await upload(ctx, userId, offset + i);
  log(`  ${count} uploads queued in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const cpu = process.cpuUsage();
  const start = performance.now();
  await ctx.startWorkers(CONCURRENCY);
  const byStatus = await settled(ctx, userId, count);
  const s = (performance.now() - start) / 1000;
  const c = process.cpuUsage(cpu);
  if (byStatus.failed) throw new Error(`${byStatus.failed} ingests failed`);
  return { seconds: s, rate: count / s, cpuPercent: Math.round(((c.user + c.system) / 1e6 / s) * 100) };
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
const load = () => os.loadavg()[0].toFixed(1);

// Child mode (see "cores" below): one backlog with the given thread count, its result as JSON.
if (process.env.BENCH_CHILD_THREADS) {
  const r = await withContext(Number(process.env.BENCH_CHILD_THREADS), (ctx, u) => backlog(ctx, u, N, 0));
  process.stdout.write(JSON.stringify(r));
  process.exit(0);
}

/**
 * "Throughput grows with cores" (A5) measured as such: the same backlog in a child process pinned
 * to 1 core with 1 vision thread, then to 2 cores with 2 threads (`taskset`). Null without taskset
 * or with fewer than 2 cores.
 */
function coreScaling(): { one: { rate: number; seconds: number; cpuPercent: number }; two: { rate: number; seconds: number; cpuPercent: number } } | null {
  if (os.cpus().length < 2) return null;
  try { execFileSync('taskset', ['-V'], { stdio: 'ignore' }); } catch { return null; }
  const run = (cpus: string, threads: number) => {
    log(`cores: ${N} images pinned to CPU ${cpus} with ${threads} vision thread(s) (load ${load()}) …`);
    const res = spawnSync('taskset', ['-c', cpus, process.execPath, import.meta.filename], {
      env: { ...process.env, BENCH_CHILD_THREADS: String(threads) }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20,
    });
    if (res.status !== 0) throw new Error(`the pinned run failed (exit ${res.status})`);
    const r = JSON.parse(res.stdout) as { rate: number; seconds: number; cpuPercent: number };
    log(`  ${r.rate.toFixed(2)} images/s`);
    return r;
  };
  return { one: run('0', 1), two: run('0,1', 2) };
}

const cores = coreScaling();

log(`throughput: ${N} images with 1 vision thread (load ${load()}) …`);
const one = await withContext(1, (ctx, u) => backlog(ctx, u, N, 0));
log(`  ${one.rate.toFixed(2)} images/s`);
log(`throughput: ${N} images with 2 vision threads (load ${load()}) …`);
const two = await withContext(2, (ctx, u) => backlog(ctx, u, N, 0));
log(`  ${two.rate.toFixed(2)} images/s`);

log(`drain: single-image rate (${SINGLE} images one at a time), then ${DRAIN} queued (load ${load()}) …`);
const single = await withContext(2, async (ctx, userId) => {
  await ctx.startWorkers(CONCURRENCY);
  const times: number[] = [];
  for (let i = 0; i < SINGLE + 2; i++) {
    const t = performance.now();
    await upload(ctx, userId, 100_000 + i);
    await settled(ctx, userId, i + 1);
    if (i >= 2) times.push(performance.now() - t); // two warm-up images
  }
  return { p50: pct(times, 50), p95: pct(times, 95), seconds: times.reduce((a, b) => a + b, 0) / 1000, rate: 1000 / (times.reduce((a, b) => a + b, 0) / times.length) };
});
log(`  single: ${single.rate.toFixed(2)} images/s; queueing ${DRAIN} (load ${load()}) …`);
const drain = { single, ...await withContext(2, (ctx, u) => backlog(ctx, u, DRAIN, 200_000)) };
const speedup = two.rate / one.rate;
const drainTarget = 0.9 * drain.single.rate * CONCURRENCY;
const f2 = (n: number) => n.toFixed(2);
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
process.stdout.write([
  '',
  `AInfluencer ingest throughput and drain — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? ''}), Node ${process.version}, load average ${load()}, WORKER_CONCURRENCY ${CONCURRENCY}${quick ? ', BENCH_QUICK' : ''}`,
  '',
  row(['measurement', 'images', 'seconds', 'images/s', 'process CPU', 'baseline (same run)', 'ratio', 'target', 'result']),
  row(['---', '--:', '--:', '--:', '--:', '---', '--:', '--:', '--:']),
  row(['backlog, 1 vision thread', String(N), f2(one.seconds), f2(one.rate), `${one.cpuPercent}%`, '—', '—', '—', '—']),
  row(['backlog, 2 vision threads (all cores)', String(N), f2(two.seconds), f2(two.rate), `${two.cpuPercent}%`, `1 thread: ${f2(one.rate)}/s`, `${f2(speedup)}×`, '—', '—']),
  ...(cores ? [
    row(['backlog, 1 core + 1 vision thread (taskset)', String(N), f2(cores.one.seconds), f2(cores.one.rate), `${cores.one.cpuPercent}%`, '—', '—', '—', '—']),
    row(['backlog, 2 cores + 2 vision threads (taskset)', String(N), f2(cores.two.seconds), f2(cores.two.rate), `${cores.two.cpuPercent}%`, `1 core: ${f2(cores.one.rate)}/s`, `${f2(cores.two.rate / cores.one.rate)}×`, '≥ 1.80×', cores.two.rate / cores.one.rate >= 1.8 ? 'pass' : 'MISS']),
  ] : [row(['cores scaling', '—', '—', '—', '—', 'needs taskset and ≥ 2 cores', '—', '—', 'not run'])]),
  row(['single image at a time (2 threads)', String(SINGLE), f2(drain.single.seconds), f2(drain.single.rate), '—', `p50 ${drain.single.p50.toFixed(0)} ms, p95 ${drain.single.p95.toFixed(0)} ms`, '—', '—', '—']),
  row([`drain of ${DRAIN} queued (2 threads)`, String(DRAIN), f2(drain.seconds), f2(drain.rate), `${drain.cpuPercent}%`, `single × ${CONCURRENCY}: ${f2(drain.single.rate * CONCURRENCY)}/s`, `${Math.round((drain.rate / (drain.single.rate * CONCURRENCY)) * 100)}%`, `≥ 90% (${f2(drainTarget)}/s)`, drain.rate >= drainTarget ? 'pass' : 'MISS']),
  '',
].join('\n'));
