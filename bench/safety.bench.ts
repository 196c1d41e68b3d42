// Prompt screen benchmark: the cost of screening text for sexual content involving minors
// (server/src/services/safety, issue 8), in process, with the lexicons loaded.
// Targets: p99 ≤ 1 ms per 1 KB prompt (screenPrompt), p99 ≤ 5 ms per whole character
// (screenDocument over every part a character's prompts are built from, read together and each
// on its own). A baseline measured in the same run on the same texts is printed beside: the cost
// of Unicode NFKC normalisation of the same text, the cheapest thing any screen must do.
//
//   node bench/safety.bench.ts
//
// Texts are generated deterministically (seeded): 1 KB prompts mixing plain English, other
// languages, CJK, emoji, homoglyphs, leetspeak, numbers and ages, both blocked and passing;
// characters with a bio, a persona, interests and 4 looks (about 3 KB each). Knobs:
// BENCH_SAFETY_ROUNDS (2000 measured calls per case), BENCH_SAFETY_WARMUP (300).
// Writes bench/results/safety-<timestamp>.json. Exit code 1 only if the bench itself fails.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clearScreenCache, screenDocument, screenPrompt } from '../server/src/services/safety/prompt-screen.ts';

const resultsDir = path.join(import.meta.dirname, 'results');
const rounds = Number(process.env.BENCH_SAFETY_ROUNDS ?? 2000);
const warmup = Number(process.env.BENCH_SAFETY_WARMUP ?? 300);
if (!Number.isInteger(rounds) || rounds < 10) throw new Error('BENCH_SAFETY_ROUNDS must be an integer ≥ 10');

// ---- texts ---------------------------------------------------------------------------------------
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const FRAGMENTS = [
  'portrait of a woman in her late twenties, soft window light, 85 mm lens, shallow depth of field',
  'golden hour on a rooftop in Lisbon, linen shirt, warm tones, film grain, candid smile',
  'a 29-year-old photographer with a vintage camera, street style, Tokyo at night, neon reflections',
  'mujer de 30 años en un café de Madrid, luz natural, estilo editorial',
  'femme de 35 ans, robe rouge, Paris, ambiance cinématographique',
  'Frau, 32 Jahre alt, Wanderung in den Alpen, Morgennebel',
  'ragazza di 27 anni in bicicletta, Roma, colori pastello',
  'молодая женщина 28 лет в парке, осень, мягкий свет',
  '東京の夜景、28歳の女性、ネオン、シネマティック',
  '上海外滩，30岁女性，夜景，电影感',
  '서울 카페, 27살 여성, 자연광',
  'sensual boudoir photo of an adult woman, lace lingerie, tasteful, 35 years old',
  'kids building a sandcastle at the beach, summer, 8 years old, bright colours',
  'a 12 year old whisky on an oak bar, $45 a bottle, 16 °C cellar',
  'ｆａｓｈｉｏｎ ｓｈｏｏｔ, ᴍɪɴɪᴍᴀʟ sᴛʏʟᴇ, 🌸✨📸, #OOTD #StreetStyle',
  'fitness influencer, 5 foot 6, 3 sets of 12 reps, protein shake, gym mirror selfie',
  'top 10 outfit ideas for autumn, chunky knit, 20% off, link in bio',
  'nude lipstick, naked eye makeup look, soft glam, 25 yo model',
];
const HOSTILE = ['t33n nud3 pics', '#TeenNudes', 'ɴᴜᴅᴇ ᴛᴇᴇɴ', 'she is 15, topless', 'Anna, 16, lingerie', 'girl 🍑 👧', 'n.u.d.e k.i.d'];

function prompt1k(hostile: boolean): string {
  const parts: string[] = [];
  while (parts.join(', ').length < 1000) parts.push(pick(FRAGMENTS));
  if (hostile) parts.splice(Math.floor(rand() * parts.length), 0, pick(HOSTILE));
  return parts.join(', ').slice(0, 1024);
}

