// The media vault: the one entry for every asset, uploaded or generated. `ingest` stores the
// raw bytes and queues AssetIngest; the job sanitizes (metadata stripped, provenance written),
// derives thumbnails/previews, hashes, rates, scores identity and applies the gates.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import sharp from 'sharp';
import yazl from 'yazl';
import type { Logger } from 'pino';
import { ConflictError, isUniqueViolation, NotFoundError, UnsupportedMediaError, UserError } from '../../errors.ts';
import type { VaultSettings } from '../../config/runtime-settings.ts';
import { calibrateIdentityThreshold, centroid, classifyRating, identityScore, leaveOneOutSimilarity, type VisionEngine } from '../../engines/vision/vision.ts';
import type { UserReadCache } from '../../infra/read-cache.ts';
import type { VisionEngines } from '../../engines/registry.ts';
import type { Queue } from '../../infra/queue.ts';
import type { Transactor } from '../../infra/transactions.ts';
import { StorageNotFoundError, type Storage } from '../../infra/storage/storage.ts';
import { JobName, type JobFailure, type JobResult } from '../../jobs/jobs.ts';
import { audioWaveform, posterFrame, probe, resolveFfmpeg, stripMediaMetadata, videoPreview, type MediaTools } from '../../media/ffmpeg.ts';
import { hammingDistance, isNearDuplicate, perceptualHashOfPixels } from '../../media/hash.ts';
import { decodeImage, downscale, fromDecoded, type DecodedImage } from '../../media/image.ts';
import { writeProvenance } from '../../media/provenance.ts';
import type { AssetListRow, AssetRepository, AssetRow } from '../../repositories/asset.repository.ts';
import { characterGates, type AssetDto, type AssetListItemDto, type ListAssetsQuery } from '../../schemas/asset.schemas.ts';
import { canApprove, evaluateGates } from './gates.ts';
import { safeFileName } from '../file-names.ts';

const MAX_PIXELS = 80_000_000;
const THUMB = 400;
/**
 * Images are analysed (rating, faces, pHash) and thumbnailed from one decode at most this many
 * pixels on the long side: the face detector's own working size (LocalVisionEngine faceMaxSide),
 * so nothing is decoded twice.
 */
const ANALYSIS_MAX_SIDE = 1024;

/**
 * Vault thumbnail (≤ THUMB px, WebP, transparency flattened on white) and pHash from decoded
 * pixels. The hash is taken from the thumbnail-sized pixels: the same 32×32 reduction at a
 * third of the cost (test/media.test.ts measures it against the file's hash).
 */
async function thumbnailAndHash(pixels: DecodedImage): Promise<{ thumb: Buffer; phash: string }> {
  const small = await downscale(pixels, THUMB);
  // effort 2 instead of 4: half the encode time for a few % more bytes on a 400-px image
  const thumb = await fromDecoded(small).webp({ quality: 78, effort: 2 }).toBuffer();
  return { thumb, phash: await perceptualHashOfPixels(small) };
}


export interface IngestInput {
  userId: string;
  characterId?: string | null;
  folderId?: string | null;
  tags?: string[];
  source: 'upload' | 'generated';
  filename: string;
  data: Buffer;
  prompt?: string | null;
  caption?: string | null;
  engine?: string | null;
  generation?: unknown;
}

type Detected = { kind: 'image' | 'video' | 'audio'; mimeType: string; width: number | null; height: number | null; durationSeconds: number | null; ext: string };

const imageFormats: Record<string, { mime: string; ext: string }> = {
  jpeg: { mime: 'image/jpeg', ext: 'jpg' }, png: { mime: 'image/png', ext: 'png' }, webp: { mime: 'image/webp', ext: 'webp' },
};

function assetUrls(a: Pick<AssetRow, 'id' | 'storageKey' | 'thumbnailKey' | 'previewKey' | 'posterKey'>) {
  const u = (variant: string, key: string | null) => (key ? `/api/assets/${a.id}/${variant}` : null);
  return { original: u('original', a.storageKey), thumbnail: u('thumbnail', a.thumbnailKey), preview: u('preview', a.previewKey), poster: u('poster', a.posterKey) };
}

