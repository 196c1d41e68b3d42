// Reference photos: validated by content (not by extension or client MIME type), re-encoded
// so EXIF/GPS and every other metadata block are gone before anything is stored, then
// thumbnailed by a job.
import { createHash, randomUUID } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import { ConflictError, NotFoundError, UnsupportedMediaError, UserError } from '../errors.ts';
import type { EventBus } from '../infra/events.ts';
import type { Queue } from '../infra/queue.ts';
import { StorageNotFoundError, type Storage } from '../infra/storage/storage.ts';
import { JobName, type JobResult } from '../jobs/jobs.ts';
import type { CharacterRepository } from '../repositories/character.repository.ts';
import type { ReferencePhotoRepository, ReferencePhotoRow } from '../repositories/reference-photo.repository.ts';
import { photoUrls } from './character.service.ts';
import { largestFace, type VisionEngine } from '../engines/vision/vision.ts';

const formats = {
  jpeg: { mime: 'image/jpeg', ext: 'jpg' },
  png: { mime: 'image/png', ext: 'png' },
  webp: { mime: 'image/webp', ext: 'webp' },
} as const;

export const MAX_PHOTOS_PER_CHARACTER = 50;
const MAX_PIXELS = 50_000_000;
const THUMB_SIZE = 320;

export interface UploadedFile { filename: string; data: Buffer }

export function toPhotoDto(r: ReferencePhotoRow) {
  const urls = photoUrls(r.id);
  return {
    id: r.id, characterId: r.characterId, status: r.status, mimeType: r.mimeType,
    width: r.width, height: r.height, bytes: r.bytes, originalName: r.originalName,
    url: urls.url, thumbnailUrl: r.status === 'ready' ? urls.thumbnailUrl : null,
    error: r.error, faceCount: r.faceCount,
    faces: r.faceCount === null ? null : r.faceCount === 0 ? 'none' as const : r.faceCount === 1 ? 'one' as const : 'several' as const,
    createdAt: r.createdAt.toISOString(),
  };
}

/** Decodes and re-encodes one image; throws a UserError a person can act on. */
export async function sanitizeImage(file: UploadedFile) {
  let meta: Metadata;
  try {
    meta = await sharp(file.data, { limitInputPixels: MAX_PIXELS }).metadata();
  } catch {
    throw new UnsupportedMediaError(`"${file.filename}" is not a JPEG, PNG or WebP image (its content could not be read as one).`);
  }
  const fmt = meta.format && meta.format in formats ? formats[meta.format as keyof typeof formats] : null;
  if (!fmt) {
    throw new UnsupportedMediaError(`"${file.filename}" is a ${meta.format ?? 'unknown'} file; upload JPEG, PNG or WebP images.`);
  }
  if ((meta.pages ?? 1) > 1) throw new UnsupportedMediaError(`"${file.filename}" is animated; upload a still photo.`);
  if (!meta.width || !meta.height || meta.width < 64 || meta.height < 64) {
    throw new UserError(400, 'image_too_small', `"${file.filename}" is too small (${meta.width}×${meta.height}); use a photo at least 64×64 pixels.`);
  }
  try {
    // rotate() bakes the EXIF orientation into the pixels; sharp writes no metadata unless asked.
    const pipeline = sharp(file.data, { limitInputPixels: MAX_PIXELS }).rotate();
    const out =
      fmt.ext === 'jpg' ? pipeline.jpeg({ quality: 92 })
      : fmt.ext === 'png' ? pipeline.png({ compressionLevel: 8 })
      : pipeline.webp({ quality: 92 });
    const { data, info } = await out.toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, ...fmt };
  } catch {
    throw new UnsupportedMediaError(`"${file.filename}" looks like an image but is damaged and could not be decoded.`);
  }
}

export class ReferencePhotoService {
  private readonly photos: ReferencePhotoRepository;
  private readonly characters: CharacterRepository;
  private readonly storage: Storage;
  private readonly queue: Queue;
  private readonly events: EventBus;
  private readonly vision: VisionEngine | null;

  constructor(deps: { photos: ReferencePhotoRepository; characters: CharacterRepository; storage: Storage; queue: Queue; events: EventBus; vision?: VisionEngine | null }) {
    this.vision = deps.vision ?? null;
    this.photos = deps.photos;
    this.characters = deps.characters;
    this.storage = deps.storage;
    this.queue = deps.queue;
    this.events = deps.events;
  }

  async list(userId: string, characterId: string) {
    await this.requireCharacter(userId, characterId);
    return (await this.photos.listForCharacter(userId, characterId)).map(toPhotoDto);
  }

