// Content hashes for the media vault: sha256 for exact duplicates, a 64-bit DCT perceptual
// hash (pHash) for near-duplicates.
//
// pHash: the image, EXIF orientation applied and flattened on white, is reduced to 32×32
// greyscale; a 2-D DCT-II is taken and its top-left 8×8 block (the lowest frequencies) kept.
// The DC term (mean brightness) is left out: the median is taken over the 63 AC terms and
// each AC bit is 1 when its coefficient is above it; the DC bit is always 0. The 64 bits are
// returned as 16 hex characters, most significant bit first, row-major over the block.
// (phash.org instead keeps coefficients 1..8 × 1..8, dropping the whole first row and
// column; that makes any image whose variation is purely horizontal or vertical hash flat.)
//
// Threshold (measured by test/media.test.ts, which prints its numbers, on 12 tiles of the
// sample photo sheet shipped in @vladmandic/human and on generated SVG cards):
//   - the same image re-encoded as PNG, resized 50 %, JPEG q70, WebP q60 at 75 %, cropped
//     2 % or 5 % about the centre, cropped 3 % from one corner, brightness +10 %: 0–10 bits
//     (photos: 0–10, median 0; 10 only for a 3 % corner crop, which also shifts the content);
//   - unrelated images: 22–44 bits, median 31 over 136 pairs (random hashes average 32).
// A maximum distance of 10 (≈ 15 % of the bits, the value most pHash deployments use)
// separates the two groups. Raising it would start to flag different shots of one scene,
// which a character's generated series produces on purpose; lowering it misses crops.
//
// Low-information images: a flat image (solid colour) has no AC energy, so its hash is
// FLAT_HASH; an image whose structure is one-dimensional or highly symmetric (a plain
// gradient, stripes, a checkerboard) leaves most of the 63 AC coefficients at zero and its
// hash has few bits set. Such hashes sit within a few bits of each other whatever the
// colours (measured: 1–15 bits between a gradient, stripes and a checkerboard), so
// isNearDuplicate never flags a hash with fewer than LOW_INFORMATION_BITS bits set. Exact
// copies of them are still caught by sha256.
//
// Videos: hash the poster frame (ffmpeg.ts posterFrame → perceptualHash). That catches a
// re-upload or re-encode of the same clip, not a different cut of it; good enough for the
// vault's "no duplicate posts" check.
import { createHash } from 'node:crypto';
import sharp, { type Sharp } from 'sharp';
import { fromDecoded, type DecodedImage } from './image.ts';

export const FLAT_HASH = '0000000000000000';
const DEFAULT_MAX_DISTANCE = 10;
/** A median split of 63 coefficients sets ~31 bits; fewer than this means most were zero. */
const LOW_INFORMATION_BITS = 16;

const SIZE = 32;
const BLOCK = 8;

export function sha256(data: Buffer | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

// cos((2x+1)uπ / 2N) for u = 0..BLOCK-1, x = 0..SIZE-1.
const COS: Float64Array[] = Array.from({ length: BLOCK }, (_, u) => {
  const row = new Float64Array(SIZE);
  for (let x = 0; x < SIZE; x++) row[x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * SIZE));
  return row;
});

// Coefficients smaller than this are treated as 0. For scale: a one-grey-level step between
// the two halves of the 32×32 image gives a first-order coefficient of ~330, while encoder
// noise on a flat image (WebP q60) stays in the tens. Without the floor, a flat image's hash
// would be decided by that noise.
const NOISE_FLOOR = 64;

/** The 64-bit pHash of an image (any format sharp reads) as 16 hex characters. */
export async function perceptualHash(image: Buffer | Uint8Array, opts: { limitInputPixels?: number } = {}): Promise<string> {
  return hashOf(sharp(image, { limitInputPixels: opts.limitInputPixels ?? 100_000_000 }).rotate().flatten({ background: '#ffffff' }));
}

/**
 * The same hash from pixels ingest already decoded (media/image.ts). Decoded at ≥ 256 px, the
 * 32×32 reduction differs from a full decode's by rounding only (0–2 bits measured in
 * test/media.test.ts), far inside the near-duplicate distance.
 */
export function perceptualHashOfPixels(pixels: DecodedImage): Promise<string> {
  return hashOf(fromDecoded(pixels));
}