function toAssetDto(a: AssetRow): AssetDto {
  return {
    id: a.id, characterId: a.characterId, folderId: a.folderId, kind: a.kind, source: a.source, status: a.status,
    decidedBy: a.decidedBy, decisionReasons: a.decisionReasons, decidedAt: a.decidedAt?.toISOString() ?? null,
    originalName: a.originalName, mimeType: a.mimeType, bytes: a.bytes, width: a.width, height: a.height,
    durationSeconds: a.durationSeconds, sha256: a.sha256, phash: a.phash, nearDuplicateOfId: a.nearDuplicateOfId,
    rating: a.rating, nsfwScores: a.nsfwScores ?? null, ratingThresholds: a.ratingThresholds ?? null, identityScore: a.identityScore, identityThreshold: a.identityThreshold,
    faceCount: a.faceCount, minFaceAge: a.minFaceAge, prompt: a.prompt, caption: a.caption, engine: a.engine, tags: a.tags,
    waveform: a.waveform ?? null, error: a.error, urls: assetUrls(a),
    createdAt: a.createdAt.toISOString(), processedAt: a.processedAt?.toISOString() ?? null,
  };
}

/** The slim record of a list page (AssetListItem): same names and values as in toAssetDto. */
function toAssetListItem(a: AssetListRow): AssetListItemDto {
  return {
    id: a.id, characterId: a.characterId, kind: a.kind, status: a.status, rating: a.rating, originalName: a.originalName,
    bytes: a.bytes, identityScore: a.identityScore, identityThreshold: a.identityThreshold, createdAt: a.createdAt.toISOString(),
    urls: { thumbnail: a.thumbnailKey ? `/api/assets/${a.id}/thumbnail` : null },
  };
}

