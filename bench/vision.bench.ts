// Vision benchmark: per-image time of the two model steps of media ingest — NSFW rating
// (`rate`) and face detection + embedding + age (`faces`) — with the models warm, on ONE core.
// Target (DESIGN.md "Scale and performance targets", issue 3): ingest ≤ 300 ms an image on one
// core including rating and face scoring; the other ingest steps (thumbnail, hashes, metadata
// strip) are small and not measured here.
//
//   node bench/vision.bench.ts
//
// Images (30): the sample photos shipped in @vladmandic/human (whole screenshots with many
// faces, single-face tiles scaled up to portrait size, thumbnails of samples.jpg) and generated
// ones (solid colours, text cards). Every image is a JPEG or PNG buffer, as ingest would get it,
// so decode + resize inside rate()/faces() is included.
//
// One core: the process re-executes itself under `taskset -c 0` when it can (Linux), tfjs runs
// its single-threaded WASM build and sharp is limited to one thread. Knobs: BENCH_VISION_ROUNDS
// (3: each image is measured this many times), BENCH_VISION_NO_PIN=1 (do not pin).
// Writes bench/results/vision-<timestamp>.json. Exit code 1 only if the bench itself fails.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(import.meta.dirname, '..');
const resultsDir = path.join(import.meta.dirname, 'results');
const TARGET_MS = 300;

// ---- pin to one core (re-exec) -----------------------------------------------------------------
if (process.platform === 'linux' && !process.env.BENCH_VISION_PINNED && process.env.BENCH_VISION_NO_PIN !== '1') {
  const probe = spawnSync('taskset', ['--version'], { stdio: 'ignore' });
  if (probe.status === 0) {
    const r = spawnSync('taskset', ['-c', '0', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_VISION_PINNED: '1', UV_THREADPOOL_SIZE: '1' },
    });
    process.exit(r.status ?? 1);
  }
}

const serverRequire = createRequire(path.join(root, 'server', 'package.json'));
const sharp = serverRequire('sharp') as typeof import('sharp').default;
sharp.concurrency(1);
const { LocalVisionEngine } = await import('../server/src/engines/vision/local/local-vision.engine.ts');
const { classifyRating } = await import('../server/src/engines/vision/vision.ts');

const rounds = Number(process.env.BENCH_VISION_ROUNDS ?? 3);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('BENCH_VISION_ROUNDS must be a positive integer');
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

// ---- images --------------------------------------------------------------------------------------
const assets = path.resolve(path.dirname(serverRequire.resolve('@vladmandic/human')), '..', 'assets');
const facematch = fs.readFileSync(path.join(assets, 'screenshot-facematch.jpg'));
const samples = fs.readFileSync(path.join(assets, 'samples.jpg'));

async function buildImages(): Promise<Array<{ name: string; kind: string; data: Buffer }>> {
  const out: Array<{ name: string; kind: string; data: Buffer }> = [];
  for (const f of ['screenshot-facematch.jpg', 'samples.jpg', 'screenshot-faceid.jpg', 'screenshot-facedetect.jpg']) {
    out.push({ name: f, kind: 'sample screenshot', data: fs.readFileSync(path.join(assets, f)) });
  }
  // 12 single-face portraits: face tiles (~104 px) padded and scaled to 1024×1024
  const pitch = 1920 / 18;
  for (const [row, top, idx] of [[1, 284, [1, 3, 5, 8, 10, 12]], [2, 394, [6, 7, 9, 11, 14, 17]]] as const) {
    for (const i of idx) {
      const data = await sharp(facematch)
        .extract({ left: Math.round(i * pitch + 1), top, width: Math.round(pitch - 3), height: 104 })
        .extend({ top: 30, bottom: 30, left: 30, right: 30, background: '#202020' })
        .resize(1024, 1024)
        .jpeg({ quality: 90 })
        .toBuffer();
      out.push({ name: `portrait r${row}t${i}`, kind: 'portrait 1024²', data });
    }
  }
  // 6 thumbnails of samples.jpg (160×~125) scaled to 800 px wide
  for (const i of [1, 2, 3, 4, 5, 7]) {
    const data = await sharp(samples)
      .extract({ left: i * 160, top: 0, width: 160, height: 124 })
      .resize(800)
      .jpeg({ quality: 90 })
      .toBuffer();
    out.push({ name: `samples thumb ${i}`, kind: 'photo 800w', data });
  }
  // 8 generated: solid colours (1080×1350) and text cards (1080×1080)
  for (const c of ['#808080', '#e0ac8a', '#1e40af', '#fafafa']) {
    out.push({ name: `solid ${c}`, kind: 'generated', data: await sharp({ create: { width: 1080, height: 1350, channels: 3, background: c } }).png().toBuffer() });
  }
  for (const [bg, fg, text] of [['#111827', '#f9fafb', 'Monday motivation'], ['#fde68a', '#1f2937', 'New post tomorrow!'], ['#fce7f3', '#831843', 'Thank you for 10k'], ['#064e3b', '#ecfdf5', 'Behind the scenes']]) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1080" height="1080"><rect width="100%" height="100%" fill="${bg}"/><text x="540" y="520" font-family="sans-serif" font-size="72" fill="${fg}" text-anchor="middle">${text}</text></svg>`;
    out.push({ name: `card ${text}`, kind: 'generated', data: await sharp(Buffer.from(svg)).png().toBuffer() });
  }
  return out;
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