function character(hostile: boolean): Record<string, string> {
  const fields: Record<string, string> = {
    bio: Array.from({ length: 5 }, () => pick(FRAGMENTS)).join('. '),
    persona: Array.from({ length: 4 }, () => pick(FRAGMENTS)).join('. '),
    interests: 'photography, travel, coffee, vintage cameras, hiking, street food, film, jazz',
  };
  for (let i = 0; i < 4; i++) fields[`look ${i + 1}`] = `photo of Nova, an adult (late 20s), ${Array.from({ length: 4 }, () => pick(FRAGMENTS)).join(', ')}`;
  if (hostile) fields.bio += '. Lena is in 9th grade.';
  if (hostile) fields['look 2'] += ', black lingerie';
  return fields;
}

const prompts = Array.from({ length: 64 }, (_, i) => prompt1k(i % 4 === 0));
const characters = Array.from({ length: 32 }, (_, i) => character(i % 4 === 0));

// Sanity: the texts are what they claim, and the screen decides as expected on them.
if (prompts.some((p) => p.length < 900 || p.length > 1024)) throw new Error('prompt texts are not ~1 KB');
if (!screenPrompt(prompts[0]!).blocked) throw new Error('a hostile prompt was not blocked: the bench would measure the wrong thing');
if (!screenDocument(characters[0]!).blocked) throw new Error('a hostile character was not blocked');
const charBytes = Math.round(characters.reduce((n, c) => n + Object.values(c).join('').length, 0) / characters.length);

const loadBefore = os.loadavg();

// ---- measuring -------------------------------------------------------------------------------------
function measure(fn: (i: number) => unknown): { p50: number; p95: number; p99: number; mean: number } {
  for (let i = 0; i < warmup; i++) fn(i);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), mean: times.reduce((a, b) => a + b, 0) / times.length };
}

const sink: unknown[] = [];
const rows = [
  { name: 'screenPrompt, 1 KB prompt', target: 1, r: measure((i) => sink.push(screenPrompt(prompts[i % prompts.length]!))) },
  {
    name: 'screenPrompt, 1 KB prompt, no word remembered',
    target: 1,
    r: measure((i) => {
      clearScreenCache();
      sink.push(screenPrompt(prompts[i % prompts.length]!));
    }),
  },
  { name: 'baseline: NFKC of the same 1 KB', target: null, r: measure((i) => sink.push(prompts[i % prompts.length]!.normalize('NFKC'))) },
  { name: `screenDocument, whole character (~${(charBytes / 1024).toFixed(1)} KB)`, target: 5, r: measure((i) => sink.push(screenDocument(characters[i % characters.length]!))) },
  {
    name: 'screenDocument, whole character, no word remembered',
    target: 5,
    r: measure((i) => {
      clearScreenCache();
      sink.push(screenDocument(characters[i % characters.length]!));
    }),
  },
  {
    name: 'baseline: NFKC of the same character',
    target: null,
    r: measure((i) => sink.push(Object.values(characters[i % characters.length]!).map((v) => v.normalize('NFKC')))),
  },
];
if (sink.length === 0) throw new Error('nothing measured');

// ---- report ----------------------------------------------------------------------------------------
const fmt = (n: number) => n.toFixed(3).padStart(8);
const header = `| ${'case'.padEnd(52)} | p50 ms   | p95 ms   | p99 ms   | target p99 | result |`;
console.log(`\nPrompt screen — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}, ${rounds} calls per case after ${warmup} warm-up`);
console.log(`machine load average before the run: ${loadBefore.map((n) => n.toFixed(2)).join(', ')} (p99 is sensitive to other processes)\n`);
console.log(header);
console.log(`|${'-'.repeat(54)}|----------|----------|----------|------------|--------|`);
for (const { name, target, r } of rows) {
  const result = target === null ? '' : r.p99 <= target ? 'PASS' : 'MISS';
  console.log(`| ${name.padEnd(52)} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${(target === null ? '—' : `≤ ${target}`).padStart(10)} | ${result.padStart(6)} |`);
}
fs.mkdirSync(resultsDir, { recursive: true });
const file = path.join(resultsDir, `safety-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, loadBefore, rounds, warmup, rows }, null, 2));
console.log(`\n${file}`);