/** Every stored file of deleted asset rows. */
function storageKeysOf(rows: Array<{ incomingKey: string | null; storageKey: string | null; thumbnailKey: string | null; previewKey: string | null; posterKey: string | null }>): string[] {
  return rows.flatMap((r) => [r.incomingKey, r.storageKey, r.thumbnailKey, r.previewKey, r.posterKey].filter((k): k is string => !!k));
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ainf-asset-'));
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export class AssetService {
  private readonly assets: AssetRepository;
  private readonly storage: Storage;
  private readonly queue: Queue;
  private readonly tx: Transactor<{ assets: AssetRepository }>;
  private readonly vision: VisionEngines;
  private readonly settings: () => Promise<VaultSettings>;
  private readonly log: Logger;
  private readonly cache: UserReadCache;
  private readonly mediaPaths: { ffmpegPath?: string; ffprobePath?: string; searchPath?: string };
  private mediaTools: MediaTools | null = null;

  constructor(deps: {
    assets: AssetRepository; storage: Storage; queue: Queue; tx: Transactor<{ assets: AssetRepository }>; vision: VisionEngines;
    settings: () => Promise<VaultSettings>; log: Logger; media?: { ffmpegPath?: string; ffprobePath?: string; searchPath?: string }; cache: UserReadCache;
  }) {
    this.cache = deps.cache;
    this.mediaPaths = deps.media ?? {};
    this.assets = deps.assets;
    this.storage = deps.storage;
    this.queue = deps.queue;
    this.tx = deps.tx;
    this.vision = deps.vision;
    this.settings = deps.settings;
    this.log = deps.log;
  }

  private get tools(): MediaTools {
    return (this.mediaTools ??= resolveFfmpeg(this.mediaPaths));
  }

  /** What kind of media a file is, from its content. */
  private async detect(file: { filename: string; data: Buffer }): Promise<Detected> {
    try {
      const meta = await sharp(file.data, { limitInputPixels: MAX_PIXELS }).metadata();
      const f = meta.format ? imageFormats[meta.format] : undefined;
      if (f && (meta.pages ?? 1) === 1) return { kind: 'image', mimeType: f.mime, width: meta.width ?? null, height: meta.height ?? null, durationSeconds: null, ext: f.ext };
      if (meta.format && !f && meta.format !== 'gif') {
        throw new UnsupportedMediaError(`"${file.filename}" is a ${meta.format} image; upload JPEG, PNG or WebP images, or MP4/WebM/MOV videos, or MP3/WAV/M4A/OGG audio.`);
      }
    } catch (err) {
      if (err instanceof UserError) throw err;
    }
    return withTempDir(async (dir) => {
      const tmp = path.join(dir, 'upload');
      fs.writeFileSync(tmp, file.data);
      let p;
      try {
        p = await probe(tmp, { tools: this.tools });
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
    });
  }

  private folderFor(userId: string, characterId: string | null | undefined, id: string) {
    return characterId ? `users/${userId}/characters/${characterId}/assets/${id}` : `users/${userId}/assets/${id}`;
  }

  /**
   * The single entry of the vault. Exact duplicates are reported (409 with the existing id)
   * and not stored twice. Returns the new asset in status `processing`.
   */
  async ingest(input: IngestInput): Promise<AssetDto> {
    if (input.characterId) {
      const ctx = await this.assets.gateContext(input.userId, input.characterId);
      if (ctx.gates === null) throw new NotFoundError('Character');
    }
    if (input.folderId && !(await this.assets.folderExists(input.userId, input.folderId))) throw new NotFoundError('Folder');
    const detected = await this.detect(input);
    const sha256 = createHash('sha256').update(input.data).digest('hex');
    const existing = await this.assets.findBySha(input.userId, sha256);
    // A file that failed to process may be sent again: it replaces the failed record.
    if (existing && existing.status !== 'failed') {
      throw new ConflictError(`"${input.filename}" is already in your vault.`, { duplicateOf: existing.id, reason: 'exact_duplicate' });
    }
    const id = randomUUID();
    const incomingKey = `${this.folderFor(input.userId, input.characterId, id)}/incoming.${detected.ext}`;
    await this.storage.put(incomingKey, input.data, detected.mimeType);
    try {
      // The row, its ingest job and its event commit together: no row without a job to process it.
      const row = await this.tx.run(async (t) => {
        if (existing) {
          const gone = await t.repos.assets.delete(input.userId, [existing.id]);
          if (gone.length) await t.events.emit(input.userId, { type: 'AssetsDeleted', data: { assetIds: [existing.id], storageKeys: storageKeysOf(gone) } });
        }
        const r = await t.repos.assets.insert({
          id, userId: input.userId, characterId: input.characterId ?? null, folderId: input.folderId ?? null,
          kind: detected.kind, source: input.source, status: 'processing', originalName: input.filename.slice(0, 200),
          mimeType: detected.mimeType, bytes: input.data.length, width: detected.width, height: detected.height,
          durationSeconds: detected.durationSeconds, sha256, prompt: input.prompt ?? null, caption: input.caption ?? null,
          engine: input.engine ?? null, generation: input.generation ?? null, tags: [...new Set(input.tags ?? [])].sort(), incomingKey,
        });
        await t.jobs.send(JobName.AssetIngest, { assetId: id }, { singletonKey: id });
        await t.events.emit(input.userId, { type: 'AssetAdded', data: { assetId: id, characterId: r.characterId } });
        return r;
      });
      return toAssetDto(row);
    } catch (err) {
      await this.storage.delete(incomingKey).catch(() => {});
      if (isUniqueViolation(err)) {
        // The same file arrived twice at once: the other request won.
        const winner = await this.assets.findBySha(input.userId, sha256);
        throw new ConflictError(`"${input.filename}" is already in your vault.`, { ...(winner ? { duplicateOf: winner.id } : {}), reason: 'exact_duplicate' });
      }
      throw err;
    }
  }

  /** Job AssetIngest: safe to run twice (a processed asset is skipped). */
  async handleIngest({ assetId }: { assetId: string }): Promise<JobResult> {
    const row = await this.assets.getForIngest(assetId);
    if (!row) return { status: 'skipped', reason: 'asset deleted' };
    if (row.status !== 'processing' || !row.incomingKey) return { status: 'skipped', reason: 'already processed' };
    let data: Buffer;
    try {
      data = await readAll((await this.storage.get(row.incomingKey)).body);
    } catch (err) {
      if (err instanceof StorageNotFoundError) return { status: 'failed', reason: 'The uploaded file is missing from storage; upload it again.' };
      throw err;
    }
    const settings = await this.settings();
    const folder = this.folderFor(row.userId, row.characterId, row.id);
    try {
      const m = row.kind === 'image'
        ? await this.processImage(row, data, folder)
        : row.kind === 'video' ? await this.processVideo(row, data, folder) : await this.processAudio(row, data, folder);

      // Measurements on a still (the image itself or the video's poster frame).
      let rating: AssetRow['rating'] = null;
      let nsfwScores: Record<string, number> | null = null;
      let faces: Awaited<ReturnType<VisionEngine['faces']>> = [];
      // Measured by whichever registered engines can; without one, the asset stays unrated /
      // faceless and the gates keep it for review (never auto-approved on a guess).
      if (m.still && this.vision.rater) {
        const r = await this.vision.rater.rate(m.still);
        nsfwScores = { ...r.scores };
        rating = classifyRating(r.scores, settings.ratingThresholds);
      }
      if (m.still && this.vision.faces) faces = await this.vision.faces.faces(m.still);
      const ctx = await this.assets.gateContext(row.userId, row.characterId);
      const gates = characterGates.parse(ctx.gates ?? {});
      const refCentroid = ctx.references.length ? centroid(ctx.references) : null;
      const idScore = refCentroid ? identityScore(faces, refCentroid) : null;
      const calibrated = ctx.references.length >= 2 ? calibrateIdentityThreshold(ctx.references) : null;
      let nearDuplicateOfId: string | null = null;
      if (m.phash) {
        let best = Infinity;
        for (const h of await this.assets.approvedHashes(row.userId, row.id)) {
          if (h.phash && isNearDuplicate(m.phash, h.phash)) {
            const d = hammingDistance(m.phash, h.phash);
            if (d < best) { best = d; nearDuplicateOfId = h.id; }
          }
        }
      }
      const decision = evaluateGates(
        { kind: row.kind, source: row.source, rating, faces: faces.map((f) => ({ age: f.age, score: f.score })), identityScore: idScore, nearDuplicateOf: nearDuplicateOfId, prompt: row.prompt },
        row.characterId
          ? { autoApprove: gates.autoApprove, identityThreshold: gates.identityThreshold, calibratedThreshold: calibrated, allowedRatings: gates.allowedRatings, adultContent: gates.adultContent }
          : null,
        { adultContent: ctx.accountAdult },
        { minApparentAge: settings.minApparentAge },
      );
      if (decision.status === 'blocked') {
        this.log.warn({ assetId: row.id, userId: row.userId, reasons: decision.reasons.map((r) => r.code) }, 'asset blocked by safety rules');
      }
      const ages = faces.map((f) => f.age).filter((a): a is number => a !== null);
      const status = decision.status as 'pending' | 'approved' | 'blocked';
      const changed = await this.tx.run(async (t) => {
        const done = await t.repos.assets.finishIngest(row.id, {
          ...m.fields,
          status,
          decidedBy: decision.decidedBy,
          decisionReasons: decision.reasons,
          decidedAt: decision.decidedBy ? new Date() : null,
          rating, nsfwScores, ratingThresholds: m.still ? settings.ratingThresholds : null, faceCount: m.still ? faces.length : null,
          minFaceAge: ages.length ? Math.min(...ages) : null,
          faces: faces.map((f) => ({ box: f.box, score: f.score, age: f.age })),
          identityScore: idScore,
          identityThreshold: gates.identityThreshold ?? calibrated,
          nearDuplicateOfId,
          incomingKey: null,
          processedAt: new Date(),
          error: null,
        });
        if (done) {
          await t.events.emit(row.userId, { type: 'AssetProcessed', data: { assetId: row.id, characterId: row.characterId, status } });
          if (status === 'approved') await t.events.emit(row.userId, { type: 'AssetApproved', data: { assetId: row.id, by: 'rules' } });
        }
        return done;
      });
      // Deleted or finished by another run meanwhile: what this run stored is not referenced.
      if (!changed) {
        await this.removeFiles(Object.values(m.fields).filter((v): v is string => typeof v === 'string' && v.startsWith(folder)));
        return { status: 'skipped', reason: 'asset changed while processing' };
      }
      await this.storage.delete(row.incomingKey);
      return { status: 'success' };
    } catch (err) {
      if (err instanceof UserError) return { status: 'failed', reason: err.message };
      throw err; // transient: retried by the queue
    }
  }

  /** AssetIngest failed for good: the asset is marked failed with the reason (idempotent). */
  async onIngestFailed({ assetId }: { assetId: string }, failure: JobFailure): Promise<void> {
    await this.tx.run(async (t) => {
      const row = await t.repos.assets.markFailed(assetId, failure.reason);
      if (row) await t.events.emit(row.userId, { type: 'AssetFailed', data: { assetId, reason: failure.reason } });
    });
  }

  /** Processes a failed asset again from its original upload. */
  async retry(userId: string, id: string): Promise<AssetDto> {
    const row = await this.assets.get(userId, id);
    if (!row) throw new NotFoundError('Asset');
    if (row.status !== 'failed') throw new ConflictError(`Only a failed asset can be retried; this one is ${row.status}.`, { status: row.status });
    if (!row.incomingKey || !(await this.storage.stat(row.incomingKey))) {
      throw new ConflictError('The original upload of this asset is gone, so it cannot be processed again. Upload the file again; it will replace this one.', { reason: 'original_missing' });
    }
    await this.tx.run(async (t) => {
      if (!(await t.repos.assets.markRetrying(userId, id))) throw new ConflictError('This asset changed meanwhile; reload and try again.');
      await t.jobs.send(JobName.AssetIngest, { assetId: id }, { singletonKey: id });
      await t.events.emit(userId, { type: 'AssetRetried', data: { assetId: id } });
    });
    return this.get(userId, id);
  }

  /**
   * Assets left processing with no job that will finish them (e.g. the database was restored, or
   * a job was deleted by hand): re-queued when their upload is still stored, failed otherwise.
   */
  async reconcile(olderThan: Date): Promise<{ requeued: number; failed: number }> {
    let requeued = 0;
    let failed = 0;
    for (const a of await this.assets.listProcessingBefore(olderThan)) {
      if (await this.queue.hasLiveJob(JobName.AssetIngest, a.id)) continue;
      if (a.incomingKey && (await this.storage.stat(a.incomingKey))) {
        await this.tx.run((t) => t.jobs.send(JobName.AssetIngest, { assetId: a.id }, { singletonKey: a.id }));
        requeued++;
      } else {
        await this.onIngestFailed({ assetId: a.id }, { reason: 'The uploaded file is missing from storage; upload it again.', permanent: true });
        failed++;
      }
    }
    return { requeued, failed };
  }

  private async removeFiles(keys: string[]) {
    for (const k of keys) await this.storage.delete(k).catch(() => {});
  }

  private async processImage(row: AssetRow, data: Buffer, folder: string) {
    let clean: Buffer;
    try {
      // Re-encoding drops EXIF/GPS/IPTC/comments; the XMP written back carries provenance only.
      clean = (await writeProvenance(data, row.source === 'generated'
        ? { origin: 'generated', creatorTool: row.engine ?? undefined, generationId: row.id }
        : { origin: 'upload' }, { limitInputPixels: MAX_PIXELS })).data;
    } catch {
      throw new UnsupportedMediaError(`"${row.originalName}" could not be decoded as an image.`);
    }
    const ext = imageFormats[Object.keys(imageFormats).find((k) => imageFormats[k].mime === row.mimeType) ?? 'jpeg'].ext;
    const storageKey = `${folder}/original.${ext}`;
    const thumbnailKey = `${folder}/thumb.webp`;
    // Decoded once (see media/image.ts): thumbnail, pHash, rating and faces all read these pixels.
    const pixels = await decodeImage(clean, ANALYSIS_MAX_SIDE, { limitInputPixels: MAX_PIXELS });
    const { thumb, phash } = await thumbnailAndHash(pixels);
    await this.storage.put(storageKey, clean, row.mimeType);
    await this.storage.put(thumbnailKey, thumb, 'image/webp');
    return {
      still: pixels,
      phash,
      fields: { storageKey, thumbnailKey, bytes: clean.length, width: pixels.sourceWidth, height: pixels.sourceHeight, phash },
    };
  }

  private async processVideo(row: AssetRow, data: Buffer, folder: string) {
    return withTempDir(async (dir) => {
      const ext = row.mimeType === 'video/webm' ? 'webm' : 'mp4';
      const input = path.join(dir, `in.${ext}`);
      const clean = path.join(dir, `clean.${ext}`);
      fs.writeFileSync(input, data);
      await stripMediaMetadata(input, clean, { tools: this.tools });
      const poster = await posterFrame(clean, { tools: this.tools });
      const preview = await videoPreview(clean, path.join(dir, 'preview'), { maxSeconds: 3, width: 320, tools: this.tools });
      const pixels = await decodeImage(poster, ANALYSIS_MAX_SIDE);
      const { thumb, phash } = await thumbnailAndHash(pixels);
      const storageKey = `${folder}/original.${ext}`;
      const posterKey = `${folder}/poster.jpg`;
      const thumbnailKey = `${folder}/thumb.webp`;
      const previewKey = `${folder}/preview.${preview.container}`;
      const cleanBytes = fs.readFileSync(clean);
      await this.storage.put(storageKey, cleanBytes, row.mimeType);
      await this.storage.put(posterKey, poster, 'image/jpeg');
      await this.storage.put(thumbnailKey, thumb, 'image/webp');
      await this.storage.put(previewKey, fs.readFileSync(preview.path), preview.mimeType);
      return { still: pixels, phash, fields: { storageKey, posterKey, thumbnailKey, previewKey, bytes: cleanBytes.length, phash } };
    });
  }

  private async processAudio(row: AssetRow, data: Buffer, folder: string) {
    return withTempDir(async (dir) => {
      const ext = path.extname(row.incomingKey ?? '.mp3').slice(1) || 'mp3';
      const input = path.join(dir, `in.${ext}`);
      const clean = path.join(dir, `clean.${ext}`);
      fs.writeFileSync(input, data);
      await stripMediaMetadata(input, clean, { tools: this.tools });
      const wave = await audioWaveform(clean, { points: 200, tools: this.tools });
      const storageKey = `${folder}/original.${ext}`;
      const cleanBytes = fs.readFileSync(clean);
      await this.storage.put(storageKey, cleanBytes, row.mimeType);
      return { still: null, phash: null, fields: { storageKey, bytes: cleanBytes.length, waveform: wave.peaks, durationSeconds: wave.durationSeconds } };
    });
  }

  /** Served from the per-user read cache (cleared by every asset event of the user). */
  list(userId: string, q: ListAssetsQuery) {
    const key = `assets:${JSON.stringify(q, Object.keys(q).sort())}`;
    return this.cache.get(userId, key, () => this.loadList(userId, q));
  }

  private async loadList(userId: string, q: ListAssetsQuery) {
    const res = await this.assets.list(userId, q);
    if (!res) throw new UserError(400, 'validation_failed', 'cursor: is not a cursor from a previous page');
    return { items: res.items.map(toAssetListItem), nextCursor: res.nextCursor };
  }

  /** Totals for the vault and the review badge (cached like the list). */
  counts(userId: string, characterId?: string) {
    return this.cache.get(userId, `asset-counts:${characterId ?? ''}`, async () => {
      const byStatus = await this.assets.statusCounts(userId, characterId);
      return { total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus };
    });
  }

  /** How a character's identity threshold comes about, for its vault rules. */
  async identityCalibration(userId: string, characterId: string) {
    const ctx = await this.assets.gateContext(userId, characterId);
    if (ctx.gates === null) throw new NotFoundError('Character');
    const { photos, embeddings } = await this.assets.referenceEmbeddings(userId, characterId);
    const loo = embeddings.length >= 2 ? leaveOneOutSimilarity(embeddings) : null;
    const calibrated = embeddings.length >= 2 ? calibrateIdentityThreshold(embeddings) : null;
    const manual = characterGates.parse(ctx.gates ?? {}).identityThreshold;
    return { referencePhotos: photos, withFace: embeddings.length, leaveOneOutSimilarity: loo, calibratedThreshold: calibrated, effectiveThreshold: manual ?? calibrated };
  }

  async get(userId: string, id: string): Promise<AssetDto> {
    const row = await this.assets.get(userId, id);
    if (!row) throw new NotFoundError('Asset');
    return toAssetDto(row);
  }

  async decide(userId: string, id: string, action: 'approve' | 'reject', reason?: string): Promise<AssetDto> {
    const row = await this.assets.get(userId, id);
    if (!row) throw new NotFoundError('Asset');
    if (row.status === 'processing') throw new ConflictError('This asset is still being processed; try again in a moment.');
    if (row.status === 'failed') throw new ConflictError('This asset failed to process and cannot be approved.');
    if (action === 'approve' && !canApprove(row.status, row.decisionReasons)) {
      throw new UserError(403, 'safety_block', 'This asset was blocked by the safety rules and cannot be approved by anyone.');
    }
    if (row.status === 'blocked') throw new UserError(403, 'safety_block', 'This asset was blocked by the safety rules; its status cannot be changed.');
    await this.tx.run(async (t) => {
      const done = await t.repos.assets.decide(userId, [id], action === 'approve' ? 'approved' : 'rejected', userId, reason ?? null);
      if (done.length) await t.events.emit(userId, action === 'approve' ? { type: 'AssetApproved', data: { assetId: id, by: 'user' } } : { type: 'AssetRejected', data: { assetId: id, by: 'user' } });
    });
    return this.get(userId, id);
  }

  async batch(userId: string, b: { ids: string[]; action: 'approve' | 'reject' | 'delete' | 'tag' | 'untag' | 'move'; tags?: string[]; folderId?: string | null; reason?: string }) {
    const ids = [...new Set(b.ids)];
    const found = new Map((await this.assets.statusOf(userId, ids)).map((r) => [r.id, r.status]));
    const skipped = ids.filter((id) => !found.has(id)).map((id) => ({ id, reason: 'not found' }));
    const owned = ids.filter((id) => found.has(id));
    // One transaction: every row changes with its event, or none does.
    const updated = await this.tx.run(async (t): Promise<string[]> => {
      const repo = t.repos.assets;
      switch (b.action) {
        case 'approve':
        case 'reject': {
          const decidable = owned.filter((id) => ['pending', 'approved', 'rejected'].includes(found.get(id)!));
          for (const id of owned) {
            if (!decidable.includes(id)) {
              const s = found.get(id)!;
              skipped.push({ id, reason: s === 'blocked' ? 'blocked by safety rules' : s === 'processing' ? 'still processing' : `a ${s} asset cannot be decided` });
            }
          }
          const done = await repo.decide(userId, decidable, b.action === 'approve' ? 'approved' : 'rejected', userId, b.reason ?? null);
          for (const assetId of done) {
            await t.events.emit(userId, b.action === 'approve' ? { type: 'AssetApproved', data: { assetId, by: 'user' } } : { type: 'AssetRejected', data: { assetId, by: 'user' } });
          }
          return done;
        }
        case 'delete': {
          // The files go by a job once this commits (AssetsDeleted → StoragePurge).
          const rows = await repo.delete(userId, owned);
          if (rows.length) await t.events.emit(userId, { type: 'AssetsDeleted', data: { assetIds: rows.map((r) => r.id), storageKeys: storageKeysOf(rows) } });
          return rows.map((r) => r.id);
        }
        case 'tag':
        case 'untag':
        case 'move': {
          if (b.action === 'move' && b.folderId && !(await repo.folderExists(userId, b.folderId))) throw new NotFoundError('Folder');
          const done = b.action === 'tag' ? await repo.addTags(userId, owned, b.tags!)
            : b.action === 'untag' ? await repo.removeTags(userId, owned, b.tags!)
            : await repo.move(userId, owned, b.folderId ?? null);
          for (const assetId of done) await t.events.emit(userId, { type: 'AssetChanged', data: { assetId, status: found.get(assetId)! } });
          return done;
        }
      }
    });
    return { updated, skipped };
  }

  async open(userId: string, id: string, variant: 'original' | 'thumbnail' | 'preview' | 'poster') {
    const row = await this.assets.get(userId, id);
    if (!row) throw new NotFoundError('Asset');
    const key = variant === 'original' ? row.storageKey : variant === 'thumbnail' ? row.thumbnailKey : variant === 'preview' ? row.previewKey : row.posterKey;
    if (!key) throw new NotFoundError(variant === 'original' ? 'The processed file' : `The ${variant}`);
    try {
      return { ...(await this.storage.get(key)), filename: row.originalName };
    } catch (err) {
      if (err instanceof StorageNotFoundError) throw new NotFoundError('Asset file');
      throw err;
    }
  }

  /** A zip of the selected assets' processed originals, streamed entry by entry. */
  async zip(userId: string, ids: string[]) {
    const rows = await this.assets.downloadable(userId, [...new Set(ids)]);
    if (rows.length === 0) throw new NotFoundError('None of the selected assets');
    const zip = new yazl.ZipFile();
    const used = new Set<string>();
    const out = new PassThrough();
    zip.outputStream.pipe(out);
    (async () => {
      for (const r of rows) {
        const base = safeFileName(r.originalName || r.id);
        const ext = path.extname(r.storageKey!);
        let name = base.replace(/\.[^.]+$/, '') + ext;
        for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base.replace(/\.[^.]+$/, '')} (${i})${ext}`;
        used.add(name.toLowerCase());
        const { body } = await this.storage.get(r.storageKey!);
        zip.addReadStream(body, name, { compress: false });
      }
      zip.end();
    })().catch((err) => out.destroy(err as Error));
    return { stream: out, count: rows.length };
  }

  // ---- folders ----

  async listFolders(userId: string) {
    return (await this.assets.listFolders(userId)).map((f) => ({ ...f, createdAt: f.createdAt.toISOString() }));
  }

  async createFolder(userId: string, name: string) {
    try {
      const f = await this.assets.createFolder(userId, name);
      return { id: f.id, name: f.name, assetCount: 0, createdAt: f.createdAt.toISOString() };
    } catch (err) {
      if ((err as { cause?: { code?: string } }).cause?.code === '23505') throw new ConflictError(`You already have a folder named "${name}".`);
      throw err;
    }
  }

  async renameFolder(userId: string, id: string, name: string) {
    try {
      const f = await this.assets.renameFolder(userId, id, name);
      if (!f) throw new NotFoundError('Folder');
      return (await this.listFolders(userId)).find((x) => x.id === id)!;
    } catch (err) {
      if ((err as { cause?: { code?: string } }).cause?.code === '23505') throw new ConflictError(`You already have a folder named "${name}".`);
      throw err;
    }
  }

  async deleteFolder(userId: string, id: string) {
    await this.tx.run(async (t) => {
      if (!(await t.repos.assets.deleteFolder(userId, id))) throw new NotFoundError('Folder');
      await t.events.emit(userId, { type: 'FolderDeleted', data: { folderId: id } }); // its assets now have no folder
    });
  }
}