async function hashOf(pipeline: Sharp): Promise<string> {
  const { data, info } = await pipeline.greyscale().resize(SIZE, SIZE, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  const channels = info.channels;
  const pixels = new Float64Array(SIZE * SIZE);
  for (let i = 0; i < SIZE * SIZE; i++) pixels[i] = data[i * channels]!;
  return hashFromGrey(pixels);
}

/** pHash of a 32×32 row-major greyscale image (exported for tests and other decoders). */
function hashFromGrey(pixels: Float64Array): string {
  if (pixels.length !== SIZE * SIZE) throw new Error(`expected ${SIZE * SIZE} pixels, got ${pixels.length}`);
  // Separable DCT-II: rows first (keep the 8 lowest frequencies of each row), then columns.
  const rows = new Float64Array(SIZE * BLOCK); // [y][u]
  for (let y = 0; y < SIZE; y++) {
    for (let u = 0; u < BLOCK; u++) {
      const c = COS[u]!;
      let s = 0;
      for (let x = 0; x < SIZE; x++) s += pixels[y * SIZE + x]! * c[x]!;
      rows[y * BLOCK + u] = s;
    }
  }
  const coeffs = new Float64Array(BLOCK * BLOCK); // [v][u]
  for (let v = 0; v < BLOCK; v++) {
    const c = COS[v]!;
    for (let u = 0; u < BLOCK; u++) {
      let s = 0;
      for (let y = 0; y < SIZE; y++) s += rows[y * BLOCK + u]! * c[y]!;
      coeffs[v * BLOCK + u] = Math.abs(s) < NOISE_FLOOR ? 0 : s;
    }
  }
  // The DC term (mean brightness) is left out of the median and its bit is always 0.
  const ac = Array.from(coeffs.subarray(1)).sort((a, b) => a - b);
  const median = ac[31]!; // 63 values
  let hex = '';
  for (let i = 0; i < 64; i += 4) {
    let nibble = 0;
    for (let b = 0; b < 4; b++) nibble = (nibble << 1) | (i + b > 0 && coeffs[i + b]! > median ? 1 : 0);
    hex += nibble.toString(16);
  }
  return hex;
}

const HEX = /^[0-9a-f]{16}$/i;

function popcount(hex: string): number {
  let n = 0;
  for (const ch of hex) {
    let x = parseInt(ch, 16);
    while (x) {
      n += x & 1;
      x >>= 1;
    }
  }
  return n;
}

/** Number of differing bits between two 16-hex-character hashes (0..64). */
export function hammingDistance(a: string, b: string): number {
  if (!HEX.test(a)) throw new Error(`not a 64-bit hex hash: ${JSON.stringify(a)}`);
  if (!HEX.test(b)) throw new Error(`not a 64-bit hex hash: ${JSON.stringify(b)}`);
  let d = 0;
  for (let i = 0; i < 16; i++) d += popcount((parseInt(a[i]!, 16) ^ parseInt(b[i]!, 16)).toString(16));
  return d;
}

/** True for flat or nearly structureless images, whose hashes cannot tell them apart. */
export function isLowInformation(hash: string): boolean {
  if (!HEX.test(hash)) throw new Error(`not a 64-bit hex hash: ${JSON.stringify(hash)}`);
  return popcount(hash) < LOW_INFORMATION_BITS;
}

/** True when two perceptual hashes are within maxDistance bits (never for low-information hashes). */
export function isNearDuplicate(a: string, b: string, maxDistance = DEFAULT_MAX_DISTANCE): boolean {
  const d = hammingDistance(a, b);
  if (isLowInformation(a) || isLowInformation(b)) return false;
  return d <= maxDistance;
}

/**
 * The candidate nearest to `hash` among those isNearDuplicate flags (ties: the first listed), or
 * null when none is.
 */
export function nearestDuplicate(hash: string, candidates: Iterable<{ id: string; phash: string | null }>): string | null {
  let best = Infinity;
  let id: string | null = null;
  for (const c of candidates) {
    if (!c.phash || !isNearDuplicate(hash, c.phash)) continue;
    const d = hammingDistance(hash, c.phash);
    if (d < best) { best = d; id = c.id; }
  }
  return id;
}

// Indexed near-duplicate lookup (multi-index hashing): the 64 bits are cut into 4 bands of 16.
// Two hashes within distance d differ in some band by at most ⌊d / 4⌋ bits (pigeonhole), so the
// candidates for a hash are the rows sharing one of the band values within ⌊10 / 4⌋ = 2 bits of
// its own: 4 × (1 + 16 + 120) = 548 index keys. (One band per allowed bit plus one, exact
// matches only, would need 11 bands of ~6 bits: a random hash would share one with ~16 % of the
// vault; here ~0.8 %.) Band i is stored as i·65536 + value, so bands never match across positions.
const BAND_BITS = 16;
const BANDS = 64 / BAND_BITS;

/** The pHash's 4 bands, as stored in assets.phash_bands. */
export function phashBands(hash: string): number[] {
  if (!HEX.test(hash)) throw new Error(`not a 64-bit hex hash: ${JSON.stringify(hash)}`);
  return Array.from({ length: BANDS }, (_, i) => i * 65536 + parseInt(hash.slice(i * 4, i * 4 + 4), 16));
}

/** Every band value a hash within `maxDistance` of `hash` must share at least one of. */
export function phashBandProbes(hash: string, maxDistance = DEFAULT_MAX_DISTANCE): number[] {
  const radius = Math.floor(maxDistance / BANDS);
  const probes: number[] = [];
  phashBands(hash).forEach((band, i) => {
    const value = band - i * 65536;
    const flip = (v: number, from: number, left: number) => {
      probes.push(i * 65536 + v);
      if (left === 0) return;
      for (let b = from; b < BAND_BITS; b++) flip(v ^ (1 << b), b + 1, left - 1);
    };
    flip(value, 0, radius);
  });
  return probes;
}
