// The built-in card compositor: every layout at every platform size, text really drawn and kept
// inside the safe area, long text shrunk and wrapped, the photo kept, seeds and batches that
// differ, hostile text, the engine's errors, and a render in a process where fontconfig finds
// no configuration at all (a fresh machine without fonts) that matches this one's byte for byte.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError, type EngineProgress, type RunContext } from '../../src/engines/engine.ts';
import { cardCompositorAdapter, cardStyles } from '../../src/engines/image/card-compositor/card-compositor.adapter.ts';
import { cardFont } from '../../src/engines/image/card-compositor/font.ts';
import { cleanCardText, fitText } from '../../src/engines/image/card-compositor/layout.ts';
import { renderCard, safeArea, type CardInput, type CardLayout } from '../../src/engines/image/card-compositor/render.ts';
import type { CardSpec, ImageEngine, ImageRequest } from '../../src/engines/image/image.ts';
import { cardCompositorHarness } from '../support/engines/card-compositor.harness.ts';

const SIZES = [
  { width: 1080, height: 1080 },
  { width: 1080, height: 1350 },
  { width: 1080, height: 1920 },
  { width: 1920, height: 1080 },
] as const;
const LAYOUTS: CardLayout[] = ['quote', 'text', 'photo-caption'];
const QUOTE = 'The best runs are the ones where you forget you are running — sunset, river, and nowhere else to be.';
const TEAL = { r: 0x2a, g: 0x9d, b: 0x8f };

let photo: Buffer;
let engine: ImageEngine;
let close: () => Promise<void>;

beforeAll(async () => {
  // A teal photo with a yellow sun and a dark strip of ground: its colours are known.
  photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: TEAL } })
    .composite([{ input: Buffer.from('<svg width="1600" height="1200" xmlns="http://www.w3.org/2000/svg"><circle cx="1050" cy="450" r="150" fill="#ffcc00"/><rect y="1080" width="1600" height="120" fill="#1d3557"/></svg>') }])
    .jpeg({ quality: 92 })
    .toBuffer();
  const h = await cardCompositorHarness.start();
  engine = h.engine;
  close = h.close;
});
afterAll(() => close());

function context(signal = new AbortController().signal): { ctx: RunContext; progress: EngineProgress[] } {
  const progress: EngineProgress[] = [];
  return { ctx: { signal, progress: (p) => progress.push(p), checkpoint: async () => {}, resumeState: null }, progress };
}

function request(card: Partial<CardSpec>, over: Partial<ImageRequest> = {}): ImageRequest {
  return {
    prompt: '',
    negativePrompt: '',
    width: 1080,
    height: 1350,
    aspect: '4:5',
    seed: 7,
    batch: 1,
    referenceFaces: [],
    card: { layout: 'quote', text: QUOTE, attribution: '— Mia Sol', photo: null, style: null, ...card },
    ...over,
  };
}

const card = (over: Partial<CardInput>): CardInput => ({ layout: 'quote', text: QUOTE, attribution: '— Mia Sol', photo: null, style: 'minimal', width: 1080, height: 1350, seed: 3, ...over });

