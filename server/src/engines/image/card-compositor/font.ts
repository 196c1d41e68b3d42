// The card font: glyph outlines drawn as SVG paths, so the compositor never asks fontconfig or
// the system for a font (a fresh Debian machine has none). The face is Lato Light (SIL Open
// Font License 1.1, by Łukasz Dziedzic), the WOFF2 file that ships inside the `@vladmandic/human`
// npm package we already depend on for face detection (`assets/lato-light.woff2`); a heavier
// weight is drawn by stroking the same outlines. Reads cmap (formats 4 and 12), head, hhea,
// maxp and hmtx; no kerning or shaping (Latin, Greek and Cyrillic read fine without them).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { decodeWoff2, type GlyphOutline, type OutlinePoint } from './woff2.ts';

export interface Font {
  readonly unitsPerEm: number;
  /** Above the baseline, font units (positive). */
  readonly ascender: number;
  /** Below the baseline, font units (positive). */
  readonly descender: number;
  /** The glyph for a code point, or 0 (.notdef) when the font has none. */
  glyphIndex(codePoint: number): number;
  /** Advance width in font units. */
  advance(glyph: number): number;
  /** SVG path data in font units, y pointing down (baseline at 0); '' for an empty glyph. */
  path(glyph: number): string;
}

class SfntFont implements Font {
  readonly unitsPerEm: number;
  readonly ascender: number;
  readonly descender: number;
  private readonly advances: Uint16Array;
  private readonly cmap = new Map<number, number>();
  private readonly paths = new Map<number, string>();
  private readonly glyphs: GlyphOutline[];

  constructor(tables: Map<string, Buffer>, glyphs: GlyphOutline[]) {
    this.glyphs = glyphs;
    const table = (tag: string) => {
      const t = tables.get(tag);
      if (!t) throw new Error(`font: no ${tag} table`);
      return t;
    };
    const head = table('head');
    this.unitsPerEm = head.readUInt16BE(18);
    const hhea = table('hhea');
    this.ascender = hhea.readInt16BE(4);
    this.descender = -hhea.readInt16BE(6);
    const numberOfHMetrics = hhea.readUInt16BE(34);
    const numGlyphs = table('maxp').readUInt16BE(4);
    const hmtx = table('hmtx');
    this.advances = new Uint16Array(numGlyphs);
    let last = 0;
    for (let g = 0; g < numGlyphs; g++) {
      if (g < numberOfHMetrics && g * 4 + 2 <= hmtx.length) last = hmtx.readUInt16BE(g * 4);
      this.advances[g] = last;
    }
    this.readCmap(table('cmap'), numGlyphs);
  }

  private readCmap(cmap: Buffer, numGlyphs: number): void {
    const count = cmap.readUInt16BE(2);
    let best: { offset: number; format: number } | null = null;
    for (let i = 0; i < count; i++) {
      const platform = cmap.readUInt16BE(4 + i * 8);
      const encoding = cmap.readUInt16BE(6 + i * 8);
      const offset = cmap.readUInt32BE(8 + i * 8);
      const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
      if (!unicode || offset + 2 > cmap.length) continue;
      const format = cmap.readUInt16BE(offset);
      if (format === 12 && best?.format !== 12) best = { offset, format };
      else if (format === 4 && !best) best = { offset, format };
    }
    if (!best) throw new Error('font: no Unicode cmap subtable');
    const o = best.offset;
    const set = (cp: number, g: number) => {
      if (g > 0 && g < numGlyphs) this.cmap.set(cp, g);
    };
    if (best.format === 12) {
      const groups = cmap.readUInt32BE(o + 12);
      for (let i = 0; i < groups; i++) {
        const start = cmap.readUInt32BE(o + 16 + i * 12);
        const end = cmap.readUInt32BE(o + 20 + i * 12);
        const first = cmap.readUInt32BE(o + 24 + i * 12);
        for (let cp = start; cp <= end && cp - start < 0x10000; cp++) set(cp, first + cp - start);
      }
      return;
    }
    const segX2 = cmap.readUInt16BE(o + 6);
    const ends = o + 14;
    const starts = ends + segX2 + 2;
    const deltas = starts + segX2;
    const rangeOffsets = deltas + segX2;
    for (let s = 0; s < segX2; s += 2) {
      const end = cmap.readUInt16BE(ends + s);
      const start = cmap.readUInt16BE(starts + s);
      const delta = cmap.readInt16BE(deltas + s);
      const ro = cmap.readUInt16BE(rangeOffsets + s);
      for (let cp = start; cp <= end && cp !== 0xffff; cp++) {
        if (ro === 0) set(cp, (cp + delta) & 0xffff);
        else {
          const at = rangeOffsets + s + ro + (cp - start) * 2;
          if (at + 2 > cmap.length) continue;
          const g = cmap.readUInt16BE(at);
          if (g !== 0) set(cp, (g + delta) & 0xffff);
        }
      }
    }
  }

