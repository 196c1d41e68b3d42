// The media vault as a user browses and decides it: the list (cached per user), counts, one
// asset, approve/reject, batch actions, and how a character's identity threshold comes about.
// Files enter through IngestService; downloads and folders have their own services.
import { NotFoundError, ConflictError, UserError } from '../../errors.ts';
import { calibrateIdentityThreshold, leaveOneOutSimilarity } from '../../engines/vision/vision.ts';
import type { UserReadCache } from '../../infra/read-cache.ts';
import type { Transactor } from '../../infra/transactions.ts';
import type { AssetRepository } from '../../repositories/asset.repository.ts';
import { characterGates, type AssetDto, type ListAssetsQuery } from '../../schemas/asset.schemas.ts';
import { canApprove } from './gates.ts';
import { storageKeysOf, toAssetDto, toAssetListItem } from './asset-records.ts';

export class AssetService {
  private readonly assets: AssetRepository;
  private readonly tx: Transactor<{ assets: AssetRepository }>;
  private readonly cache: UserReadCache;

  constructor(deps: { assets: AssetRepository; tx: Transactor<{ assets: AssetRepository }>; cache: UserReadCache }) {
    this.assets = deps.assets;
    this.tx = deps.tx;
    this.cache = deps.cache;
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
}