async function rgb(png: Buffer) {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Pixels that differ between two same-size images, inside and outside a rectangle. */
async function differences(a: Buffer, b: Buffer, rect: { x: number; y: number; w: number; h: number }) {
  const A = await rgb(a);
  const B = await rgb(b);
  let inside = 0;
  let outside = 0;
  for (let y = 0; y < A.height; y++) {
    for (let x = 0; x < A.width; x++) {
      const i = (y * A.width + x) * 3;
      const diff = Math.abs(A.data[i]! - B.data[i]!) + Math.abs(A.data[i + 1]! - B.data[i + 1]!) + Math.abs(A.data[i + 2]! - B.data[i + 2]!);
      if (diff === 0) continue;
      if (x >= rect.x && x < rect.x + rect.w && y >= rect.y && y < rect.y + rect.h) inside++;
      else outside++;
    }
  }
  return { inside, outside };
}

describe('card compositor: sizes and layouts', () => {
  for (const layout of LAYOUTS) {
    for (const { width, height } of SIZES) {
      it(`${layout} at ${width}×${height} is a PNG of exactly that size`, async () => {
        const { ctx, progress } = context();
        const r = await engine.generate(request({ layout, photo: layout === 'photo-caption' ? { data: photo, mime: 'image/jpeg' } : null }, { width, height }), ctx);
        expect(r.images).toHaveLength(1);
        expect(r.images[0]!.mime).toBe('image/png');
        expect(r.images[0]!.seed).toBe(7);
        const meta = await sharp(r.images[0]!.data).metadata();
        expect(meta).toMatchObject({ format: 'png', width, height });
        expect(progress.at(-1)?.percent).toBe(100);
      });
    }
  }

  it('draws every style preset', async () => {
    expect(cardStyles).toEqual(['minimal', 'bold', 'warm', 'pastel', 'noir']);
    const info: string[] = [];
    for (const style of cardStyles) {
      const r = await engine.generate(request({ style }, { width: 512, height: 512 }), context().ctx);
      info.push(...(r.info.styles as string[]));
    }
    expect(info).toEqual([...cardStyles]);
  });
});

describe('card compositor: text', () => {
  for (const layout of ['quote', 'text'] as const) {
    it(`${layout}: the words are drawn, inside the safe area only`, async () => {
      const size = { width: 1080, height: 1350 };
      const safe = safeArea(size.width, size.height);
      const empty = (await renderCard(card({ layout, text: '', attribution: '', ...size }))).png;
      const short = (await renderCard(card({ layout, text: 'Sunset run', attribution: '', ...size }))).png;
      const long = (await renderCard(card({ layout, text: `${QUOTE} `.repeat(40), attribution: '@mia.sol', ...size }))).png;
      const a = await differences(empty, short, safe);
      expect(a.inside).toBeGreaterThan(2000);
      expect(a.outside).toBe(0);
      const b = await differences(empty, long, safe);
      expect(b.inside).toBeGreaterThan(a.inside);
      expect(b.outside).toBe(0);
    });
  }

  it('longer text shrinks and wraps to fit the box, and is cut with an ellipsis only below the floor', () => {
    const font = cardFont();
    const box = { maxWidth: 900, maxHeight: 800, maxSize: 90, minSize: 20, lineHeight: 1.25 };
    const short = fitText(font, 'Sunset run by the river', box);
    const medium = fitText(font, `${QUOTE} `.repeat(3), box);
    const long = fitText(font, `${QUOTE} `.repeat(200), box);
    expect(short.size).toBe(90);
    expect(medium.size).toBeLessThan(short.size);
    expect(medium.size).toBeGreaterThan(20);
    expect(medium.truncated).toBe(false);
    expect(long.size).toBe(20);
    expect(long.truncated).toBe(true);
    for (const b of [short, medium, long]) {
      expect(b.height).toBeLessThanOrEqual(box.maxHeight);
      for (const line of b.lines) expect(line.width * (b.size / font.unitsPerEm)).toBeLessThanOrEqual(box.maxWidth);
    }
    const last = long.lines.at(-1)!.glyphs.at(-1)!.glyph;
    expect(last).toBe(font.glyphIndex(0x2026));
  });

  it('breaks a word wider than the line between its characters', () => {
    const font = cardFont();
    const b = fitText(font, 'x'.repeat(500), { maxWidth: 400, maxHeight: 2000, maxSize: 40, minSize: 40, lineHeight: 1.2 });
    expect(b.lines.length).toBeGreaterThan(3);
    for (const line of b.lines) expect(line.width * (b.size / font.unitsPerEm)).toBeLessThanOrEqual(400);
  });

  it('cleans text: controls, emoji, bidi controls and variation selectors go; accents compose', () => {
    expect(cleanCardText('a\u0000b\u0007c\u200Fd\u202Ee  \t f\uFE0F')).toBe('abcde f');
    expect(cleanCardText('cafe\u0301')).toBe('café');
    expect(cleanCardText('line one\r\n\r\n\r\n\r\nline two')).toBe('line one\n\nline two');
    const font = cardFont();
    const withEmoji = fitText(font, cleanCardText('run 🏃🏽🌅\uFE0F 🇫🇷 done'), { maxWidth: 2000, maxHeight: 200, maxSize: 40, minSize: 40, lineHeight: 1.2 });
    const plain = fitText(font, 'run done', { maxWidth: 2000, maxHeight: 200, maxSize: 40, minSize: 40, lineHeight: 1.2 });
    expect(withEmoji.lines[0]!.glyphs.map((g) => g.glyph)).toEqual(plain.lines[0]!.glyphs.map((g) => g.glyph));
  });

  it('puts right-to-left words in visual order', () => {
    const font = cardFont();
    const opts = { maxWidth: 2000, maxHeight: 400, maxSize: 40, minSize: 40, lineHeight: 1.2 };
    const rtl = fitText(font, 'abc שלום', opts).lines[0]!;
    expect(rtl.rtl).toBe(false);
    const hebrew = fitText(font, 'שלום abc', opts).lines[0]!;
    expect(hebrew.rtl).toBe(true);
    // In an RTL paragraph the Latin word comes first from the left.
    expect(hebrew.glyphs[0]!.glyph).toBe(font.glyphIndex(0x61));
  });

  it('renders hostile text in every layout without throwing', async () => {
    const pieces = ['Sunset', 'שלום עולם', 'مرحبا بالعالم', '🏃🏽‍♀️🌅🇫🇷', 'Z\u0351\u0352\u0353\u0354\u0300\u0301\u0302\u0303', '\u0001\u0002\u0008\u001b[31m', '\u202Eevil\u202C', '中文字', '\uD800', 'x'.repeat(300), '\u200D\uFE0F\u20E3'];
    let hostile = '';
    for (let i = 0; hostile.length < 10_000; i++) hostile += `${pieces[i % pieces.length]} `;
    hostile = hostile.slice(0, 10_000);
    expect(hostile.length).toBe(10_000);
    for (const layout of LAYOUTS) {
      const out = await renderCard(card({ layout, text: hostile, attribution: `${hostile.slice(0, 500)}`, photo: layout === 'photo-caption' ? photo : null, width: 1080, height: 1080 }));
      expect(await sharp(out.png).metadata()).toMatchObject({ width: 1080, height: 1080 });
    }
    for (const text of ['', ' ', '\n\n\n', '😀', '\u0301', '\u0000'.replace('\u0000', '\u0001')]) {
      const out = await renderCard(card({ text, width: 300, height: 300 }));
      expect(await sharp(out.png).metadata()).toMatchObject({ width: 300, height: 300 });
    }
  });
});

describe('card compositor: photo, seeds, batches', () => {
  it('photo-caption keeps the photo: its colour dominates and the crop fills the card', async () => {
    for (const { width, height } of SIZES) {
      const out = await renderCard(card({ layout: 'photo-caption', photo, width, height, style: 'noir' }));
      const { dominant } = await sharp(out.png).stats();
      expect(Math.abs(dominant.r - TEAL.r) + Math.abs(dominant.g - TEAL.g) + Math.abs(dominant.b - TEAL.b)).toBeLessThan(48);
      // The middle row band of the card is photo (the caption band sits at the top or bottom).
      const strip = await sharp(out.png).extract({ left: 0, top: Math.round(height * 0.45), width, height: Math.round(height * 0.1) }).png().toBuffer();
      const mid = await sharp(strip).stats();
      const [r, g, b] = mid.channels.map((c) => c.mean) as [number, number, number];
      expect(g).toBeGreaterThan(r);
      expect(b).toBeGreaterThan(r);
    }
  });

  it('photo-caption crops around the salient part of the photo', async () => {
    // A grey 2:1 photo with a red square near its right edge, on a square card: a centre crop
    // would cut the square off; the attention and entropy crops keep it.
    const wide = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#777777' } })
      .composite([{ input: Buffer.from('<svg width="2000" height="1000" xmlns="http://www.w3.org/2000/svg"><rect x="1700" y="400" width="200" height="200" fill="#ff0000"/></svg>') }])
      .png()
      .toBuffer();
    for (let seed = 0; seed < 6; seed++) {
      const out = await renderCard(card({ layout: 'photo-caption', photo: wide, text: 'Red', attribution: '', width: 1000, height: 1000, seed }));
      const square = await sharp(out.png).extract({ left: 720, top: 420, width: 160, height: 160 }).raw().toBuffer();
      const [r, g] = [square[0]!, square[1]!];
      expect({ seed, r, g }).toEqual({ seed, r: 255, g: 0 });
    }
  });

  it('the same seed gives the same bytes; different seeds differ', async () => {
    const a = await renderCard(card({ seed: 11, style: null }));
    const b = await renderCard(card({ seed: 11, style: null }));
    expect(a.png.equals(b.png)).toBe(true);
    const seen = new Set<string>();
    for (let seed = 0; seed < 8; seed++) seen.add(createHash('sha256').update((await renderCard(card({ seed, style: 'warm' }))).png).digest('hex'));
    expect(seen.size).toBe(8);
  });

  it('a batch of 3 gives 3 distinct cards with consecutive seeds', async () => {
    for (const layout of LAYOUTS) {
      const r = await engine.generate(request({ layout, photo: layout === 'photo-caption' ? { data: photo, mime: 'image/jpeg' } : null, style: 'bold' }, { batch: 3, seed: 41, width: 1080, height: 1080 }), context().ctx);
      expect(r.images.map((i) => i.seed)).toEqual([41, 42, 43]);
      expect(new Set(r.images.map((i) => createHash('sha256').update(i.data).digest('hex'))).size).toBe(3);
    }
  });
});

describe('card compositor: the engine', () => {
  it('declares its capabilities', () => {
    expect(cardCompositorAdapter).toMatchObject({ adapter: 'card-compositor', kind: 'image', builtIn: true, url: 'none', apiKey: 'none' });
    expect(engine.capabilities).toMatchObject({
      builtIn: true, cards: true, referenceFace: false, negativePrompt: false, imageToImage: false, seed: true, maxBatch: 8, progress: 'none', cost: null,
      sizes: { kind: 'range', min: 256, max: 2048, multipleOf: 1 },
    });
    expect(cardCompositorAdapter.options.parse({})).toEqual({});
  });

  it('test connection is ok, offline', async () => {
    const r = await engine.testConnection();
    expect(r).toMatchObject({ ok: true, reachable: true, auth: 'not_required' });
    expect(r.message).toMatch(/offline/);
  });

  it('refuses what it cannot do with classified errors', async () => {
    const fails = async (req: ImageRequest, signal?: AbortSignal) => {
      const err = await engine.generate(req, context(signal).ctx).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      return (err as EngineError).kind;
    };
    expect(await fails(request({}, { width: 100 }))).toBe('unsupported');
    expect(await fails(request({}, { height: 4096 }))).toBe('unsupported');
    expect(await fails(request({}, { batch: 9 }))).toBe('unsupported');
    expect(await fails(request({ layout: 'photo-caption', photo: null }))).toBe('rejected');
    expect(await fails(request({ layout: 'photo-caption', photo: { data: Buffer.from('not an image'), mime: 'image/jpeg' } }))).toBe('rejected');
    expect(await fails(request({}), AbortSignal.abort())).toBe('cancelled');
  });
});

describe('card compositor: no system fonts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'card-nofonts-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('draws the same card in a process where fontconfig has no configuration and no fonts', async () => {
    const render = pathToFileURL(path.resolve(import.meta.dirname, '../../src/engines/image/card-compositor/render.ts')).href;
    const script = path.join(dir, 'render.ts');
    writeFileSync(
      script,
      `import { renderCard } from ${JSON.stringify(render)};\n` +
        `const out = await renderCard(${JSON.stringify({ layout: 'quote', text: QUOTE, attribution: '— Mia Sol', photo: null, style: 'bold', width: 600, height: 750, seed: 5 })});\n` +
        `process.stdout.write(out.png.toString('base64'));\n`,
    );
    const empty = path.join(dir, 'fonts.conf');
    writeFileSync(empty, '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig></fontconfig>');
    const { stdout } = await promisify(execFile)(process.execPath, [script], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, FONTCONFIG_FILE: empty, FONTCONFIG_PATH: dir, XDG_DATA_HOME: dir, XDG_CACHE_HOME: dir },
      maxBuffer: 64 * 1024 * 1024,
    });
    const there = Buffer.from(stdout, 'base64');
    const here = (await renderCard({ layout: 'quote', text: QUOTE, attribution: '— Mia Sol', photo: null, style: 'bold', width: 600, height: 750, seed: 5 })).png;
    expect(there.equals(here)).toBe(true);
  });
});
