// Vault folders: a user's own names for groups of assets (deleting one keeps its assets).
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { Transactor } from '../../infra/transactions.ts';
import type { AssetRepository } from '../../repositories/asset.repository.ts';

export class FolderService {
  private readonly assets: Pick<AssetRepository, 'listFolders' | 'createFolder' | 'renameFolder'>;
  private readonly tx: Transactor<{ assets: Pick<AssetRepository, 'deleteFolder'> }>;

  constructor(deps: { assets: Pick<AssetRepository, 'listFolders' | 'createFolder' | 'renameFolder'>; tx: Transactor<{ assets: Pick<AssetRepository, 'deleteFolder'> }> }) {
    this.assets = deps.assets;
    this.tx = deps.tx;
  }

  async list(userId: string) {
    return (await this.assets.listFolders(userId)).map((f) => ({ ...f, createdAt: f.createdAt.toISOString() }));
  }

  async create(userId: string, name: string) {
    try {
      const f = await this.assets.createFolder(userId, name);
      return { id: f.id, name: f.name, assetCount: 0, createdAt: f.createdAt.toISOString() };
    } catch (err) {
      if ((err as { cause?: { code?: string } }).cause?.code === '23505') throw new ConflictError(`You already have a folder named "${name}".`);
      throw err;
    }
  }

  async rename(userId: string, id: string, name: string) {
    try {
      const f = await this.assets.renameFolder(userId, id, name);
      if (!f) throw new NotFoundError('Folder');
      return (await this.list(userId)).find((x) => x.id === id)!;
    } catch (err) {
      if ((err as { cause?: { code?: string } }).cause?.code === '23505') throw new ConflictError(`You already have a folder named "${name}".`);
      throw err;
    }
  }

  async delete(userId: string, id: string) {
    await this.tx.run(async (t) => {
      if (!(await t.repos.assets.deleteFolder(userId, id))) throw new NotFoundError('Folder');
      await t.events.emit(userId, { type: 'FolderDeleted', data: { folderId: id } }); // its assets now have no folder
    });
  }
}
