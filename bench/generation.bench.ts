// Generation orchestration (issue 9): what our side adds around an engine call, and whether a
// pool of engines stays busy while work is queued. One process, embedded PGlite, local storage in
// a temp folder, the real queue, the real generation service and the real vault ingest; the
// engine is a test engine with a fixed latency (no network, no model), so every millisecond above
// that latency is ours.
//
//   node bench/generation.bench.ts        (BENCH_QUICK=1 for a shorter run)
//
// 1. Overhead per job: one engine, jobs one after another; for each, the time from the request
//    (prompt assembly, screen, credits, queue insert) to the generation recorded as succeeded with
//    its image stored in the vault (queue → adapter → ingest row), minus the engine's own time.
//    Target: ≤ 50 ms/job (p50 and p95 printed; the target is held against p50).
// 2. Pool utilisation: 4 engines (concurrency 1 each), 200 jobs queued at once; busy time summed
//    over the engines / (4 × time from the first call to the last result). Target: ≥ 95 %, with
//    2 s per call (a fast SDXL render on a GPU). Also printed without a target: the same with
//    250 ms calls, where the engines finish 16 images a second and storing them (ingest on the
//    single-connection embedded database, the vault's analysis) competes for the event loop.
//
// Knobs: BENCH_LATENCY_MS (250), BENCH_POOL_LATENCY_MS (2000), BENCH_OVERHEAD_JOBS (40; quick 15),
// BENCH_POOL_JOBS (200; quick 80).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { AdapterDefinition } from '../server/src/engines/engine.ts';
import type { ImageCapabilities, ImageEngine, ImageRequest } from '../server/src/engines/image/image.ts';

const root = path.resolve(import.meta.dirname, '..');
const serverRequire = createRequire(path.join(root, 'server', 'package.json'));
const sharp = serverRequire('sharp') as typeof import('sharp').default;
const pino = serverRequire('pino') as typeof import('pino').default;
const { z } = serverRequire('zod') as typeof import('zod');
const { loadConfig } = await import('../server/src/config/env.ts');
const { createContext } = await import('../server/src/context.ts');
const { createCharacterBody } = await import('../server/src/schemas/character.schemas.ts');

const quick = process.env.BENCH_QUICK === '1';
const num = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);
const OVERHEAD_LATENCY = num('BENCH_LATENCY_MS', 250);
const POOL_LATENCY = num('BENCH_POOL_LATENCY_MS', 2000);
let LATENCY = OVERHEAD_LATENCY;
const OVERHEAD_JOBS = num('BENCH_OVERHEAD_JOBS', quick ? 15 : 40);
const POOL_JOBS = num('BENCH_POOL_JOBS', quick ? 80 : 200);
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

/** Busy intervals per engine, as the engine saw them. */
const busy = new Map<string, Array<[number, number]>>();
let imageSeq = 0;
async function tinyPng(): Promise<Buffer> {
  const n = imageSeq++;
  return sharp({ create: { width: 64, height: 64, channels: 3, background: { r: n % 256, g: (n >> 8) % 256, b: (n >> 16) % 256 } } }).png().toBuffer();
}

const caps: ImageCapabilities = {
  builtIn: false, maxBatch: 1, seed: true, progress: 'live', cancel: true, resume: false, cost: null, sizes: { kind: 'range', min: 64, max: 2048, multipleOf: 8 },
  negativePrompt: true, referenceFace: false, lora: false, checkpoint: false, samplerControls: false, cards: false, imageToImage: false,
};

/** A test engine that takes exactly LATENCY ms per call and records when it was busy. */
const fixedLatency: AdapterDefinition<ImageEngine> = {
  adapter: 'bench-fixed-latency', kind: 'image', displayName: 'Fixed-latency test engine', description: 'bench only', builtIn: false,
  url: 'required', apiKey: 'none', options: z.object({}).passthrough() as never,
  create: (settings) => ({
    adapter: 'bench-fixed-latency', capabilities: caps,
    async generate(_req: ImageRequest, ctx) {
      const start = performance.now();
      ctx.progress({ percent: 10, stage: 'sampling' });
      await new Promise<void>((resolve) => setTimeout(resolve, LATENCY));
      const end = performance.now();
      const list = busy.get(settings.url) ?? [];
      list.push([start, end]);
      busy.set(settings.url, list);
      return { images: [{ data: await tinyPng(), mime: 'image/png', seed: 1 }], model: 'fixed', info: {} };
    },
    async testConnection() { return { ok: true, reachable: true, auth: 'not_required', models: ['fixed'], missing: [], message: 'ok' }; },
  }),
};

type Ctx = Awaited<ReturnType<typeof createContext>>;