// ---- run -----------------------------------------------------------------------------------------
const images = await buildImages();
log(`${images.length} images, ${rounds} round(s); cpus allowed: ${os.availableParallelism()}; node ${process.version}; load avg ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const engine = new LocalVisionEngine();
let t = performance.now();
await engine.warmUp();
const loadMs = performance.now() - t;
// one untimed pass so every code path (faceres only runs on faces) is warm
for (const img of images.slice(0, 8)) { await engine.rate(img.data); await engine.faces(img.data); }

const rows: Array<{ name: string; kind: string; rate: number; faces: number; total: number; cpu: number; nFaces: number; rating: string }> = [];
for (let r = 0; r < rounds; r++) {
  for (const img of images) {
    const cpu0 = process.cpuUsage();
    t = performance.now();
    const rating = await engine.rate(img.data);
    const rateMs = performance.now() - t;
    t = performance.now();
    const faces = await engine.faces(img.data);
    const facesMs = performance.now() - t;
    const cpu = process.cpuUsage(cpu0);
    rows.push({ name: img.name, kind: img.kind, rate: rateMs, faces: facesMs, total: rateMs + facesMs, cpu: (cpu.user + cpu.system) / 1000, nFaces: faces.length, rating: classifyRating(rating.scores) });
  }
}
await engine.close();

const fmt = (n: number) => n.toFixed(0).padStart(7);
const line = (label: string, sel: typeof rows) => {
  const p95total = pct(sel.map((x) => x.total), 95);
  console.log(
    `${label.padEnd(30)}${String(sel.length).padStart(5)}${fmt(pct(sel.map((x) => x.rate), 50))}${fmt(pct(sel.map((x) => x.rate), 95))}` +
      `${fmt(pct(sel.map((x) => x.faces), 50))}${fmt(pct(sel.map((x) => x.faces), 95))}${fmt(pct(sel.map((x) => x.total), 50))}${fmt(p95total)}` +
      `${fmt(pct(sel.map((x) => x.cpu), 50))}${fmt(pct(sel.map((x) => x.cpu), 95))}   ${p95total <= TARGET_MS ? 'PASS' : 'MISS'}`,
  );
};
console.log(`\nVision, models warm, one core — target: ≤ ${TARGET_MS} ms per image (rating + face scoring); model load ${loadMs.toFixed(0)} ms`);
console.log(`${'images'.padEnd(30)}${'n'.padStart(5)}${'rate50'.padStart(7)}${'rate95'.padStart(7)}${'face50'.padStart(7)}${'face95'.padStart(7)}${'tot50'.padStart(7)}${'tot95'.padStart(7)}${'cpu50'.padStart(7)}${'cpu95'.padStart(7)}   tot95 vs target`);
line('all', rows);
for (const kind of [...new Set(rows.map((x) => x.kind))]) line(`  ${kind}`, rows.filter((x) => x.kind === kind));
line('  by faces: 0', rows.filter((x) => x.nFaces === 0));
line('  by faces: 1', rows.filter((x) => x.nFaces === 1));
line('  by faces: 2+', rows.filter((x) => x.nFaces >= 2));
console.log('(ms per image, wall clock; rate = decode + resize + nsfwjs; face = decode + resize + blazeface + facemesh + faceres per face;');
console.log(' cpu = CPU time of this process for rate + faces: what the wall time would be on an otherwise idle core)');

fs.mkdirSync(resultsDir, { recursive: true });
const out = path.join(resultsDir, `vision-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(out, JSON.stringify({ target: TARGET_MS, loadMs, rounds, cpus: os.availableParallelism(), loadavg: os.loadavg(), node: process.version, rows }, null, 2));
log(`results: ${path.relative(root, out)}`);
