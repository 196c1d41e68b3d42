// Reference photos: validated by content (not by extension or client MIME type), re-encoded
// so EXIF/GPS and every other metadata block are gone before anything is stored, then
// thumbnailed by a job.
import { createHash, randomUUID } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import { ConflictError, isUniqueViolation, NotFoundError, UnsupportedMediaError, UserError } from '../errors.ts';
import type { Queue } from '../infra/queue.ts';
import { StorageNotFoundError, type Storage } from '../infra/storage/storage.ts';
import type { Transactor } from '../infra/transactions.ts';
import { JobName, type JobFailure, type JobResult } from '../jobs/jobs.ts';
import type { CharacterRepository } from '../repositories/character.repository.ts';
import type { ReferencePhotoRepository, ReferencePhotoRow } from '../repositories/reference-photo.repository.ts';
import { photoUrls } from './character.service.ts';
import { largestFace } from '../engines/vision/vision.ts';
import type { VisionEngines } from '../engines/registry.ts';

const formats = {
  jpeg: { mime: 'image/jpeg', ext: 'jpg' },
  png: { mime: 'image/png', ext: 'png' },
  webp: { mime: 'image/webp', ext: 'webp' },
} as const;

const MAX_PHOTOS_PER_CHARACTER = 50;
const MAX_PIXELS = 50_000_000;
const THUMB_SIZE = 320;

export interface UploadedFile { filename: string; data: Buffer }