async function withContext<T>(fn: (ctx: Ctx, userId: string, characterId: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ainfluencer-generation-bench-'));
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', AUTH_SECRET: 'b'.repeat(64), VISION_THREADS: '1', WORKER_CONCURRENCY: '2', GENERATION_CONCURRENCY: '16' });
  const ctx = await createContext(config, { log: pino({ level: 'silent' }), print: () => {}, adapters: [fixedLatency] });
  try {
    await ctx.settings.set('credits', { ...(await ctx.settings.get('credits')), enabled: false });
    const { id: userId } = await ctx.services.auth.createVerifiedUser({ name: 'Bench', email: 'gen@bench.test', password: 'bench-password' }, 'user');
    const c = await ctx.services.characters.create(userId, createCharacterBody.parse({ name: 'Bench Bea', handle: 'bench_bea', age: 29, bio: 'Bench character' }));
    await ctx.startWorkers(2);
    return await fn(ctx, userId, c.id);
  } finally {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function addEngines(ctx: Ctx, userId: string, n: number) {
  for (let i = 0; i < n; i++) {
    await ctx.services.engines.create(userId, { kind: 'image', adapter: 'bench-fixed-latency', name: `Box ${i + 1}`, url: `http://box-${i + 1}.test`, options: {}, enabled: true, concurrency: 1, timeoutSeconds: 60 });
  }
}

async function waitDone(ctx: Ctx, userId: string, ids: string[]): Promise<Map<string, number>> {
  const done = new Map<string, number>();
  const pending = new Set(ids);
  while (pending.size) {
    for (const id of [...pending]) {
      const g = await ctx.repos.generations.get(userId, id);
      if (g && (g.status === 'succeeded' || g.status === 'failed' || g.status === 'cancelled')) {
        if (g.status !== 'succeeded') throw new Error(`generation ${id} ${g.status}: ${g.error}`);
        done.set(id, performance.now());
        pending.delete(id);
      }
    }
    if (pending.size) await new Promise((r) => setTimeout(r, 2));
  }
  return done;
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const rows: Array<{ figure: string; value: string; target: string; verdict: string }> = [];

// 1. Overhead per job.
await withContext(async (ctx, userId, characterId) => {
  await addEngines(ctx, userId, 1);
  const overheads: number[] = [];
  for (let i = 0; i < OVERHEAD_JOBS + 3; i++) {
    const before = busy.get('http://box-1.test')?.length ?? 0;
    const t0 = performance.now();
    const [g] = await ctx.services.generations.create(userId, characterId, { kind: 'image', task: 'image', idea: `bench ${i}`, styles: [], aspect: '1:1', batch: 1, negativePrompt: '' });
    const t1 = (await waitDone(ctx, userId, [g!.id])).get(g!.id)!;
    const [s, e] = busy.get('http://box-1.test')![before]!;
    if (i >= 3) overheads.push(t1 - t0 - (e - s)); // 3 warm-up jobs
  }
  const p50 = pct(overheads, 50);
  log(`overhead p50 ${p50.toFixed(1)} ms, p95 ${pct(overheads, 95).toFixed(1)} ms over ${overheads.length} jobs`);
  rows.push({ figure: `orchestration overhead per job, p50 (${overheads.length} jobs, engine ${LATENCY} ms)`, value: `${p50.toFixed(1)} ms`, target: '≤ 50 ms', verdict: p50 <= 50 ? 'PASS' : 'MISS' });
  rows.push({ figure: 'orchestration overhead per job, p95', value: `${pct(overheads, 95).toFixed(1)} ms`, target: '(shown)', verdict: '' });
  rows.push({ figure: 'baseline: the engine\'s own time per call', value: `${LATENCY} ms`, target: '', verdict: '' });
});

// 2. Pool utilisation.
async function pool(latency: number, jobs: number, target: boolean) {
  busy.clear();
  LATENCY = latency;
  await withContext(async (ctx, userId, characterId) => {
    await addEngines(ctx, userId, 4);
    const ids: string[] = [];
    for (let i = 0; i < jobs; i += 5) {
      const gs = await ctx.services.generations.create(userId, characterId, { kind: 'image', task: 'image', idea: `pool ${i}`, styles: ['natural', 'studio', 'film', 'warm', 'noir'].slice(0, Math.min(5, jobs - i)) as never, aspect: '1:1', batch: 1, negativePrompt: '' });
      ids.push(...gs.map((g) => g.id));
    }
    await waitDone(ctx, userId, ids);
    const all = [...busy.values()].flat();
    const first = Math.min(...all.map(([s]) => s));
    const last = Math.max(...all.map(([, e]) => e));
    const busyMs = all.reduce((s, [a, b]) => s + (b - a), 0);
    const util = busyMs / (4 * (last - first));
    if (process.env.BENCH_DEBUG) {
      for (const [k, v] of busy) log(`${k}: ${v.map(([a, b]) => `${Math.round(a - first)}-${Math.round(b - first)}`).join(' ')}`);
    }
    const perEngine = [...busy.entries()].map(([k, v]) => `${k.replace('http://', '').replace('.test', '')}: ${v.length}`).join(', ');
    log(`pool (${latency} ms calls): ${all.length} calls (${perEngine}), utilisation ${(util * 100).toFixed(1)} %`);
    rows.push({ figure: `pool utilisation, 4 engines × ${jobs} queued jobs, ${latency} ms per call`, value: `${(util * 100).toFixed(1)} %`, target: target ? '≥ 95 %' : '(shown)', verdict: target ? (util >= 0.95 ? 'PASS' : 'MISS') : '' });
    if (target) rows.push({ figure: 'calls per engine', value: perEngine, target: '', verdict: '' });
  });
}
await pool(POOL_LATENCY, POOL_JOBS, true);
if (!quick) await pool(OVERHEAD_LATENCY, POOL_JOBS, false);

const w = [Math.max(...rows.map((r) => r.figure.length)), Math.max(...rows.map((r) => r.value.length)), 8, 7];
console.log(`\nGeneration orchestration (${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(2)})\n`);
console.log(`${'figure'.padEnd(w[0]!)}  ${'value'.padEnd(w[1]!)}  ${'target'.padEnd(w[2]!)}  verdict`);
for (const r of rows) console.log(`${r.figure.padEnd(w[0]!)}  ${r.value.padEnd(w[1]!)}  ${r.target.padEnd(w[2]!)}  ${r.verdict}`);
