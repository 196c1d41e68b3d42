// How vault rows become API records, and where an asset's files live: shared by the vault's
// services (browsing and decisions, ingest, downloads).
import type { AssetListRow, AssetRow } from '../../repositories/asset.repository.ts';
import type { AssetDto, AssetListItemDto } from '../../schemas/asset.schemas.ts';

function assetUrls(a: Pick<AssetRow, 'id' | 'storageKey' | 'thumbnailKey' | 'previewKey' | 'posterKey'>) {
  const u = (variant: string, key: string | null) => (key ? `/api/assets/${a.id}/${variant}` : null);
  return { original: u('original', a.storageKey), thumbnail: u('thumbnail', a.thumbnailKey), preview: u('preview', a.previewKey), poster: u('poster', a.posterKey) };
}

export function toAssetDto(a: AssetRow): AssetDto {
  return {
    id: a.id, characterId: a.characterId, folderId: a.folderId, kind: a.kind, source: a.source, status: a.status,
    decidedBy: a.decidedBy, decisionReasons: a.decisionReasons, decidedAt: a.decidedAt?.toISOString() ?? null,
    originalName: a.originalName, mimeType: a.mimeType, bytes: a.bytes, width: a.width, height: a.height,
    durationSeconds: a.durationSeconds, sha256: a.sha256, phash: a.phash, nearDuplicateOfId: a.nearDuplicateOfId,
    rating: a.rating, nsfwScores: a.nsfwScores ?? null, ratingThresholds: a.ratingThresholds ?? null, identityScore: a.identityScore, identityThreshold: a.identityThreshold,
    faceCount: a.faceCount, minFaceAge: a.minFaceAge, prompt: a.prompt, caption: a.caption, engine: a.engine, generation: (a.generation as Record<string, unknown> | null) ?? null, tags: a.tags,
    waveform: a.waveform ?? null, error: a.error, urls: assetUrls(a),
    createdAt: a.createdAt.toISOString(), processedAt: a.processedAt?.toISOString() ?? null,
  };
}

/** The slim record of a list page (AssetListItem): same names and values as in toAssetDto. */
export function toAssetListItem(a: AssetListRow): AssetListItemDto {
  return {
    id: a.id, characterId: a.characterId, kind: a.kind, status: a.status, rating: a.rating, originalName: a.originalName,
    bytes: a.bytes, identityScore: a.identityScore, identityThreshold: a.identityThreshold, createdAt: a.createdAt.toISOString(),
    urls: { thumbnail: a.thumbnailKey ? `/api/assets/${a.id}/thumbnail` : null },
  };
}

/** Every stored file of deleted asset rows. */
export function storageKeysOf(rows: Array<{ incomingKey: string | null; storageKey: string | null; thumbnailKey: string | null; previewKey: string | null; posterKey: string | null }>): string[] {
  return rows.flatMap((r) => [r.incomingKey, r.storageKey, r.thumbnailKey, r.previewKey, r.posterKey].filter((k): k is string => !!k));
}

/** The storage folder of one asset (MaintenanceService's sweeper knows this layout). */
export function assetFolder(userId: string, characterId: string | null | undefined, id: string) {
  return characterId ? `users/${userId}/characters/${characterId}/assets/${id}` : `users/${userId}/assets/${id}`;
}
