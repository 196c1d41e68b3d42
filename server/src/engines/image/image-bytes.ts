// Image bytes an engine returned as base64: decoded and their type read from the magic bytes, not
// trusted from a label (A1111 encodes in its `samples_format` setting — PNG, JPEG or WebP — and
// says nothing about it; OpenAI-compatible servers may ignore `output_format`). Bytes that are
// not an image of a known type are `null`, which the adapter reports as `invalid_output`.

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/webp';

/** The image type from the first bytes, or null. */
export function sniffImageMime(data: Buffer): ImageMime | null {
  if (data.length >= 8 && data.readUInt32BE(0) === 0x89504e47 && data.readUInt32BE(4) === 0x0d0a1a0a) return 'image/png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 12 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes a base64 image (a bare string or a `data:image/…;base64,` URL) and reads its type.
 * null when the text is not base64 or the bytes are not a PNG, JPEG or WebP image.
 */
export function decodeBase64Image(text: string): { data: Buffer; mime: ImageMime } | null {
  const comma = text.startsWith('data:') ? text.indexOf(',') : -1;
  const b64 = (comma >= 0 ? text.slice(comma + 1) : text).replace(/\s+/g, '');
  if (!b64 || !BASE64.test(b64)) return null;
  const data = Buffer.from(b64, 'base64');
  const mime = sniffImageMime(data);
  return mime ? { data, mime } : null;
}