  glyphIndex(codePoint: number): number {
    return this.cmap.get(codePoint) ?? 0;
  }

  advance(glyph: number): number {
    return this.advances[glyph] ?? 0;
  }

  path(glyph: number): string {
    let d = this.paths.get(glyph);
    if (d === undefined) {
      const contours: OutlinePoint[][] = [];
      this.collect(glyph, [1, 0, 0, 1, 0, 0], contours, 0);
      d = contours.map(contourPath).join('');
      this.paths.set(glyph, d);
    }
    return d;
  }

  /** The glyph's contours through an affine matrix [a b c d dx dy], components flattened. */
  private collect(glyph: number, m: readonly number[], out: OutlinePoint[][], depth: number): void {
    const g = this.glyphs[glyph];
    if (!g || depth > 8) return;
    if (g.kind === 'simple') {
      const [a, b, c, d, dx, dy] = m as [number, number, number, number, number, number];
      for (const contour of g.contours) out.push(contour.map((p) => ({ x: a * p.x + c * p.y + dx, y: b * p.x + d * p.y + dy, on: p.on })));
    } else if (g.kind === 'composite') {
      const [a, b, c, d, dx, dy] = m as [number, number, number, number, number, number];
      for (const k of g.components) {
        // The component's matrix, then the parent's.
        const inner = [k.a, k.b, k.c, k.d, k.dx, k.dy];
        const [ia, ib, ic, id, ix, iy] = inner as [number, number, number, number, number, number];
        this.collect(k.glyph, [a * ia + c * ib, b * ia + d * ib, a * ic + c * id, b * ic + d * id, a * ix + c * iy + dx, b * ix + d * iy + dy], out, depth + 1);
      }
    }
  }
}

const n = (v: number) => String(Math.round(v));

/** One TrueType contour (quadratic, implied on-curve midpoints) as SVG path data, y flipped. */
function contourPath(points: OutlinePoint[]): string {
  if (points.length < 2) return '';
  const len = points.length;
  // Start on an on-curve point; a contour of control points only starts at a midpoint.
  let startIdx = points.findIndex((p) => p.on);
  let start: { x: number; y: number };
  if (startIdx === -1) {
    const a = points[0]!;
    const b = points[1]!;
    start = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
    startIdx = 0;
  } else start = points[startIdx]!;
  let d = `M${n(start.x)} ${n(-start.y)}`;
  let control: OutlinePoint | null = null;
  for (let i = 1; i <= len; i++) {
    const p = points[(startIdx + i) % len]!;
    if (p.on) {
      d += control ? `Q${n(control.x)} ${n(-control.y)} ${n(p.x)} ${n(-p.y)}` : `L${n(p.x)} ${n(-p.y)}`;
      control = null;
    } else if (control) {
      const mx = (control.x + p.x) / 2;
      const my = (control.y + p.y) / 2;
      d += `Q${n(control.x)} ${n(-control.y)} ${n(mx)} ${n(-my)}`;
      control = p;
    } else control = p;
  }
  if (control) d += `Q${n(control.x)} ${n(-control.y)} ${n(start.x)} ${n(-start.y)}`;
  return `${d}Z`;
}

/** Parses a WOFF2 font file into a Font. */
function loadWoff2Font(file: Buffer): Font {
  const { tables, glyphs } = decodeWoff2(file);
  return new SfntFont(tables, glyphs);
}

let loaded: Font | null = null;

/** Where the card font file is: inside the installed `@vladmandic/human` package. */
function cardFontPath(): string {
  const require = createRequire(import.meta.url);
  // The package's exports map hides package.json; its main entry lives in dist/.
  const root = path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..');
  return path.join(root, 'assets', 'lato-light.woff2');
}

/** The card font, read and decoded once per process (~20 ms). */
export function cardFont(): Font {
  loaded ??= loadWoff2Font(readFileSync(cardFontPath()));
  return loaded;
}
