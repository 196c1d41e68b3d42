// One decode per image. Ingest needs the pixels of an image four times — the NSFW classifier
// (224×224), face detection (≤ 1024 px long side), the perceptual hash (32×32 grey) and the
// vault thumbnail — and decoding a 1080×1350 JPEG costs ~30 ms of one core each time. The
// pipeline therefore decodes once, to packed 8-bit RGB at most `maxSide` pixels on the long
// side (libjpeg's shrink-on-load makes a downscaled decode cheaper than a full one), and
// derives everything from those pixels.
import sharp, { type Sharp } from 'sharp';
import { UnsupportedMediaError } from '../errors.ts';

/**
 * Packed 8-bit RGB pixels (EXIF orientation applied, alpha flattened onto white, first frame of
 * an animation), possibly downscaled from a source of `sourceWidth` × `sourceHeight` (oriented).
 */
export interface DecodedImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
}

export function isDecodedImage(x: unknown): x is DecodedImage {
  return typeof x === 'object' && x !== null && !Buffer.isBuffer(x) && (x as DecodedImage).data instanceof Uint8Array;
}

/** Decodes any image sharp reads, fitting it inside maxSide × maxSide (never enlarged). */
export async function decodeImage(image: Buffer | Uint8Array, maxSide: number, opts: { limitInputPixels?: number } = {}): Promise<DecodedImage> {
  try {
    const input = sharp(image, { limitInputPixels: opts.limitInputPixels ?? 100_000_000 });
    const meta = await input.metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
    const swap = (meta.orientation ?? 1) >= 5;
    const sourceWidth = swap ? meta.height : meta.width;
    const sourceHeight = swap ? meta.width : meta.height;
    let pipeline = input.rotate().flatten({ background: '#ffffff' });
    if (Math.max(sourceWidth, sourceHeight) > maxSide) pipeline = pipeline.resize(maxSide, maxSide, { fit: 'inside' });
    const { data, info } = await pipeline.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, sourceWidth, sourceHeight };
  } catch (err) {
    throw new UnsupportedMediaError(`The image could not be read (${(err as Error).message}).`);
  }
}

/** A sharp pipeline reading decoded pixels (for resizes and encodes without a second decode). */
export function fromDecoded(img: DecodedImage): Sharp {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
}

/** The pixels fitted inside maxSide × maxSide (never enlarged), still RGB, same source size. */
export async function downscale(img: DecodedImage, maxSide: number): Promise<DecodedImage> {
  if (Math.max(img.width, img.height) <= maxSide) return img;
  const { data, info } = await fromDecoded(img).resize(maxSide, maxSide, { fit: 'inside' }).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, sourceWidth: img.sourceWidth, sourceHeight: img.sourceHeight };
}
