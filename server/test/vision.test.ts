// Vision engine on real models and real images, no mocks. Images: the sample screenshots shipped
// in @vladmandic/human/assets (photos of real adults) and images generated here with sharp.
// Measured numbers are printed (grep the output for "[vision]").
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalVisionEngine } from '../src/engines/vision/local/local-vision.engine.ts';
import { decodeImage } from '../src/media/image.ts';
import {
  DEFAULT_RATING_THRESHOLDS,
  calibrateIdentityThreshold,
  centroid,
  classifyRating,
  cosineSimilarity,
  identityScore,
  largestFace,
  leaveOneOutSimilarity,
  type DetectedFace,
  type NsfwScores,
  type VisionInput,
} from '../src/engines/vision/vision.ts';

const require = createRequire(import.meta.url);
const assets = path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..', 'assets');
const log = (...args: unknown[]) => console.log('[vision]', ...args);
const r3 = (n: number) => Math.round(n * 1000) / 1000;

let engine: LocalVisionEngine;
let facematch: Buffer; // 1920×954: "Selected Face" top left, two rows of ~107 px face tiles below
const blockedFetches: string[] = [];
const firstCall = { ms: 0, nextMs: [] as number[], loaderRunsAfterConcurrentStart: 0 };

/** A crop of the facematch screenshot, scaled and padded (blazeface wants some context). */
async function crop(left: number, top: number, width: number, height: number, scale: number, pad: number): Promise<Buffer> {
  return sharp(facematch)
    .extract({ left: Math.round(left), top: Math.round(top), width: Math.round(width), height: Math.round(height) })
    .resize(Math.round(width * scale))
    .extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#000000' })
    .jpeg({ quality: 90 })
    .toBuffer();
}
const TILE = 1920 / 18; // tile pitch in the "Extracted Faces" grid
const tile = (row: 1 | 2, i: number) => crop(i * TILE + 1, row === 1 ? 284 : 394, TILE - 3, 104, 2, 40);

async function oneFace(image: VisionInput): Promise<DetectedFace> {
  const face = largestFace(await engine.faces(image));
  if (!face) throw new Error('expected a face');
  return face;
}

