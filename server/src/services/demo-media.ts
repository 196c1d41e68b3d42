// Images for the demo account, made on the spot: nothing binary is committed and nothing is
// downloaded.
// - Faces: crops of the sample screenshot that ships inside the `@vladmandic/human` npm package
//   (the face model we already depend on), `assets/screenshot-facematch.jpg`: a grid of ~107-px
//   face tiles; the first row is one man in several photos, the other rows are other people.
//   The tests of the vision engine use the same crops.
// - Quote cards: SVG text cards rendered by sharp, as the card compositor would make them.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';

const TILE = 1920 / 18; // pitch of the "Extracted Faces" grid
const ROW_TOP = [284, 394, 504, 614, 724, 834]; // rows 1–6

let sheet: Promise<Buffer> | null = null;
function facematch(): Promise<Buffer> {
  sheet ??= (async () => {
    const require = createRequire(import.meta.url);
    // The package's exports map hides package.json; its main entry lives in dist/.
    const root = path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..');
    return readFile(path.join(root, 'assets', 'screenshot-facematch.jpg'));
  })();
  return sheet;
}

interface CropOptions {
  scale: number;
  pad: number;
  mirror?: boolean;
  brightness?: number;
  tint?: { r: number; g: number; b: number };
  background?: string;
}

async function crop(left: number, top: number, width: number, height: number, o: CropOptions): Promise<Buffer> {
  let img = sharp(await facematch())
    .extract({ left: Math.round(left), top: Math.round(top), width: Math.round(width), height: Math.round(height) })
    .resize(Math.round(width * o.scale));
  if (o.mirror) img = img.flop();
  if (o.brightness) img = img.modulate({ brightness: o.brightness });
  if (o.tint) img = img.tint(o.tint);
  return img
    .extend({ top: o.pad, bottom: o.pad, left: o.pad, right: o.pad, background: o.background ?? '#101010' })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** Face tile `i` (0-based) of row `row` (1-based). */
export function faceTile(row: number, i: number, o: CropOptions = { scale: 2, pad: 40 }): Promise<Buffer> {
  return crop(i * TILE + 1, ROW_TOP[row - 1], TILE - 3, 104, o);
}

/** The large "Selected Face" at the top left (the man of row 1), with some of its surroundings. */
export function selectedFace(o: CropOptions = { scale: 2, pad: 0 }): Promise<Buffer> {
  return crop(0, 0, 300, 260, o);
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** Greedy line wrap for the card text. */
function wrap(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && (line + ' ' + word).length > maxChars) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** A 1080×1350 quote card (PNG): gradient, the quote, the handle. */
export function quoteCard(quote: string, handle: string, colours: { from: string; to: string; text: string; accent: string }): Promise<Buffer> {
  const lines = wrap(quote, 22);
  const lineHeight = 96;
  const top = 675 - ((lines.length - 1) * lineHeight) / 2;
  const text = lines
    .map((l, i) => `<text x="540" y="${top + i * lineHeight}" font-family="DejaVu Serif, serif" font-size="76" font-weight="bold" fill="${colours.text}" text-anchor="middle">${escapeXml(l)}</text>`)
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="1080" height="1350">` +
    `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${colours.from}"/><stop offset="1" stop-color="${colours.to}"/></linearGradient></defs>` +
    `<rect width="100%" height="100%" fill="url(#g)"/>` +
    `<text x="540" y="${top - 150}" font-family="DejaVu Serif, serif" font-size="160" fill="${colours.accent}" text-anchor="middle">“</text>` +
    text +
    `<rect x="440" y="${top + lines.length * lineHeight + 10}" width="200" height="6" fill="${colours.accent}"/>` +
    `<text x="540" y="1250" font-family="DejaVu Sans, sans-serif" font-size="40" fill="${colours.text}" text-anchor="middle">@${escapeXml(handle)}</text>` +
    `</svg>`;
  return sharp(Buffer.from(svg)).png({ compressionLevel: 9 }).toBuffer();
}
