// Text for a card: cleaned (controls, emoji and bidi controls dropped, NFC), turned into glyphs
// of the card font (a missing character becomes the font's .notdef box, a missing combining mark
// is skipped), wrapped greedily at spaces (a word wider than the line breaks between
// characters), and fitted: the largest whole pixel size at which every line fits the box, down
// to a floor under which the text is cut with an ellipsis. Right-to-left words are put in visual
// order line by line (a small subset of the Unicode bidi algorithm: no shaping, no mirroring).
// Pure: no I/O.
import type { Font } from './font.ts';

/** At most this many characters are laid out; nothing longer fits a card at a readable size. */
const MAX_CHARS = 4000;
const MAX_PARAGRAPHS = 40;

const RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u;
const STRONG_LTR = /[\p{L}\p{N}]/u;
const DROP = /[\p{Cc}\p{Cs}\p{Co}\p{Cn}\p{Me}\p{Variation_Selector}\p{Emoji_Modifier}\p{Regional_Indicator}\u200B-\u200F\u202A-\u202E\u2060-\u206F\u{E0000}-\u{E007F}]/gu;
const EMOJI = /\p{Extended_Pictographic}/u;

/**
 * The words to draw: NFC, tabs as spaces, controls (but line breaks), variation selectors, skin
 * tones, flags' letters, zero-width and bidi controls removed, runs of spaces collapsed, at most
 * MAX_CHARS characters. Emoji go when shaped (the card font has none; © and ™ it has stay).
 */
export function cleanCardText(text: string): string {
  const unified = text.replace(/\r\n?/g, '\n').replace(/[\t\v\f\u2028\u2029]/g, (c) => (c === '\u2028' || c === '\u2029' ? '\n' : ' '));
  const kept = unified
    .replace(DROP, (c) => (c === '\n' ? '\n' : ''))
    .normalize('NFC');
  const paragraphs = kept
    .split('\n')
    .map((p) => p.replace(/[^\S\n]+/gu, ' ').trim())
    .filter((p, i, all) => p !== '' || (i > 0 && all[i - 1] !== ''));
  let out = paragraphs.slice(0, MAX_PARAGRAPHS).join('\n').trim();
  if (out.length > MAX_CHARS) out = Array.from(out).slice(0, MAX_CHARS).join('');
  return out;
}

interface Word {
  glyphs: number[];
  /** Font units, tracking included. */
  width: number;
  rtl: boolean;
}

interface Paragraph {
  words: Word[];
  rtl: boolean;
}

/** One laid-out line: glyphs in visual order with their pen x in font units. */
interface LaidLine {
  glyphs: Array<{ glyph: number; x: number }>;
  /** Font units. */
  width: number;
  rtl: boolean;
}

export interface TextBlock {
  /** Font size in pixels. */
  size: number;
  /** Baseline to baseline, pixels. */
  lineHeight: number;
  lines: LaidLine[];
  /** Pixels: widest line, and from the first line's ascender to the last line's descender. */
  width: number;
  height: number;
  /** Pixels from the block's top to the first baseline. */
  firstBaseline: number;
  /** The text did not fit at the smallest size and was cut. */
  truncated: boolean;
}

export interface FitOptions {
  maxWidth: number;
  maxHeight: number;
  maxSize: number;
  minSize: number;
  /** Baseline to baseline as a multiple of the size. */
  lineHeight: number;
  /** Extra space between letters, in em. */
  tracking?: number;
  /** Ink beyond the outline (faux-bold stroke) on each side, as a multiple of the size. */
  bleed?: number;
  maxLines?: number;
}

function shapeWord(font: Font, word: string, tracking: number): Word {
  const glyphs: number[] = [];
  let width = 0;
  for (const ch of word) {
    const cp = ch.codePointAt(0)!;
    let g = font.glyphIndex(cp);
    if (g === 0 && (/\p{M}/u.test(ch) || EMOJI.test(ch))) continue; // a mark or emoji the font lacks: skipped
    if (g === 0 && /\s/u.test(ch)) g = font.glyphIndex(0x20);
    glyphs.push(g);
    width += font.advance(g) + tracking;
  }
  return { glyphs, width, rtl: RTL.test(word) };
}

function shape(font: Font, text: string, tracking: number): Paragraph[] {
  const trackUnits = tracking * font.unitsPerEm;
  return text.split('\n').map((p) => {
    const firstStrong = Array.from(p).find((c) => RTL.test(c) || STRONG_LTR.test(c));
    return {
      words: p.split(' ').map((w) => shapeWord(font, w, trackUnits)).filter((w) => w.glyphs.length > 0),
      rtl: firstStrong !== undefined && RTL.test(firstStrong),
    };
  });
}

interface RawLine {
  words: Word[];
  rtl: boolean;
}

/** Greedy wrap at `maxUnits`; stops early once more than `limit` lines are made. */
function wrap(font: Font, paragraphs: Paragraph[], maxUnits: number, space: number, tracking: number, limit: number): RawLine[] {
  const lines: RawLine[] = [];
  for (const p of paragraphs) {
    let current: Word[] = [];
    let width = 0;
    const push = () => {
      lines.push({ words: current, rtl: p.rtl });
      current = [];
      width = 0;
    };
    for (const word of p.words) {
      const pieces = word.width <= maxUnits ? [word] : splitWord(font, word, maxUnits, tracking);
      for (const piece of pieces) {
        const extra = current.length ? space + piece.width : piece.width;
        if (current.length && width + extra > maxUnits) push();
        width += current.length ? space + piece.width : piece.width;
        current.push(piece);
        if (lines.length > limit) return lines;
      }
    }
    push();
    if (lines.length > limit) return lines;
  }
  return lines;
}