const solid = (colour: string) =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: colour } }).png().toBuffer();
const textCard = (bg: string, fg: string, text: string) =>
  sharp(
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="1080" height="1080"><rect width="100%" height="100%" fill="${bg}"/>` +
        `<text x="540" y="480" font-family="sans-serif" font-size="72" fill="${fg}" text-anchor="middle">${text}</text>` +
        `<text x="540" y="600" font-family="serif" font-size="48" fill="${fg}" text-anchor="middle">— a text card</text></svg>`,
    ),
  )
    .png()
    .toBuffer();

beforeAll(async () => {
  facematch = await readFile(path.join(assets, 'screenshot-facematch.jpg'));
  const probe = await crop(0, 20, 175, 180, 1, 60);

  // Network off for the whole model load: any non-file fetch throws (and is recorded).
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith('file:')) return realFetch(input, init);
    blockedFetches.push(url);
    throw new TypeError(`network disabled in test: ${url}`);
  }) as typeof fetch;
  try {
    engine = new LocalVisionEngine();
    // Three concurrent first calls: they must share one load.
    const t0 = performance.now();
    const calls = [engine.rate(probe), engine.faces(probe), engine.warmUp()];
    firstCall.loaderRunsAfterConcurrentStart = engine.stats.modelLoads;
    await Promise.all(calls);
    firstCall.ms = performance.now() - t0;
  } finally {
    globalThis.fetch = realFetch;
  }
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await Promise.all([engine.rate(probe), engine.faces(probe)]);
    firstCall.nextMs.push(performance.now() - t);
  }
}, 60_000);

afterAll(async () => {
  await engine?.close();
});

describe('LocalVisionEngine: loading', () => {
  it('loads the models once, shared by concurrent first calls', () => {
    log('first calls (load + rate + faces):', Math.round(firstCall.ms), 'ms; model load alone:', Math.round(engine.stats.lastLoadMs), 'ms; next calls:', firstCall.nextMs.map(Math.round), 'ms');
    expect(firstCall.loaderRunsAfterConcurrentStart).toBe(1);
    expect(engine.stats.modelLoads).toBe(1);
    // (How much the first call costs over warm ones is measured in bench/vision.bench.ts, not here.)
  });

  it('loads every model without touching the network', () => {
    expect(blockedFetches).toEqual([]);
    expect(engine.capabilities).toEqual({ nsfw: true, faces: true, faceEmbedding: true, age: true });
  });

  it('does not leak tensors across calls', async () => {
    const image = await tile(1, 1);
    const before = await engine.tensorCount();
    await engine.rate(image);
    await engine.faces(image);
    expect(await engine.tensorCount()).toBe(before);
  });

  it('rejects bytes that are not an image', async () => {
    await expect(engine.rate(Buffer.from('not an image'))).rejects.toMatchObject({ statusCode: 415 });
    await expect(engine.faces(Buffer.from('not an image'))).rejects.toMatchObject({ statusCode: 415 });
  });
});

describe('LocalVisionEngine: identity and age on the sample photos', () => {
  it('scores the same face in two crops/scales high and different people low', async () => {
    // The "Selected Face" of the screenshot: tight crop at 1× with a black margin, and a wider
    // crop (with the UI around it) at 2×.
    const a = await oneFace(await crop(0, 20, 175, 180, 1, 60));
    const b = await oneFace(await crop(0, 0, 300, 260, 2, 0));
    const sameCrop = cosineSimilarity(a.embedding, b.embedding);
    // Row 1 tiles 1–4: the same man in four other photos. Row 2 tiles 6, 7, 9, 11: four women.
    const samePerson = await Promise.all([1, 2, 3, 4].map(async (i) => oneFace(await tile(1, i))));
    const others = await Promise.all([6, 7, 9, 11].map(async (i) => oneFace(await tile(2, i))));
    const samePersonSims = samePerson.map((f) => r3(cosineSimilarity(a.embedding, f.embedding)));
    const otherSims = others.map((f) => r3(cosineSimilarity(a.embedding, f.embedding)));
    log('same face, two crops/scales:', r3(sameCrop));
    log('same person, other photos:', samePersonSims);
    log('different people:', otherSims);

    expect(a.embedding).toHaveLength(1024);
    expect(sameCrop).toBeGreaterThan(0.9); // measured 0.953
    for (const s of samePersonSims) expect(s).toBeGreaterThan(0.7); // measured 0.77–0.86
    for (const s of otherSims) expect(s).toBeLessThan(0.65); // measured 0.35–0.55
    expect(Math.min(...samePersonSims)).toBeGreaterThan(Math.max(...otherSims) + 0.1);

    // The calibration the vault uses: references = the four other photos of him.
    const refs = samePerson.map((f) => f.embedding);
    const loo = leaveOneOutSimilarity(refs);
    const threshold = calibrateIdentityThreshold(refs);
    const c = centroid(refs);
    const candidate = identityScore([a], c)!;
    const impostors = others.map((f) => r3(identityScore([f], c)!));
    log('leave-one-out:', r3(loo), 'threshold (0.9×):', r3(threshold), 'selected face vs centroid:', r3(candidate), 'women vs centroid:', impostors);
    expect(candidate).toBeGreaterThanOrEqual(threshold);
    for (const s of impostors) expect(s).toBeLessThan(threshold);

    // Apparent ages of these adults (the man is ~40, the women in their 20s–30s).
    const ages = [a, b, ...samePerson, ...others].map((f) => f.age);
    log('apparent ages (man ×6, women ×4):', ages.map((x) => (x === null ? null : Math.round(x * 10) / 10)));
    for (const age of ages) {
      expect(age).not.toBeNull();
      expect(age!).toBeGreaterThanOrEqual(20);
      expect(age!).toBeLessThanOrEqual(60);
    }
    expect(a.gender).toBe('male');
    expect(others.filter((f) => f.gender === 'female').length).toBeGreaterThanOrEqual(3);
  });

  it('finds every face of a group picture and reports boxes in original pixels', async () => {
    const faces = await engine.faces(facematch); // 1920 px wide: analysed at 1024, boxes scaled back
    log('faces in screenshot-facematch.jpg:', faces.length);
    expect(faces.length).toBeGreaterThanOrEqual(8);
    const selected = largestFace(faces)!;
    // The "Selected Face" tile sits in the top-left 240×300 px.
    expect(selected.box.x).toBeLessThan(60);
    expect(selected.box.y).toBeLessThan(60);
    expect(selected.box.width).toBeGreaterThan(150);
    expect(selected.box.width).toBeLessThan(300);
    for (const f of faces) {
      expect(f.box.x + f.box.width).toBeLessThanOrEqual(1920);
      expect(f.box.y + f.box.height).toBeLessThanOrEqual(954);
      expect(f.age).toBeGreaterThanOrEqual(18);
    }

    const small = await crop(0, 20, 175, 180, 1, 60);
    const big = await sharp(small).resize(295 * 5).jpeg().toBuffer(); // 1475 px: over the 1024 analysis size
    const [fs, fb] = [await oneFace(small), await oneFace(big)];
    log('box at 1×:', fs.box, 'at 5×:', fb.box);
    expect(fb.box.width / fs.box.width).toBeGreaterThan(4.5);
    expect(fb.box.width / fs.box.width).toBeLessThan(5.5);
    expect(cosineSimilarity(fs.embedding, fb.embedding)).toBeGreaterThan(0.9);
  });
});

describe('LocalVisionEngine: pixels decoded by the caller', () => {
  it('finds the same face, with boxes in source pixels, and rates the same as from the file', async () => {
    const file = await crop(0, 0, 300, 260, 5, 0); // 1500×1300: ingest decodes it once to 1024×887
    const pixels = await decodeImage(file, 1024);
    expect(pixels).toMatchObject({ width: 1024, sourceWidth: 1500, sourceHeight: 1300 });
    const a = await oneFace(file);
    const b = await oneFace(pixels);
    log('box from file:', a.box, 'from pixels:', b.box, 'embedding similarity:', r3(cosineSimilarity(a.embedding, b.embedding)));
    expect(b.box.width).toBeGreaterThan(500); // source pixels, not the 1024-px decode's
    for (const k of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(a.box[k] - b.box[k])).toBeLessThanOrEqual(8);
    expect(cosineSimilarity(a.embedding, b.embedding)).toBeGreaterThan(0.98);
    expect(Math.abs(a.age! - b.age!)).toBeLessThan(2);
    const [ra, rb] = [await engine.rate(file), await engine.rate(pixels)];
    for (const k of Object.keys(ra.scores) as (keyof NsfwScores)[]) expect(Math.abs(ra.scores[k] - rb.scores[k])).toBeLessThan(0.05);
  });
});

describe('LocalVisionEngine: rating', () => {
  it('rates solid colours and text cards safe with no faces, neutral/drawing dominant', async () => {
    const images: Array<[string, Buffer]> = [
      ['grey', await solid('#808080')],
      ['skin tone', await solid('#e0ac8a')],
      ['card, light on dark', await textCard('#111827', '#f9fafb', 'Monday motivation')],
      ['card, dark on yellow', await textCard('#fde68a', '#1f2937', 'New post tomorrow!')],
    ];
    for (const [name, image] of images) {
      const { scores, model } = await engine.rate(image);
      const faces = await engine.faces(image);
      log(`rating ${name}:`, Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, r3(v)])), classifyRating(scores));
      expect(model).toMatch(/^nsfwjs@4\.\d+\.\d+\/MobileNetV2Mid$/);
      expect(faces).toEqual([]);
      expect(classifyRating(scores)).toBe('safe');
      expect(scores.neutral + scores.drawing).toBeGreaterThan(0.85); // measured ≥ 0.91
      const sum = Object.values(scores).reduce((s, v) => s + v, 0);
      expect(sum).toBeCloseTo(1, 3);
    }
  });

  it('rates the sample photos without explicit results', async () => {
    for (const file of ['screenshot-faceid.jpg', 'samples.jpg']) {
      const { scores } = await engine.rate(await readFile(path.join(assets, file)));
      log(`rating ${file}:`, Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, r3(v)])), classifyRating(scores));
      expect(classifyRating(scores)).not.toBe('explicit');
    }
  });
});

describe('vision helpers', () => {
  const s = (o: Partial<NsfwScores>): NsfwScores => ({ drawing: 0, hentai: 0, neutral: 0, porn: 0, sexy: 0, ...o });

  it('classifyRating maps class scores with the documented defaults', () => {
    expect(DEFAULT_RATING_THRESHOLDS).toEqual({ explicit: 0.5, suggestive: 0.4 });
    expect(classifyRating(s({ neutral: 0.97, sexy: 0.03 }))).toBe('safe');
    expect(classifyRating(s({ drawing: 0.61, sexy: 0.39 }))).toBe('safe');
    expect(classifyRating(s({ neutral: 0.6, sexy: 0.4 }))).toBe('suggestive');
    expect(classifyRating(s({ neutral: 0.5, sexy: 0.2, porn: 0.2, hentai: 0.1 }))).toBe('suggestive');
    expect(classifyRating(s({ sexy: 0.95, porn: 0.05 }))).toBe('suggestive');
    // split between the two explicit classes still counts as explicit
    expect(classifyRating(s({ porn: 0.3, hentai: 0.25, sexy: 0.45 }))).toBe('explicit');
    expect(classifyRating(s({ porn: 0.9, sexy: 0.1 }))).toBe('explicit');
    expect(classifyRating(s({ hentai: 0.8, drawing: 0.2 }))).toBe('explicit');
    // thresholds come from settings
    expect(classifyRating(s({ porn: 0.55, neutral: 0.45 }), { explicit: 0.7, suggestive: 0.3 })).toBe('suggestive');
    expect(classifyRating(s({ sexy: 0.35, neutral: 0.65 }), { explicit: 0.7, suggestive: 0.3 })).toBe('suggestive');
    expect(() => classifyRating(s({ porn: Number.NaN }))).toThrow(RangeError);
    expect(() => classifyRating(s({}), { explicit: 0, suggestive: 0.4 })).toThrow(RangeError);
  });

  it('cosineSimilarity', () => {
    expect(cosineSimilarity([1, 0], [1, 0])).toBeCloseTo(1, 12);
    expect(cosineSimilarity([1, 0], [0, 1])).toBeCloseTo(0, 12);
    expect(cosineSimilarity([1, 2, 3], [-1, -2, -3])).toBeCloseTo(-1, 12);
    expect(cosineSimilarity([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12); // scale-invariant
    expect(cosineSimilarity([3, 4], [4, 3])).toBeCloseTo(24 / 25, 12);
    expect(cosineSimilarity([0, 0], [1, 1])).toBe(0);
    expect(() => cosineSimilarity([1, 2], [1, 2, 3])).toThrow(RangeError);
    expect(() => cosineSimilarity([], [])).toThrow(RangeError);
  });

  it('centroid averages directions, not magnitudes', () => {
    const c = centroid([
      [10, 0],
      [0, 1],
    ]);
    expect(c[0]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(c[1]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(centroid([[0, 5, 0]])).toEqual([0, 1, 0]);
    expect(() => centroid([])).toThrow(RangeError);
    expect(() => centroid([[1], [1, 2]])).toThrow(RangeError);
  });

  it('largestFace picks the biggest box', () => {
    const f = (w: number, h: number) => ({ box: { x: 0, y: 0, width: w, height: h }, tag: `${w}x${h}` });
    expect(largestFace([f(10, 10), f(30, 4), f(12, 12)])?.tag).toBe('12x12');
    expect(largestFace([f(10, 10), f(30, 5), f(12, 12)])?.tag).toBe('30x5');
    expect(largestFace([])).toBeNull();
  });

  it('leaveOneOutSimilarity and the 0.9× calibration', () => {
    // identical references: each is perfectly similar to the others' centroid
    expect(leaveOneOutSimilarity([[1, 2], [2, 4], [3, 6]])).toBeCloseTo(1, 12);
    // three unit vectors 120° apart in a plane: each is opposite the centroid of the other two
    const tri = [0, 1, 2].map((k) => [Math.cos((2 * Math.PI * k) / 3), Math.sin((2 * Math.PI * k) / 3)]);
    expect(leaveOneOutSimilarity(tri)).toBeCloseTo(-1, 12);
    // orthonormal basis of 3: each vs the centroid of the other two = 0
    expect(leaveOneOutSimilarity([[1, 0, 0], [0, 1, 0], [0, 0, 1]])).toBeCloseTo(0, 12);
    // two references: their cosine
    expect(leaveOneOutSimilarity([[1, 0], [1, 1]])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(calibrateIdentityThreshold([[1, 0], [1, 1]])).toBeCloseTo(0.9 * Math.SQRT1_2, 12);
    expect(calibrateIdentityThreshold([[1, 0], [1, 1]], 0.8)).toBeCloseTo(0.8 * Math.SQRT1_2, 12);
    expect(() => leaveOneOutSimilarity([[1, 0]])).toThrow(RangeError);
  });

  it('identityScore uses the largest face and is null without one', () => {
    const face = (w: number, embedding: number[]): DetectedFace => ({ box: { x: 0, y: 0, width: w, height: w }, score: 1, embedding, age: 30 });
    expect(identityScore([face(10, [0, 1]), face(50, [1, 0])], [1, 0])).toBeCloseTo(1, 12);
    expect(identityScore([], [1, 0])).toBeNull();
  });
});
