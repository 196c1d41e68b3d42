// Card compositor benchmark: the time the built-in image engine
// (server/src/engines/image/card-compositor) takes to compose one card, in process.
// Target: ≤ 200 ms per card (p95), each layout at 1080×1350 (the 4:5 feed size). A baseline
// measured in the same run is printed beside: sharp encoding a plain 1080×1350 PNG, the floor
// under any card (every card ends in a PNG encode of that size).
//
//   node bench/compositor.bench.ts
//
// Cards go through the engine's generate() as the generation job calls it (batch 1). The photo
// of the photo-caption card is a 1600×1200 JPEG made here with sharp, with photo-like noise
// (decoded, cropped around its salient part, captioned and encoded on every call). Knobs: BENCH_CARD_ROUNDS (50
// measured calls per case), BENCH_CARD_WARMUP (5). Writes bench/results/compositor-<timestamp>.json.
// Exit code 1 only if the bench itself fails.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { RunContext } from '../server/src/engines/engine.ts';
import { cardCompositorAdapter } from '../server/src/engines/image/card-compositor/card-compositor.adapter.ts';
import type { CardSpec, ImageRequest } from '../server/src/engines/image/image.ts';

const resultsDir = path.join(import.meta.dirname, 'results');
const rounds = Number(process.env.BENCH_CARD_ROUNDS ?? 50);
const warmup = Number(process.env.BENCH_CARD_WARMUP ?? 5);
if (!Number.isInteger(rounds) || rounds < 10) throw new Error('BENCH_CARD_ROUNDS must be an integer ≥ 10');
const TARGET_MS = 200;
const W = 1080;
const H = 1350;

const engine = cardCompositorAdapter.create({ url: '', apiKey: null, options: {}, timeoutSeconds: 60 });
const ctx: RunContext = { signal: new AbortController().signal, progress: () => {}, checkpoint: async () => {}, resumeState: null };

// Photo-like content (a blurred noise field under soft shapes): PNG encodes it as slowly as a
// real photo, where a flat colour would flatter the figure.
const texture = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 120, sigma: 45 } } }).blur(1.2).png().toBuffer();
const photo = await sharp(texture)
  .composite([{ input: Buffer.from('<svg width="1600" height="1200" xmlns="http://www.w3.org/2000/svg"><circle cx="1050" cy="450" r="220" fill="#ffcc00" fill-opacity="0.6"/><rect y="900" width="1600" height="300" fill="#1d3557" fill-opacity="0.5"/></svg>') }])
  .jpeg({ quality: 90 })
  .toBuffer();
const QUOTE = 'The best runs are the ones where you forget you are running — sunset, river, and nowhere else to be.';
const LONG = `${QUOTE} `.repeat(20).slice(0, 2000);

function request(card: Partial<CardSpec>, seed: number): ImageRequest {
  return {
    prompt: '', negativePrompt: '', width: W, height: H, aspect: '4:5', seed, batch: 1, referenceFaces: [],
    card: { layout: 'quote', text: QUOTE, attribution: '— Mia Sol @mia.sol', photo: null, style: null, ...card },
  };
}

// Sanity: the engine makes what the bench claims to time.
const check = await engine.generate(request({ layout: 'photo-caption', photo: { data: photo, mime: 'image/jpeg' } }, 1), ctx);
const meta = await sharp(check.images[0]!.data).metadata();
if (meta.width !== W || meta.height !== H || meta.format !== 'png') throw new Error('the engine did not make a 1080×1350 PNG');

const loadBefore = os.loadavg();

async function measure(fn: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number; max: number; mean: number }> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50: at(0.5), p95: at(0.95), max: times[times.length - 1]!, mean: times.reduce((a, b) => a + b, 0) / times.length };
}

let bytes = 0;
const card = (c: Partial<CardSpec>) => async (i: number) => {
  const r = await engine.generate(request(c, 1000 + i), ctx);
  bytes += r.images[0]!.data.length;
};
const rows = [
  { name: 'quote card, 1080×1350', target: TARGET_MS, r: await measure(card({ layout: 'quote' })) },
  { name: 'text card, 1080×1350', target: TARGET_MS, r: await measure(card({ layout: 'text', text: 'Sunset run by the river' })) },
  { name: 'photo-caption card, 1080×1350 (JPEG 1600×1200 in)', target: TARGET_MS, r: await measure(card({ layout: 'photo-caption', photo: { data: photo, mime: 'image/jpeg' } })) },
  { name: 'quote card, 2,000-character text', target: TARGET_MS, r: await measure(card({ layout: 'quote', text: LONG })) },
  {
    name: 'baseline: sharp encodes a plain 1080×1350 PNG',
    target: null,
    r: await measure(async () => {
      bytes += (await sharp({ create: { width: W, height: H, channels: 3, background: '#f7f5f2' } }).png().toBuffer()).length;
    }),
  },
];
if (bytes === 0) throw new Error('nothing measured');

const fmt = (n: number) => n.toFixed(1).padStart(7);
console.log(`\nCard compositor — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}, ${rounds} cards per case after ${warmup} warm-up`);
console.log(`machine load average before the run: ${loadBefore.map((n) => n.toFixed(2)).join(', ')}\n`);
console.log(`| ${'case'.padEnd(52)} | p50 ms  | p95 ms  | max ms  | target p95 | result |`);
console.log(`|${'-'.repeat(54)}|---------|---------|---------|------------|--------|`);
for (const { name, target, r } of rows) {
  const result = target === null ? '' : r.p95 <= target ? 'PASS' : 'MISS';
  console.log(`| ${name.padEnd(52)} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.max)} | ${(target === null ? '—' : `≤ ${target}`).padStart(10)} | ${result.padStart(6)} |`);
}
fs.mkdirSync(resultsDir, { recursive: true });
const file = path.join(resultsDir, `compositor-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, loadBefore, rounds, warmup, rows }, null, 2));
console.log(`\n${file}`);
