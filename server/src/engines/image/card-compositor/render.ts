// Draws one card: an SVG of the background, decorations and the text as glyph outlines (font.ts,
// so no system font is asked for), rasterised by sharp at exactly width × height and encoded as
// PNG; for a photo card the photo is cropped to the size around its most salient part (sharp's
// attention or entropy strategy) and the caption sits on a translucent band over it.
// The seed picks the palette, weight, alignment, gradient angle and arrangement; the same input
// always gives the same picture. Every glyph is clipped to the safe area (`safeArea`).
import sharp, { type Sharp } from 'sharp';
import { seededRandom } from '../../seeded-random.ts';
import { cardFont, type Font } from './font.ts';
import { cleanCardText, fitText, type TextBlock } from './layout.ts';
import { cardStyles, type CardStyle, type Palette, presetByName, stylePresets } from './palettes.ts';

export type CardLayout = 'quote' | 'text' | 'photo-caption';

export interface CardInput {
  layout: CardLayout;
  text: string;
  attribution: string;
  /** Encoded image (any format sharp reads); required for 'photo-caption'. */
  photo: Buffer | null;
  style: string | null;
  width: number;
  height: number;
  seed: number;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The area every glyph stays inside: the card less a margin of 6% of its shorter side (≥ 16 px). */
export function safeArea(width: number, height: number): Rect {
  const m = Math.max(16, Math.round(Math.min(width, height) * 0.06));
  return { x: m, y: m, w: width - 2 * m, h: height - 2 * m };
}

interface Look {
  style: CardStyle;
  palette: Palette;
  /** Stroke as a fraction of the size. */
  weight: number;
  align: 'start' | 'center';
  angle: number;
  uppercase: boolean;
  quoteMark: boolean;
  rule: boolean;
  bandAtTop: boolean;
  bandOpacity: number;
  crop: 'attention' | 'entropy';
}

function pickLook(style: string | null, seed: number): Look {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const named = presetByName(style);
  const chosen = named ?? pick(cardStyles);
  const preset = stylePresets[chosen];
  return {
    style: chosen,
    palette: pick(preset.palettes),
    weight: pick(preset.weights),
    align: rand() < 0.55 ? 'center' : 'start',
    angle: rand() * 360,
    uppercase: preset.uppercaseTitles && rand() < 0.8,
    quoteMark: rand() < 0.8,
    rule: rand() < 0.5,
    bandAtTop: rand() < 0.25,
    bandOpacity: 0.72 + rand() * 0.2,
    crop: rand() < 0.7 ? 'attention' : 'entropy',
  };
}

const f2 = (v: number) => (Math.round(v * 100) / 100).toString();

/** Collects the glyph outlines a card uses, each defined once and drawn with <use>. */
class GlyphDefs {
  private readonly used = new Set<number>();
  private readonly font: Font;
  constructor(font: Font) {
    this.font = font;
  }
  use(glyph: number, x: number): string {
    this.used.add(glyph);
    return `<use xlink:href="#g${glyph}" x="${Math.round(x)}"/>`;
  }
  svg(): string {
    return [...this.used].map((g) => `<path id="g${g}" d="${this.font.path(g)}"/>`).join('');
  }
}

interface DrawOptions {
  x: number;
  y: number;
  width: number;
  align: 'start' | 'center';
  colour: string;
  weight: number;
}

/** A fitted text block as SVG, its top-left at (x, y), lines aligned inside `width`. */
function drawBlock(font: Font, defs: GlyphDefs, block: TextBlock, o: DrawOptions): string {
  const scale = block.size / font.unitsPerEm;
  const bleed = (o.weight / 2) * block.size;
  const strokeUnits = o.weight * font.unitsPerEm;
  const stroke = strokeUnits > 0 ? ` stroke="${o.colour}" stroke-width="${f2(strokeUnits)}" stroke-linejoin="round"` : '';
  const lines = block.lines.map((line, i) => {
    const w = line.width * scale;
    const lx = o.align === 'center' ? o.x + (o.width - w) / 2 : line.rtl ? o.x + o.width - w - bleed : o.x + bleed;
    const ly = o.y + block.firstBaseline + i * block.lineHeight;
    return `<g transform="translate(${f2(lx)} ${f2(ly)}) scale(${scale.toFixed(5)})">${line.glyphs.map((g) => defs.use(g.glyph, g.x)).join('')}</g>`;
  });
  return `<g fill="${o.colour}"${stroke}>${lines.join('')}</g>`;
}

function gradient(look: Look): string {
  const rad = (look.angle * Math.PI) / 180;
  const dx = Math.cos(rad) / 2;
  const dy = Math.sin(rad) / 2;
  const [a, b] = look.palette.background;
  return `<linearGradient id="bg" x1="${f2(0.5 - dx)}" y1="${f2(0.5 - dy)}" x2="${f2(0.5 + dx)}" y2="${f2(0.5 + dy)}"><stop offset="0" stop-color="${a}"/><stop offset="1" stop-color="${b}"/></linearGradient>`;
}

function svgDocument(width: number, height: number, defs: string, body: string, safe: Rect): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<defs>${defs}<clipPath id="safe"><rect x="${safe.x}" y="${safe.y}" width="${safe.w}" height="${safe.h}"/></clipPath></defs>${body}</svg>`
  );
}

const upper = (s: string) => s.toLocaleUpperCase('und');

/** The attribution line, fitted to one line at a fixed size range. */
function attributionBlock(font: Font, text: string, width: number, base: number, look: Look): TextBlock | null {
  const t = cleanCardText(text).replace(/\n/g, ' ');
  if (!t) return null;
  return fitText(font, t, { maxWidth: width, maxHeight: base * 1.6, maxSize: base, minSize: Math.max(10, base * 0.6), lineHeight: 1.2, maxLines: 1, tracking: 0.02, bleed: look.weight / 2 });
}

function quoteCard(font: Font, input: CardInput, look: Look): string {
  const { width: W, height: H } = input;
  const safe = safeArea(W, H);
  const short = Math.min(W, H);
  const defs = new GlyphDefs(font);
  const parts: string[] = [`<rect width="${W}" height="${H}" fill="url(#bg)"/>`];
  const text: string[] = [];

  let top = safe.y;
  if (look.quoteMark) {
    const markSize = short * 0.32;
    const mark = fitText(font, '\u201C', { maxWidth: safe.w, maxHeight: markSize * 1.2, maxSize: markSize, minSize: markSize, lineHeight: 1 });
    text.push(drawBlock(font, defs, mark, { x: safe.x, y: top - markSize * 0.12, width: safe.w, align: look.align, colour: look.palette.accent, weight: look.weight }));
    top += markSize * 0.62;
  }
  let bottom = safe.y + safe.h;
  const attrBase = Math.max(14, short * 0.034);
  const attribution = attributionBlock(font, input.attribution, safe.w, attrBase, look);
  if (attribution) {
    bottom -= attribution.height;
    text.push(drawBlock(font, defs, attribution, { x: safe.x, y: bottom, width: safe.w, align: look.align, colour: look.palette.accent, weight: look.weight / 2 }));
    bottom -= attrBase * 1.2;
    if (look.rule) {
      const rw = safe.w * 0.14;
      const rx = look.align === 'center' ? safe.x + (safe.w - rw) / 2 : safe.x;
      parts.push(`<rect x="${f2(rx)}" y="${f2(bottom)}" width="${f2(rw)}" height="${f2(Math.max(2, short * 0.004))}" fill="${look.palette.accent}"/>`);
    }
    bottom -= attrBase * 1.2;
  }
  const body = cleanCardText(input.text);
  if (body) {
    const box = { w: safe.w, h: Math.max(10, bottom - top) };
    const block = fitText(font, body, { maxWidth: box.w, maxHeight: box.h, maxSize: short * (H > W * 1.4 ? 0.115 : 0.095), minSize: Math.max(12, short * 0.02), lineHeight: 1.28, bleed: look.weight / 2 });
    const y = top + (box.h - block.height) / 2;
    text.push(drawBlock(font, defs, block, { x: safe.x, y, width: safe.w, align: look.align, colour: look.palette.text, weight: look.weight }));
  }
  parts.push(`<g clip-path="url(#safe)">${text.join('')}</g>`);
  return svgDocument(W, H, gradient(look) + defs.svg(), parts.join(''), safe);
}

function textCard(font: Font, input: CardInput, look: Look): string {
  const { width: W, height: H } = input;
  const safe = safeArea(W, H);
  const short = Math.min(W, H);
  const defs = new GlyphDefs(font);
  const parts: string[] = [`<rect width="${W}" height="${H}" fill="url(#bg)"/>`];
  const text: string[] = [];
  const bar = { w: safe.w * 0.16, h: Math.max(4, short * 0.012) };
  const barX = look.align === 'center' ? safe.x + (safe.w - bar.w) / 2 : safe.x;
  const top = safe.y;
  let bottom = safe.y + safe.h;
  const attrBase = Math.max(14, short * 0.03);
  const attribution = attributionBlock(font, input.attribution, safe.w, attrBase, look);
  if (attribution) {
    bottom -= attribution.height;
    text.push(drawBlock(font, defs, attribution, { x: safe.x, y: bottom, width: safe.w, align: look.align, colour: look.palette.accent, weight: look.weight / 2 }));
    bottom -= attrBase * 1.5;
  }
  let body = cleanCardText(input.text);
  if (look.uppercase) body = upper(body);
  if (body) {
    const box = { w: safe.w, h: Math.max(10, bottom - top - bar.h * 4) };
    const block = fitText(font, body, { maxWidth: box.w, maxHeight: box.h, maxSize: short * 0.13, minSize: Math.max(12, short * 0.02), lineHeight: 1.15, tracking: look.uppercase ? 0.02 : 0, bleed: look.weight / 2 });
    const blockTop = top + bar.h * 4 + (box.h - block.height) / 2;
    parts.push(`<rect x="${f2(barX)}" y="${f2(blockTop - bar.h * 3)}" width="${f2(bar.w)}" height="${f2(bar.h)}" fill="${look.palette.accent}"/>`);
    text.push(drawBlock(font, defs, block, { x: safe.x, y: blockTop, width: safe.w, align: look.align, colour: look.palette.text, weight: look.weight }));
  } else {
    parts.push(`<rect x="${f2(barX)}" y="${f2(top + (bottom - top) / 2)}" width="${f2(bar.w)}" height="${f2(bar.h)}" fill="${look.palette.accent}"/>`);
  }
  parts.push(`<g clip-path="url(#safe)">${text.join('')}</g>`);
  return svgDocument(W, H, gradient(look) + defs.svg(), parts.join(''), safe);
}

/** The caption band over a photo: a translucent strip with the caption and attribution, as an
 * SVG of the band's own size and its top row on the card (null: nothing to write). */
function captionOverlay(font: Font, input: CardInput, look: Look): { svg: string; top: number } | null {
  const { width: W, height: H } = input;
  const safe = safeArea(W, H);
  const short = Math.min(W, H);
  const defs = new GlyphDefs(font);
  const pad = short * 0.04;
  const attrBase = Math.max(12, short * 0.026);
  const attribution = attributionBlock(font, input.attribution, safe.w, attrBase, look);
  const attrHeight = attribution ? attribution.height + attrBase * 0.8 : 0;
  const body = cleanCardText(input.text);
  const maxContent = H * 0.36 - pad - safe.y;
  const block = body
    ? fitText(font, body, { maxWidth: safe.w, maxHeight: Math.max(10, maxContent - attrHeight), maxSize: short * 0.055, minSize: Math.max(12, short * 0.02), lineHeight: 1.25, bleed: look.weight / 2 })
    : null;
  const contentHeight = (block?.height ?? 0) + attrHeight;
  if (contentHeight === 0) return null;
  // The band runs from the card's edge (where the safe margin is) to `pad` past the text.
  const bandHeight = Math.min(H, Math.ceil(contentHeight + pad + safe.y));
  const bandY = look.bandAtTop ? 0 : H - bandHeight;
  const contentTop = look.bandAtTop ? safe.y : bandY + pad;
  const text: string[] = [];
  if (block) text.push(drawBlock(font, defs, block, { x: safe.x, y: contentTop, width: safe.w, align: look.align, colour: look.palette.text, weight: look.weight }));
  if (attribution) {
    text.push(drawBlock(font, defs, attribution, { x: safe.x, y: contentTop + (block?.height ?? 0) + attrBase * 0.8, width: safe.w, align: look.align, colour: look.palette.accent, weight: look.weight / 2 }));
  }
  const band = `<rect width="${W}" height="${bandHeight}" fill="${look.palette.background[0]}" fill-opacity="${f2(look.bandOpacity)}"/>`;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${W}" height="${bandHeight}" viewBox="0 0 ${W} ${bandHeight}">` +
    `<defs>${defs.svg()}<clipPath id="safe"><rect x="${safe.x}" y="${safe.y}" width="${safe.w}" height="${safe.h}"/></clipPath></defs>` +
    `${band}<g transform="translate(0 ${-bandY})"><g clip-path="url(#safe)">${text.join('')}</g></g></svg>`;
  return { svg, top: bandY };
}

