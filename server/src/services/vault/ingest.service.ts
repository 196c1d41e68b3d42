// The ingest pipeline of the media vault. `ingest` stores the raw bytes and queues AssetIngest;
// the job sanitizes (metadata stripped, provenance written), derives thumbnails/previews,
// hashes, rates, scores identity and applies the gates. Failed assets can be retried; the
// reconciler re-queues assets whose job was lost.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { ConflictError, isUniqueViolation, NotFoundError, UnsupportedMediaError, UserError } from '../../errors.ts';
import type { VaultSettings } from '../../config/runtime-settings.ts';
import { calibrateIdentityThreshold, centroid, classifyRating, identityScore, type VisionEngine } from '../../engines/vision/vision.ts';
import type { VisionEngines } from '../../engines/registry.ts';
import type { Queue } from '../../infra/queue.ts';
import type { Transactor } from '../../infra/transactions.ts';
import { StorageNotFoundError, type Storage } from '../../infra/storage/storage.ts';
import { JobName, type JobFailure, type JobResult } from '../../jobs/jobs.ts';
import { audioWaveform, posterFrame, resolveFfmpeg, stripMediaMetadata, videoPreview, type MediaTools } from '../../media/ffmpeg.ts';
import { nearestDuplicate, perceptualHashOfPixels, phashBandProbes } from '../../media/hash.ts';
import { decodeImage, downscale, fromDecoded, type DecodedImage } from '../../media/image.ts';
import { writeProvenance } from '../../media/provenance.ts';
import type { AssetRepository, AssetRow } from '../../repositories/asset.repository.ts';
import type { SafetyBlockRepository } from '../../repositories/safety-block.repository.ts';
import type { SafetyReviewService } from '../safety/safety-review.service.ts';
import { screenPrompt } from '../safety/prompt-screen.ts';
import { characterGates, type AssetDto, type UploadFileResultDto } from '../../schemas/asset.schemas.ts';
import { evaluateGates } from './gates.ts';
import { assetFolder, storageKeysOf, toAssetDto } from './asset-records.ts';
import { detectMedia, imageFormats, MAX_PIXELS } from './media-detection.ts';

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

/** A file on local disk with its size and sha256 (what http/uploads.ts stages). */
export interface IngestFile {
  path: string;
  bytes: number;
  sha256: string;
}

interface IngestMeta {
  userId: string;
  characterId?: string | null;
  folderId?: string | null;
  tags?: string[];
  source: 'upload' | 'generated';
  filename: string;
  prompt?: string | null;
  caption?: string | null;
  engine?: string | null;
  generation?: unknown;
}

/** The content comes as a staged file (moved into storage) or as bytes (generated media). */
export type IngestInput = IngestMeta & ({ file: IngestFile; data?: never } | { data: Buffer; file?: never });

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

export class IngestService {
  private readonly assets: AssetRepository;
  private readonly storage: Storage;
  private readonly queue: Queue;
  private readonly tx: Transactor<{ assets: AssetRepository; safetyBlocks: SafetyBlockRepository }>;
  private readonly safety: Pick<SafetyReviewService, 'recordIn'>;
  private readonly vision: VisionEngines;
  private readonly settings: () => Promise<VaultSettings>;
  private readonly log: Logger;
  private readonly mediaPaths: { ffmpegPath?: string; ffprobePath?: string; searchPath?: string };
  private readonly tempDir: string;
  private mediaTools: MediaTools | null = null;

  constructor(deps: {
    assets: AssetRepository; storage: Storage; queue: Queue; tx: Transactor<{ assets: AssetRepository; safetyBlocks: SafetyBlockRepository }>;
    vision: VisionEngines;
    /** The abuse signal: a prompt the screen refuses is recorded against the account. */
    safety: Pick<SafetyReviewService, 'recordIn'>;
    settings: () => Promise<VaultSettings>; log: Logger; media?: { ffmpegPath?: string; ffprobePath?: string; searchPath?: string };
    /** Where bytes handed over in memory are staged before they move into storage. */
    tempDir: string;
  }) {
    this.tempDir = deps.tempDir;
    this.mediaPaths = deps.media ?? {};
    this.assets = deps.assets;
    this.storage = deps.storage;
    this.queue = deps.queue;
    this.tx = deps.tx;
    this.safety = deps.safety;
    this.vision = deps.vision;
    this.settings = deps.settings;
    this.log = deps.log;
  }

  private get tools(): MediaTools {
    return (this.mediaTools ??= resolveFfmpeg(this.mediaPaths));
  }