/** A word wider than the line, cut between glyphs. */
function splitWord(font: Font, word: Word, maxUnits: number, tracking: number): Word[] {
  const pieces: Word[] = [];
  let glyphs: number[] = [];
  let width = 0;
  for (const g of word.glyphs) {
    const w = font.advance(g) + tracking;
    if (glyphs.length && width + w > maxUnits) {
      pieces.push({ glyphs, width, rtl: word.rtl });
      glyphs = [];
      width = 0;
    }
    glyphs.push(g);
    width += w;
  }
  if (glyphs.length) pieces.push({ glyphs, width, rtl: word.rtl });
  return pieces;
}

/** Words of a line in visual order, right-to-left words' glyphs reversed. */
function visualOrder(line: RawLine): Word[] {
  const words = line.rtl ? [...line.words].reverse() : [...line.words];
  const out: Word[] = [];
  // Within a line, a run of words against the paragraph's direction keeps its own order.
  let i = 0;
  while (i < words.length) {
    let j = i;
    const against = line.rtl ? !words[i]!.rtl : words[i]!.rtl;
    while (j < words.length && (line.rtl ? !words[j]!.rtl : words[j]!.rtl) === against) j++;
    const run = words.slice(i, j);
    out.push(...(against ? run.reverse() : run));
    i = j;
  }
  return out.map((w) => (w.rtl ? { ...w, glyphs: [...w.glyphs].reverse() } : w));
}

/** Lays `text` out in the box at the largest size that fits (see the file header). */
export function fitText(font: Font, text: string, o: FitOptions): TextBlock {
  const tracking = o.tracking ?? 0;
  const trackUnits = tracking * font.unitsPerEm;
  const paragraphs = shape(font, text, tracking);
  const space = font.advance(font.glyphIndex(0x20)) + trackUnits;
  const ink = (font.ascender + font.descender) / font.unitsPerEm;
  const bleed = o.bleed ?? 0;
  const maxSize = Math.max(1, Math.floor(o.maxSize));
  const minSize = Math.max(1, Math.min(maxSize, Math.floor(o.minSize)));

  const linesAt = (size: number) => {
    const scale = size / font.unitsPerEm;
    const usable = o.maxWidth - 2 * bleed * size;
    const room = Math.floor((o.maxHeight - (ink + 2 * bleed) * size) / (o.lineHeight * size)) + 1;
    const limit = Math.min(room, o.maxLines ?? Infinity);
    return { lines: wrap(font, paragraphs, Math.max(1, usable / scale), space, trackUnits, limit), limit };
  };

  let lo = minSize;
  let hi = maxSize;
  let best: number | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const { lines, limit } = linesAt(mid);
    if (lines.length <= limit && limit >= 1) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }

  const size = best ?? minSize;
  const fitted = linesAt(size);
  const limit = fitted.limit;
  let lines = fitted.lines;
  let truncated = false;
  if (lines.length > limit) {
    truncated = true;
    lines = lines.slice(0, Math.max(1, limit));
    const last = lines[lines.length - 1]!;
    lines[lines.length - 1] = ellipsize(font, last, (o.maxWidth - 2 * bleed * size) / (size / font.unitsPerEm), space, trackUnits);
  }
  const laid = lines.map((l) => placeLine(font, l, space, trackUnits));
  const scale = size / font.unitsPerEm;
  const lineHeight = o.lineHeight * size;
  const width = laid.reduce((m, l) => Math.max(m, l.width), 0) * scale + 2 * bleed * size;
  const height = laid.length ? (laid.length - 1) * lineHeight + (ink + 2 * bleed) * size : 0;
  return { size, lineHeight, lines: laid, width, height, firstBaseline: (font.ascender / font.unitsPerEm + bleed) * size, truncated };
}

/** The line with its tail cut so that "…" fits after it. */
function ellipsize(font: Font, line: RawLine, maxUnits: number, space: number, tracking: number): RawLine {
  const dots = font.glyphIndex(0x2026) || font.glyphIndex(0x2e);
  const dotsWidth = font.advance(dots);
  const words = line.words.map((w) => ({ ...w, glyphs: [...w.glyphs] }));
  const total = () => words.reduce((s, w, i) => s + w.width + (i ? space : 0), 0);
  while (words.length && total() + dotsWidth > maxUnits) {
    const w = words[words.length - 1]!;
    const g = w.glyphs.pop();
    if (g !== undefined) w.width -= font.advance(g) + tracking;
    if (!w.glyphs.length) words.pop();
  }
  if (words.length) {
    const w = words[words.length - 1]!;
    w.glyphs.push(dots);
    w.width += dotsWidth;
  } else words.push({ glyphs: [dots], width: dotsWidth, rtl: false });
  return { words, rtl: line.rtl };
}

function placeLine(font: Font, line: RawLine, space: number, tracking: number): LaidLine {
  const glyphs: Array<{ glyph: number; x: number }> = [];
  let x = 0;
  visualOrder(line).forEach((w, i) => {
    if (i > 0) x += space;
    for (const g of w.glyphs) {
      glyphs.push({ glyph: g, x });
      x += font.advance(g) + tracking;
    }
  });
  return { glyphs, width: x, rtl: line.rtl };
}