/**
 * The photo cropped to width × height around its most salient part. The crop is found on a
 * small copy (the saliency pass costs in proportion to its pixels) and applied at full size.
 */
async function croppedPhoto(photo: Buffer, width: number, height: number, strategy: Look['crop']): Promise<Sharp> {
  const meta = await sharp(photo, { limitInputPixels: 100_000_000 }).rotate().metadata();
  const swap = (meta.orientation ?? 1) >= 5;
  const sw = (swap ? meta.height : meta.width) ?? width;
  const sh = (swap ? meta.width : meta.height) ?? height;
  const cover = Math.max(width / sw, height / sh);
  const fullW = Math.max(width, Math.round(sw * cover));
  const fullH = Math.max(height, Math.round(sh * cover));
  const probe = Math.min(1, 320 / Math.max(width, height));
  const pw = Math.max(1, Math.round(width * probe));
  const ph = Math.max(1, Math.round(height * probe));
  const { info } = await sharp(photo, { limitInputPixels: 100_000_000 })
    .rotate()
    .resize(pw, ph, { fit: 'cover', position: strategy === 'attention' ? sharp.strategy.attention : sharp.strategy.entropy })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const k = cover / Math.max(pw / sw, ph / sh);
  const left = Math.min(fullW - width, Math.max(0, Math.round(Math.abs(info.cropOffsetLeft ?? 0) * k)));
  const top = Math.min(fullH - height, Math.max(0, Math.round(Math.abs(info.cropOffsetTop ?? 0) * k)));
  return sharp(photo, { limitInputPixels: 100_000_000 }).rotate().resize(fullW, fullH, { fit: 'fill' }).extract({ left, top, width, height });
}