  /** Validates every file first, so a bad file in a batch stores nothing at all. */
  async upload(userId: string, characterId: string, files: UploadedFile[]) {
    await this.requireCharacter(userId, characterId);
    if (files.length === 0) throw new UserError(400, 'no_files', 'Choose at least one photo to upload.');
    const existing = await this.photos.listForCharacter(userId, characterId);
    if (existing.length + files.length > MAX_PHOTOS_PER_CHARACTER) {
      throw new UserError(400, 'too_many_photos', `A character can have at most ${MAX_PHOTOS_PER_CHARACTER} reference photos (it has ${existing.length}).`);
    }
    const prepared = [];
    const seen = new Set(existing.map((p) => p.sha256));
    for (const file of files) {
      const img = await sanitizeImage(file);
      const sha256 = createHash('sha256').update(img.data).digest('hex');
      if (seen.has(sha256)) throw new ConflictError(`"${file.filename}" is already among this character's photos.`, { file: file.filename });
      seen.add(sha256);
      prepared.push({ file, img, sha256 });
    }
    const created: ReferencePhotoRow[] = [];
    for (const { file, img, sha256 } of prepared) {
      const id = randomUUID();
      const storageKey = `users/${userId}/characters/${characterId}/photos/${id}.${img.ext}`;
      await this.storage.put(storageKey, img.data, img.mime);
      try {
        created.push(await this.photos.insert({
          id, userId, characterId, storageKey, mimeType: img.mime, width: img.width, height: img.height,
          bytes: img.data.length, sha256, originalName: file.filename.slice(0, 200),
        }));
      } catch (err) {
        await this.storage.delete(storageKey);
        throw err;
      }
      await this.queue.send(JobName.ReferencePhotoThumbnail, { photoId: id }, { singletonKey: id });
    }
    for (const p of created) {
      await this.events.publish(userId, { type: 'photo.updated', data: { id: p.id, characterId, status: p.status } });
    }
    return created.map(toPhotoDto);
  }

  async delete(userId: string, characterId: string, photoId: string) {
    const row = await this.photos.delete(userId, characterId, photoId);
    if (!row) throw new NotFoundError('Photo');
    await this.events.publish(userId, { type: 'photo.deleted', data: { id: photoId, characterId } });
    await this.storage.delete(row.storageKey);
    if (row.thumbnailKey) await this.storage.delete(row.thumbnailKey);
  }

  async open(userId: string, photoId: string, variant: 'original' | 'thumbnail') {
    const row = await this.photos.get(userId, photoId);
    if (!row) throw new NotFoundError('Photo');
    const key = variant === 'original' ? row.storageKey : row.thumbnailKey;
    if (!key) throw new NotFoundError('Thumbnail');
    try {
      return await this.storage.get(key);
    } catch (err) {
      if (err instanceof StorageNotFoundError) throw new NotFoundError('Photo file');
      throw err;
    }
  }

  /** Job: make the thumbnail. Safe to run twice; a photo deleted meanwhile is skipped. */
  async handleThumbnail({ photoId }: { photoId: string }): Promise<JobResult> {
    const row = await this.photos.getForThumbnailJob(photoId);
    if (!row) return { status: 'skipped', reason: 'photo deleted' };
    if (row.status === 'ready' && row.thumbnailKey && (await this.storage.stat(row.thumbnailKey))) {
      return { status: 'skipped', reason: 'already done' };
    }
    let thumb: Buffer;
    let original: Buffer;
    try {
      const { body } = await this.storage.get(row.storageKey);
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c as Buffer);
      original = Buffer.concat(chunks);
      thumb = await sharp(original)
        .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'cover', position: 'attention' })
        .webp({ quality: 80 })
        .toBuffer();
    } catch (err) {
      if (err instanceof StorageNotFoundError) {
        await this.photos.markFailed(row.id, 'The stored file is missing.');
        await this.events.publish(row.userId, { type: 'photo.updated', data: { id: row.id, characterId: row.characterId, status: 'failed' } });
        return { status: 'failed', reason: 'stored file missing' };
      }
      throw err;
    }
    const thumbnailKey = row.storageKey.replace(/\/photos\/([^/]+)\.\w+$/, '/photos/$1.thumb.webp');
    await this.storage.put(thumbnailKey, thumb, 'image/webp');
    // The identity reference: the largest face's embedding (vault identity scores compare to
    // the centroid of these).
    let face: { embedding: number[] | null; count: number; age: number | null } | null = null;
    if (this.vision?.capabilities.faceEmbedding) {
      const faces = await this.vision.faces(original);
      const largest = largestFace(faces);
      face = { embedding: largest?.embedding.length ? largest.embedding : null, count: faces.length, age: largest?.age ?? null };
    }
    if (!(await this.photos.markReady(row.id, thumbnailKey, face))) {
      // Deleted while we worked (the photo, its character or the account): the delete already
      // cleaned up storage, so remove what this job just wrote, and the character's folder if
      // the character is gone too.
      await this.storage.delete(thumbnailKey);
      if ((await this.characters.statusOf(row.userId, [row.characterId])).size === 0) {
        await this.storage.deletePrefix(`users/${row.userId}/characters/${row.characterId}`);
      }
      return { status: 'skipped', reason: 'photo deleted meanwhile' };
    }
    await this.events.publish(row.userId, { type: 'photo.updated', data: { id: row.id, characterId: row.characterId, status: 'ready' } });
    return { status: 'success' };
  }

  private async requireCharacter(userId: string, characterId: string) {
    const s = await this.characters.statusOf(userId, [characterId]);
    if (!s.has(characterId)) throw new NotFoundError('Character');
  }
}
