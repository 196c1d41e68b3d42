// Generated images and media for the media-utility tests (no binary fixtures in the repo).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';

const W = 480;
const H = 360;

/** Varied, structured images: gradients, shapes and text cards (SVG rendered by sharp). */
export const cardSvgs: Record<string, string> = {
  'gradient-lr': `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><defs><linearGradient id="g"><stop offset="0" stop-color="#102040"/><stop offset="1" stop-color="#f0c060"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`,
  'gradient-diagonal': `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#601010"/><stop offset="0.5" stop-color="#e0e0ff"/><stop offset="1" stop-color="#104010"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`,
  'gradient-radial': `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><defs><radialGradient id="g" cx="0.3" cy="0.6" r="0.7"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#203"/></radialGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`,
  shapes: `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#eee"/><circle cx="120" cy="120" r="80" fill="#c22"/><rect x="260" y="160" width="180" height="150" fill="#226"/><polygon points="60,330 200,220 240,340" fill="#2a4"/></svg>`,
  stripes: `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#fff"/>${Array.from({ length: 6 }, (_, i) => `<rect x="${i * 80}" y="0" width="40" height="${H}" fill="#333"/>`).join('')}</svg>`,
  checker: `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#fff"/>${Array.from({ length: 4 * 3 }, (_, i) => ((i % 4) + Math.floor(i / 4)) % 2 ? `<rect x="${(i % 4) * 120}" y="${Math.floor(i / 4) * 120}" width="120" height="120" fill="#111"/>` : '').join('')}</svg>`,
  'text-hello': `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#fdf6e3"/><text x="30" y="150" font-family="sans-serif" font-size="90" font-weight="bold" fill="#073642">Hello</text><text x="30" y="280" font-family="sans-serif" font-size="60" fill="#b58900">world!</text></svg>`,
  'text-menu': `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#222"/><text x="40" y="90" font-family="serif" font-size="48" fill="#fff">Today's menu</text><text x="40" y="190" font-family="serif" font-size="36" fill="#f96">Soup · Bread</text><text x="40" y="290" font-family="serif" font-size="36" fill="#9cf">Cake · Tea</text></svg>`,
  diagonal: `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#4af"/><polygon points="0,0 ${W},0 0,${H}" fill="#fa4"/><circle cx="360" cy="260" r="60" fill="#fff"/></svg>`,
};

export function renderSvg(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Tiles of the sample photo sheet shipped with the face model (real photographs). */
export async function samplePhotos(): Promise<Buffer[]> {
  const require = createRequire(import.meta.url);
  // The package's exports map does not expose package.json; its main entry lives in dist/.
  const root = path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..');
  const sheet = sharp(path.join(root, 'assets', 'samples.jpg'));
  const { width = 0, height = 0 } = await sheet.metadata();
  const cols = 4;
  const rows = 3;
  const tw = Math.floor(width / cols);
  const th = Math.floor(height / rows);
  const out: Buffer[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out.push(await sharp(path.join(root, 'assets', 'samples.jpg')).extract({ left: c * tw, top: r * th, width: tw, height: th }).png().toBuffer());
    }
  }
  return out;
}

/** Variants a user might re-upload: each should stay a near-duplicate of the original. */
export async function nearVariants(original: Buffer): Promise<Record<string, Buffer>> {
  const { width = 0, height = 0 } = await sharp(original).metadata();
  // Removes the fraction f of the width and height, split between two sides (left/right and top/bottom: 'centre'),
  // or all from the right and bottom ('corner', which also shifts the content).
  const crop = (f: number, where: 'centre' | 'corner') => {
    const dx = Math.round(width * f);
    const dy = Math.round(height * f);
    const left = where === 'centre' ? Math.round(dx / 2) : 0;
    const top = where === 'centre' ? Math.round(dy / 2) : 0;
    return sharp(original).extract({ left, top, width: width - dx, height: height - dy }).png().toBuffer();
  };
  return {
    'png re-encode': await sharp(original).png({ compressionLevel: 9 }).toBuffer(),
    'resized 50%': await sharp(original).resize(Math.round(width / 2)).png().toBuffer(),
    'jpeg q70': await sharp(original).jpeg({ quality: 70 }).toBuffer(),
    'cropped 2% (centre)': await crop(0.02, 'centre'),
    'cropped 5% (centre)': await crop(0.05, 'centre'),
    'cropped 3% (corner)': await crop(0.03, 'corner'),
    'brightness +10%': await sharp(original).modulate({ brightness: 1.1 }).png().toBuffer(),
    'webp q60 + resize 75%': await sharp(original).resize(Math.round(width * 0.75)).webp({ quality: 60 }).toBuffer(),
  };
}

/** Runs a binary with an args array; resolves with stderr, rejects with it on failure. */
export function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(err) : reject(new Error(`${bin} exited ${code}: ${err.slice(-2000)}`))));
  });
}
