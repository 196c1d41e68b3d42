// Domain events: what happened, in business terms. Each is written to the `domain_events` outbox
// in the same transaction as the change (infra/transactions.ts), so it exists exactly when the
// change does — a crash can lose neither one without the other. The worker role dispatches them
// to subscribers (jobs now, automation rules later; infra/outbox.ts), and each maps to the live
// events the browser receives (sent with Postgres NOTIFY inside the same transaction, so they are
// delivered at commit, never for a change that rolled back).
//
// Payloads carry ids and small facts, never secrets. Add a type here, its live projection below,
// and subscribe in the composition root.
import type { LiveEvent } from '../infra/events.ts';

export type DomainEvent =
  | { type: 'CharacterCreated'; data: { characterId: string; status: string } }
  | { type: 'CharacterUpdated'; data: { characterId: string; status: string } }
  | { type: 'CharacterStatusChanged'; data: { characterId: string; from: string; to: string } }
  /** Its rows are gone; `storagePrefix` is the folder of its files, purged by a job. */
  | { type: 'CharacterDeleted'; data: { characterId: string; storagePrefix: string } }
  | { type: 'ReferencePhotoAdded'; data: { photoId: string; characterId: string } }
  | { type: 'ReferencePhotoReady'; data: { photoId: string; characterId: string; faceCount: number | null } }
  | { type: 'ReferencePhotoFailed'; data: { photoId: string; characterId: string; reason: string } }
  | { type: 'ReferencePhotoDeleted'; data: { photoId: string; characterId: string; storageKeys: string[] } }
  | { type: 'AssetAdded'; data: { assetId: string; characterId: string | null } }
  /** Ingest finished: the gates decided (pending review, approved by the rules, or blocked). */
  | { type: 'AssetProcessed'; data: { assetId: string; characterId: string | null; status: 'pending' | 'approved' | 'blocked' } }
  | { type: 'AssetFailed'; data: { assetId: string; reason: string } }
  | { type: 'AssetRetried'; data: { assetId: string } }
  | { type: 'AssetApproved'; data: { assetId: string; by: 'user' | 'rules' } }
  | { type: 'AssetRejected'; data: { assetId: string; by: 'user' } }
  | { type: 'AssetChanged'; data: { assetId: string; status: string } }
  /** Their rows are gone; `storageKeys` are their files, purged by a job. */
  | { type: 'AssetsDeleted'; data: { assetIds: string[]; storageKeys: string[] } }
  | { type: 'FolderDeleted'; data: { folderId: string } }
  /** The safety screen refused a text of the user (the abuse signal; issue 8). */
  | { type: 'SafetyBlocked'; data: { blockId: string; source: string; rule: string } }
  /** Repeated safety blocks flagged the account for an administrator's review. */
  | { type: 'AccountFlagged'; data: { reason: string } }
  | { type: 'GenerationQueued'; data: { generationId: string; characterId: string; kind: string } }
  | { type: 'GenerationFinished'; data: { generationId: string; characterId: string; kind: string; status: 'succeeded' | 'failed' | 'cancelled' } }
  | { type: 'CreditsChanged'; data: { balance: number; delta: number; reason: string } };

export type DomainEventType = DomainEvent['type'];
export type DomainEventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

/** What the browser is told about an event (ids only; it refetches what it shows). */
export function liveEventsOf(e: DomainEvent): LiveEvent[] {
  switch (e.type) {
    case 'CharacterCreated':
    case 'CharacterUpdated':
      return [{ type: 'character.updated', data: { id: e.data.characterId, status: e.data.status } }];
    case 'CharacterStatusChanged':
      return [{ type: 'character.updated', data: { id: e.data.characterId, status: e.data.to } }];
    case 'CharacterDeleted':
      return [{ type: 'character.deleted', data: { id: e.data.characterId } }];
    case 'ReferencePhotoAdded':
      return [{ type: 'photo.updated', data: { id: e.data.photoId, characterId: e.data.characterId, status: 'processing' } }];
    case 'ReferencePhotoReady':
      return [{ type: 'photo.updated', data: { id: e.data.photoId, characterId: e.data.characterId, status: 'ready' } }];
    case 'ReferencePhotoFailed':
      return [{ type: 'photo.updated', data: { id: e.data.photoId, characterId: e.data.characterId, status: 'failed' } }];
    case 'ReferencePhotoDeleted':
      return [{ type: 'photo.deleted', data: { id: e.data.photoId, characterId: e.data.characterId } }];
    case 'AssetAdded':
    case 'AssetRetried':
      return [{ type: 'asset.updated', data: { id: e.data.assetId, status: 'processing' } }];
    case 'AssetProcessed':
      return [{ type: 'asset.updated', data: { id: e.data.assetId, status: e.data.status } }];
    case 'AssetFailed':
      return [{ type: 'asset.updated', data: { id: e.data.assetId, status: 'failed' } }];
    case 'AssetApproved':
      return [{ type: 'asset.updated', data: { id: e.data.assetId, status: 'approved' } }];
    case 'AssetRejected':
      return [{ type: 'asset.updated', data: { id: e.data.assetId, status: 'rejected' } }];
    case 'AssetChanged':
      return [{ type: 'asset.updated', data: { id: e.data.assetId, status: e.data.status } }];
    case 'AssetsDeleted':
      return e.data.assetIds.map((id) => ({ type: 'asset.deleted' as const, data: { id } }));
    case 'FolderDeleted':
      return [{ type: 'folder.deleted', data: { id: e.data.folderId } }];
    case 'SafetyBlocked':
    case 'AccountFlagged':
      return []; // for administrators and automations, not the user's live view
    case 'GenerationQueued':
      return [{ type: 'generation.updated', data: { id: e.data.generationId, characterId: e.data.characterId, status: 'queued', percent: 0, stage: 'queued' } }];
    case 'GenerationFinished':
      return [{ type: 'generation.updated', data: { id: e.data.generationId, characterId: e.data.characterId, status: e.data.status, percent: e.data.status === 'succeeded' ? 100 : 0, stage: e.data.status } }];
    case 'CreditsChanged':
      return [{ type: 'credits.updated', data: { balance: e.data.balance } }];
  }
}