export interface RenderedCard {
  png: Buffer;
  /** The preset the card was drawn in (the one asked for, or the seed's pick). */
  style: CardStyle;
}

/** Renders one card as PNG bytes of exactly input.width × input.height. */
export async function renderCard(input: CardInput): Promise<RenderedCard> {
  const font = cardFont();
  const look = pickLook(input.style, input.seed);
  return { png: await draw(font, input, look), style: look.style };
}

async function draw(font: Font, input: CardInput, look: Look): Promise<Buffer> {
  if (input.layout === 'photo-caption') {
    if (!input.photo) throw new Error('a photo-caption card needs a photo');
    const overlay = captionOverlay(font, input, look);
    const base = (await croppedPhoto(input.photo, input.width, input.height, look.crop)).flatten({ background: '#ffffff' });
    // zlib level 1: a photo's PNG is ~8 % larger than at level 6 and encodes ~25 % faster.
    return (overlay ? base.composite([{ input: Buffer.from(overlay.svg), top: overlay.top, left: 0 }]) : base).png({ compressionLevel: 1, adaptiveFiltering: false }).toBuffer();
  }
  const png = { compressionLevel: 6, adaptiveFiltering: false } as const;
  const svg = input.layout === 'quote' ? quoteCard(font, input, look) : textCard(font, input, look);
  return sharp(Buffer.from(svg)).flatten({ background: look.palette.background[0] }).png(png).toBuffer();
}
