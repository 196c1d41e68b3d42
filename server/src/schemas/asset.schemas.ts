// Media vault: request and response schemas.
import { z } from 'zod';
import { assetKinds, assetRatings, assetStatuses } from '../db/schema.ts';
import { dateTimeInput } from './common.ts';

const ratingSchema = z.enum(assetRatings);

/** Per-character vault rules (stored in characters.gates; every field has a default). */
export const characterGates = z
  .object({
    autoApprove: z.boolean().default(true).meta({ description: 'Approve assets that pass every rule without review' }),
    identityThreshold: z.number().min(0).max(1).nullable().default(null)
      .meta({ description: 'Minimum face similarity to the reference photos; null = calibrated from the references (0.9 × their leave-one-out similarity)' }),
    allowedRatings: z.array(ratingSchema).min(1).default(['safe']).meta({ description: 'Ratings that may be auto-approved' }),
    adultContent: z.boolean().default(false).meta({ description: 'Character opted in to explicit content (the account must opt in too)' }),
  })
  .meta({ id: 'CharacterGates' });
export type CharacterGates = z.infer<typeof characterGates>;

const reason = z.object({ code: z.string(), message: z.string(), value: z.number().optional(), threshold: z.number().optional() });

export const asset = z
  .object({
    id: z.uuid(),
    characterId: z.uuid().nullable(),
    folderId: z.uuid().nullable(),
    kind: z.enum(assetKinds),
    source: z.enum(['upload', 'generated']),
    status: z.enum(assetStatuses),
    decidedBy: z.enum(['safety', 'rules', 'user']).nullable(),
    decisionReasons: z.array(reason),
    decidedAt: z.iso.datetime().nullable(),
    originalName: z.string(),
    mimeType: z.string(),
    bytes: z.number().int(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    durationSeconds: z.number().nullable(),
    sha256: z.string(),
    phash: z.string().nullable(),
    nearDuplicateOfId: z.uuid().nullable(),
    rating: ratingSchema.nullable(),
    nsfwScores: z.record(z.string(), z.number()).nullable(),
    ratingThresholds: z.object({ explicit: z.number(), suggestive: z.number() }).nullable()
      .meta({ description: 'Thresholds used when rated: explicit when porn + hentai ≥ explicit; suggestive when sexy + porn + hentai ≥ suggestive' }),
    identityScore: z.number().nullable(),
    identityThreshold: z.number().nullable(),
    faceCount: z.number().int().nullable(),
    minFaceAge: z.number().nullable(),
    prompt: z.string().nullable(),
    caption: z.string().nullable(),
    engine: z.string().nullable(),
    /** For generated media: how it was made (generation id, prompt, negative, seed, engine, model, workflow, timings). */
    generation: z.record(z.string(), z.unknown()).nullable(),
    tags: z.array(z.string()),
    waveform: z.array(z.number()).nullable(),
    error: z.string().nullable(),
    urls: z.object({
      original: z.string().nullable(),
      thumbnail: z.string().nullable(),
      preview: z.string().nullable(),
      poster: z.string().nullable(),
    }),
    createdAt: z.iso.datetime(),
    processedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Asset' });
export type AssetDto = z.infer<typeof asset>;

const tag = z.string().trim().min(1).max(40).regex(/^[\p{L}\p{N} _.-]+$/u, 'letters, digits, spaces, _ . - only');

export const listAssetsQuery = z.object({
  characterId: z.uuid().optional(),
  kind: z.enum(assetKinds).optional(),
  status: z.enum(assetStatuses).optional(),
  rating: ratingSchema.optional(),
  source: z.enum(['upload', 'generated']).optional(),
  engine: z.string().max(80).optional(),
  tag: tag.optional(),
  folderId: z.uuid().optional(),
  from: dateTimeInput().optional().meta({ description: 'Created at or after (ISO date-time)' }),
  to: dateTimeInput().optional().meta({ description: 'Created before (ISO date-time)' }),
  q: z.string().trim().max(200).optional().meta({ description: 'Search prompt, caption, tags and file name: every word must match the start of a word ("face" finds face1.jpg)' }),
  sort: z.enum(['newest', 'oldest']).default('newest'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional().meta({ description: 'nextCursor of the previous page' }),
});
export type ListAssetsQuery = z.infer<typeof listAssetsQuery>;

/**
 * One asset in a list page: only what the vault grid tiles, the list rows and the review queue
 * render and select by. Scores, faces, reasons, prompt, caption, waveform and the other URLs are
 * in the full record (GET /api/assets/:id). Field names and values are those of `Asset`.
 */
const assetListItem = asset
  .pick({
    id: true, characterId: true, kind: true, status: true, rating: true, originalName: true, bytes: true,
    identityScore: true, identityThreshold: true, createdAt: true,
  })
  .extend({ urls: z.object({ thumbnail: z.string().nullable() }).meta({ description: 'Small preview (images and video posters); null for audio or while processing' }) })
  .meta({ id: 'AssetListItem' });
export type AssetListItemDto = z.infer<typeof assetListItem>;

export const assetList = z
  .object({ items: z.array(assetListItem), nextCursor: z.string().nullable() })
  .meta({ id: 'AssetList' });

export const decisionBody = z.object({
  action: z.enum(['approve', 'reject']),
  reason: z.string().trim().max(500).optional(),
});

export const batchBody = z
  .object({
    ids: z.array(z.uuid({ message: 'must be a valid id' })).min(1, 'select at least one asset').max(1000, 'at most 1000 at once'),
    action: z.enum(['approve', 'reject', 'delete', 'tag', 'untag', 'move']),
    tags: z.array(tag).max(20).optional(),
    folderId: z.uuid().nullable().optional(),
    reason: z.string().trim().max(500).optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.action === 'tag' || b.action === 'untag') && !b.tags?.length) ctx.addIssue({ code: 'custom', path: ['tags'], message: 'give at least one tag' });
    if (b.action === 'move' && b.folderId === undefined) ctx.addIssue({ code: 'custom', path: ['folderId'], message: 'give a folder id, or null for no folder' });
  })
  .meta({ id: 'AssetBatch' });

export const batchResult = z.object({ updated: z.array(z.uuid()), skipped: z.array(z.object({ id: z.uuid(), reason: z.string() })) });

export const folder = z.object({ id: z.uuid(), name: z.string(), assetCount: z.number().int(), createdAt: z.iso.datetime() }).meta({ id: 'Folder' });
export const folderBody = z.object({ name: z.string().trim().min(1, 'is required').max(60) });

export const downloadBody = z.object({ ids: z.array(z.uuid()).min(1, 'select at least one asset').max(5000) });

export const assetCounts = z
  .object({
    total: z.number().int(),
    byStatus: z.record(z.string(), z.number().int()).meta({ description: 'Assets per status (statuses with none are omitted)' }),
  })
  .meta({ id: 'AssetCounts' });

export const identityCalibration = z
  .object({
    referencePhotos: z.number().int().meta({ description: 'Ready reference photos' }),
    withFace: z.number().int().meta({ description: 'Reference photos in which a face was found' }),
    leaveOneOutSimilarity: z.number().nullable(),
    calibratedThreshold: z.number().nullable().meta({ description: '0.9 × the leave-one-out similarity; null with fewer than 2 faces' }),
    effectiveThreshold: z.number().nullable().meta({ description: 'The manual threshold if set, else the calibrated one' }),
  })
  .meta({ id: 'IdentityCalibration' });

/** One file of an upload and what became of it (POST /api/assets answers one per file, in order). */
const uploadFileResult = z.object({
  filename: z.string(),
  status: z.enum(['created', 'exists', 'refused']).meta({ description: 'created: stored as a new asset; exists: the same file (sha256) is already in your vault, as assetId; refused: not stored, see error' }),
  assetId: z.uuid().optional().meta({ description: 'created: the new asset; exists: the asset that already holds this file' }),
  asset: asset.optional().meta({ description: 'created: the new asset (status processing)' }),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).optional().meta({ description: 'refused: why' }),
});
export type UploadFileResultDto = z.infer<typeof uploadFileResult>;

export const uploadResult = z.object({
  results: z.array(uploadFileResult).meta({ description: 'Every file of the request, in request order' }),
  items: z.array(asset).meta({ description: 'The assets this request created (the results with status created)' }),
});