  /**
   * The single entry of the vault, for a file already on local disk (an upload streamed to a temp
   * file: see http/uploads.ts) or bytes in memory (generated media). The file is moved into
   * storage, never read into memory. Exact duplicates are reported (409 with the existing id)
   * and not stored twice. Returns the new asset in status `processing`.
   */
  async ingest(input: IngestInput): Promise<AssetDto> {
    if (input.file) return this.ingestFile(input, input.file);
    await mkdir(this.tempDir, { recursive: true });
    const dir = await mkdtemp(path.join(this.tempDir, 'generated-'));
    try {
      const file = path.join(dir, 'data');
      await writeFile(file, input.data);
      return await this.ingestFile(input, { path: file, bytes: input.data.length, sha256: createHash('sha256').update(input.data).digest('hex') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Every file of one upload, in order, each with its own outcome: created, exists (the same
   * bytes are already in the vault: the existing asset's id) or refused (why). A client that lost
   * the answer can send the batch again and learn what is stored. A missing character or folder
   * refuses the whole upload (404); anything unexpected (e.g. a full disk) fails it too.
   */
  async ingestEach(meta: Omit<IngestMeta, 'filename'>, files: Array<IngestFile & { filename: string }>): Promise<UploadFileResultDto[]> {
    const results: UploadFileResultDto[] = [];
    for (const f of files) {
      try {
        const asset = await this.ingestFile({ ...meta, filename: f.filename }, f);
        results.push({ filename: f.filename, status: 'created', assetId: asset.id, asset });
      } catch (err) {
        if (!(err instanceof UserError) || err.statusCode === 404) throw err;
        const duplicateOf = (err.details as { duplicateOf?: string } | undefined)?.duplicateOf;
        results.push(err instanceof ConflictError && duplicateOf
          ? { filename: f.filename, status: 'exists', assetId: duplicateOf }
          : { filename: f.filename, status: 'refused', error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } });
      }
    }
    return results;
  }

  private async ingestFile(input: IngestMeta, file: IngestFile): Promise<AssetDto> {
    if (input.characterId) {
      const ctx = await this.assets.gateContext(input.userId, input.characterId);
      if (ctx.gates === null) throw new NotFoundError('Character');
    }
    if (input.folderId && !(await this.assets.folderExists(input.userId, input.folderId))) throw new NotFoundError('Folder');
    const { sha256 } = file;
    const existing = await this.assets.findBySha(input.userId, sha256);
    // A file that failed to process may be sent again: it replaces the failed record.
    if (existing && existing.status !== 'failed') {
      throw new ConflictError(`"${input.filename}" is already in your vault.`, { duplicateOf: existing.id, reason: 'exact_duplicate' });
    }
    const detected = await detectMedia({ filename: input.filename, path: file.path }, this.tools);
    const id = randomUUID();
    const incomingKey = `${assetFolder(input.userId, input.characterId, id)}/incoming.${detected.ext}`;
    await this.storage.putFile(incomingKey, file.path, detected.mimeType);
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
          mimeType: detected.mimeType, bytes: file.bytes, width: detected.width, height: detected.height,
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
    let incoming: Readable;
    try {
      incoming = (await this.storage.get(row.incomingKey)).body;
    } catch (err) {
      if (err instanceof StorageNotFoundError) return { status: 'failed', reason: 'The uploaded file is missing from storage; upload it again.' };
      throw err;
    }
    const settings = await this.settings();
    const folder = assetFolder(row.userId, row.characterId, row.id);
    try {
      // Videos and audio stream to a temp file for ffmpeg; only a still is read into memory.
      const m = row.kind === 'image'
        ? await this.processImage(row, await readAll(incoming), folder)
        : row.kind === 'video' ? await this.processVideo(row, incoming, folder) : await this.processAudio(row, incoming, folder);

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
      const nearDuplicateOfId = m.phash ? nearestDuplicate(m.phash, await this.assets.nearDuplicateCandidates(row.userId, row.id, phashBandProbes(m.phash))) : null;
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
          // A prompt refused by the screen counts in the abuse signal like a refused character.
          if (row.prompt && decision.reasons.some((r) => r.code === 'prompt_minor_sexual')) {
            const screen = screenPrompt(row.prompt);
            await this.safety.recordIn(t, row.userId, 'asset.ingest', {
              field: 'prompt', rule: screen.rule ?? 'sexual-with-minor', terms: [...screen.sexualTerms, ...screen.minorTerms], text: row.prompt,
            });
          }
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
    } finally {
      incoming.destroy(); // read to the end by now, unless a step failed before reading it
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
    const after = await this.assets.get(userId, id);
    if (!after) throw new NotFoundError('Asset');
    return toAssetDto(after);
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

  private async processVideo(row: AssetRow, incoming: Readable, folder: string) {
    return withTempDir(async (dir) => {
      const ext = row.mimeType === 'video/webm' ? 'webm' : 'mp4';
      const input = path.join(dir, `in.${ext}`);
      const clean = path.join(dir, `clean.${ext}`);
      await pipeline(incoming, fs.createWriteStream(input));
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

  private async processAudio(row: AssetRow, incoming: Readable, folder: string) {
    return withTempDir(async (dir) => {
      const ext = path.extname(row.incomingKey ?? '.mp3').slice(1) || 'mp3';
      const input = path.join(dir, `in.${ext}`);
      const clean = path.join(dir, `clean.${ext}`);
      await pipeline(incoming, fs.createWriteStream(input));
      await stripMediaMetadata(input, clean, { tools: this.tools });
      const wave = await audioWaveform(clean, { points: 200, tools: this.tools });
      const storageKey = `${folder}/original.${ext}`;
      const cleanBytes = fs.readFileSync(clean);
      await this.storage.put(storageKey, cleanBytes, row.mimeType);
      return { still: null, phash: null, fields: { storageKey, bytes: cleanBytes.length, waveform: wave.peaks, durationSeconds: wave.durationSeconds } };
    });
  }
}