function toPhotoDto(r: ReferencePhotoRow) {
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
async function sanitizeImage(file: UploadedFile) {
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

type PhotoRepos = { photos: ReferencePhotoRepository };

export class ReferencePhotoService {
  private readonly photos: ReferencePhotoRepository;
  private readonly characters: CharacterRepository;
  private readonly storage: Storage;
  private readonly queue: Queue;
  private readonly tx: Transactor<PhotoRepos>;
  private readonly vision: VisionEngines;

  constructor(deps: { photos: ReferencePhotoRepository; characters: CharacterRepository; storage: Storage; queue: Queue; tx: Transactor<PhotoRepos>; vision: VisionEngines }) {
    this.vision = deps.vision;
    this.photos = deps.photos;
    this.characters = deps.characters;
    this.storage = deps.storage;
    this.queue = deps.queue;
    this.tx = deps.tx;
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
    // Files first (each write is atomic), then every row with its thumbnail job and event in one
    // transaction: a failure stores no row, and the files it wrote are removed (or swept later).
    const stored: Array<{ id: string; storageKey: string } & (typeof prepared)[number]> = [];
    try {
      for (const p of prepared) {
        const id = randomUUID();
        const storageKey = `users/${userId}/characters/${characterId}/photos/${id}.${p.img.ext}`;
        await this.storage.put(storageKey, p.img.data, p.img.mime);
        stored.push({ ...p, id, storageKey });
      }
      const created = await this.tx.run(async (t) => {
        const rows: ReferencePhotoRow[] = [];
        for (const { id, storageKey, file, img, sha256 } of stored) {
          rows.push(await t.repos.photos.insert({
            id, userId, characterId, storageKey, mimeType: img.mime, width: img.width, height: img.height,
            bytes: img.data.length, sha256, originalName: file.filename.slice(0, 200),
          }));
          await t.jobs.send(JobName.ReferencePhotoThumbnail, { photoId: id }, { singletonKey: id });
          await t.events.emit(userId, { type: 'ReferencePhotoAdded', data: { photoId: id, characterId } });
        }
        return rows;
      });
      return created.map(toPhotoDto);
    } catch (err) {
      for (const s of stored) await this.storage.delete(s.storageKey).catch(() => {});
      if (isUniqueViolation(err)) throw new ConflictError('One of these photos is already among this character\'s photos.');
      throw err;
    }
  }

  /** The row and its event in one transaction; the files go by a job (ReferencePhotoDeleted). */
  async delete(userId: string, characterId: string, photoId: string) {
    await this.tx.run(async (t) => {
      const row = await t.repos.photos.delete(userId, characterId, photoId);
      if (!row) throw new NotFoundError('Photo');
      const storageKeys = [row.storageKey, ...(row.thumbnailKey ? [row.thumbnailKey] : [])];
      await t.events.emit(userId, { type: 'ReferencePhotoDeleted', data: { photoId, characterId, storageKeys } });
    });
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
    if (row.status !== 'processing' && row.thumbnailKey && (await this.storage.stat(row.thumbnailKey))) {
      return { status: 'skipped', reason: 'already done' };
    }
    let original: Buffer;
    try {
      const { body } = await this.storage.get(row.storageKey);
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c as Buffer);
      original = Buffer.concat(chunks);
    } catch (err) {
      if (err instanceof StorageNotFoundError) return { status: 'failed', reason: 'The stored photo file is missing; upload it again.' };
      throw err;
    }
    let thumb: Buffer;
    try {
      thumb = await sharp(original).resize(THUMB_SIZE, THUMB_SIZE, { fit: 'cover', position: 'attention' }).webp({ quality: 80 }).toBuffer();
    } catch {
      return { status: 'failed', reason: 'The stored photo could not be decoded; upload it again.' };
    }
    const thumbnailKey = row.storageKey.replace(/\/photos\/([^/]+)\.\w+$/, '/photos/$1.thumb.webp');
    await this.storage.put(thumbnailKey, thumb, 'image/webp');
    // The identity reference: the largest face's embedding (vault identity scores compare to
    // the centroid of these).
    let face: { embedding: number[] | null; count: number; age: number | null } | null = null;
    if (this.vision.faces) {
      const faces = await this.vision.faces.faces(original);
      const largest = largestFace(faces);
      face = { embedding: largest?.embedding.length ? largest.embedding : null, count: faces.length, age: largest?.age ?? null };
    }
    const ready = await this.tx.run(async (t) => {
      if (!(await t.repos.photos.markReady(row.id, thumbnailKey, face))) return false;
      await t.events.emit(row.userId, { type: 'ReferencePhotoReady', data: { photoId: row.id, characterId: row.characterId, faceCount: face?.count ?? null } });
      return true;
    });
    if (!ready) {
      // Deleted while we worked (the photo, its character or the account): the delete already
      // cleaned up storage, so remove what this job just wrote, and the character's folder if
      // the character is gone too.
      await this.storage.delete(thumbnailKey);
      if ((await this.characters.statusOf(row.userId, [row.characterId])).size === 0) {
        await this.storage.deletePrefix(`users/${row.userId}/characters/${row.characterId}`);
      }
      return { status: 'skipped', reason: 'photo deleted meanwhile' };
    }
    return { status: 'success' };
  }

  /** The thumbnail job failed for good: the photo is marked failed with the reason (idempotent). */
  async onThumbnailFailed({ photoId }: { photoId: string }, failure: JobFailure): Promise<void> {
    await this.tx.run(async (t) => {
      const row = await t.repos.photos.markFailed(photoId, failure.reason);
      if (row) await t.events.emit(row.userId, { type: 'ReferencePhotoFailed', data: { photoId, characterId: row.characterId, reason: failure.reason } });
    });
  }

  /**
   * Photos left processing with no job to finish them (a crash before the job existed, a queue
   * restored from an older backup): re-queued when their file is there, failed otherwise.
   */
  async reconcile(olderThan: Date): Promise<{ requeued: number; failed: number }> {
    let requeued = 0;
    let failed = 0;
    for (const p of await this.photos.listProcessingBefore(olderThan)) {
      if (await this.queue.hasLiveJob(JobName.ReferencePhotoThumbnail, p.id)) continue;
      if (await this.storage.stat(p.storageKey)) {
        await this.tx.run((t) => t.jobs.send(JobName.ReferencePhotoThumbnail, { photoId: p.id }, { singletonKey: p.id }));
        requeued++;
      } else {
        await this.onThumbnailFailed({ photoId: p.id }, { reason: 'The stored photo file is missing; upload it again.', permanent: true });
        failed++;
      }
    }
    return { requeued, failed };
  }

  private async requireCharacter(userId: string, characterId: string) {
    const s = await this.characters.statusOf(userId, [characterId]);
    if (!s.has(characterId)) throw new NotFoundError('Character');
  }
}
