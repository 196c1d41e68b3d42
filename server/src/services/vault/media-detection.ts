// What kind of media an uploaded file is, judged from its content (never its name or the
// client's MIME type): JPEG, PNG or WebP stills through sharp; MP4/MOV/WebM video and
// MP3/WAV/M4A/OGG audio through ffprobe. Anything else is refused with a message that says
// what to upload instead.
import sharp, { type Metadata } from 'sharp';
import { UnsupportedMediaError, UserError } from '../../errors.ts';
import { probe, type MediaTools } from '../../media/ffmpeg.ts';

/** Largest still the vault decodes (sharp's limitInputPixels). */
export const MAX_PIXELS = 80_000_000;

export type DetectedMedia = { kind: 'image' | 'video' | 'audio'; mimeType: string; width: number | null; height: number | null; durationSeconds: number | null; ext: string };

export const imageFormats: Record<string, { mime: string; ext: string }> = {
  jpeg: { mime: 'image/jpeg', ext: 'jpg' }, png: { mime: 'image/png', ext: 'png' }, webp: { mime: 'image/webp', ext: 'webp' },
};

/**
 * What `file` is, from its content: sharp reads an image's header (never decoding it), ffprobe
 * everything else. An image over MAX_PIXELS (e.g. a decompression bomb: a small file declaring
 * 100,000 × 100,000 pixels) is refused as too large before anything decodes it.
 */
export async function detectMedia(file: { filename: string; path: string }, tools: MediaTools): Promise<DetectedMedia> {
  let meta: Metadata | null;
  try {
    // Header only (nothing is decoded), so no pixel limit here: the size is checked below and the
    // message says "too large" rather than sharp's "exceeds pixel limit" being read as unreadable.
    meta = await sharp(file.path, { limitInputPixels: false }).metadata();
  } catch {
    meta = null; // not an image sharp knows: ask ffprobe
  }
  if (meta?.format) {
    const f = imageFormats[meta.format];
    if (f && (meta.pages ?? 1) === 1) {
      const width = meta.width ?? 0;
      const height = meta.height ?? 0;
      if (width * height > MAX_PIXELS) {
        throw new UserError(413, 'image_too_large', `"${file.filename}" is too large: ${width} × ${height} pixels; images may have at most ${MAX_PIXELS / 1_000_000} megapixels.`);
      }
      return { kind: 'image', mimeType: f.mime, width: meta.width ?? null, height: meta.height ?? null, durationSeconds: null, ext: f.ext };
    }
    if (!f && meta.format !== 'gif') {
      throw new UnsupportedMediaError(`"${file.filename}" is a ${meta.format} image; upload JPEG, PNG or WebP images, or MP4/WebM/MOV videos, or MP3/WAV/M4A/OGG audio.`);
    }
  }
  let p;
  try {
    p = await probe(file.path, { tools });
  } catch {
    throw new UnsupportedMediaError(`"${file.filename}" is not an image, video or audio file we can read.`);
  }
  if (p.kind === 'video') {
    const ext = /mp4|mov|m4a|3gp/.test(p.formatName ?? '') ? 'mp4' : /webm|matroska/.test(p.formatName ?? '') ? 'webm' : null;
    if (!ext) throw new UnsupportedMediaError(`"${file.filename}" is a ${p.formatName} video; upload MP4, MOV or WebM.`);
    return { kind: 'video', mimeType: ext === 'mp4' ? 'video/mp4' : 'video/webm', width: p.width, height: p.height, durationSeconds: p.durationSeconds, ext };
  }
  if (p.kind === 'audio') {
    const fmt = p.formatName ?? '';
    const [mimeType, ext] = /mp3/.test(fmt) ? ['audio/mpeg', 'mp3'] : /wav/.test(fmt) ? ['audio/wav', 'wav'] : /ogg/.test(fmt) ? ['audio/ogg', 'ogg'] : /mp4|m4a|mov/.test(fmt) ? ['audio/mp4', 'm4a'] : [null, null];
    if (!mimeType || !ext) throw new UnsupportedMediaError(`"${file.filename}" is a ${fmt} audio file; upload MP3, WAV, M4A or OGG.`);
    return { kind: 'audio', mimeType, width: null, height: null, durationSeconds: p.durationSeconds, ext };
  }
  throw new UnsupportedMediaError(`"${file.filename}" is not an image, video or audio file we can read.`);
}
