// Files of the vault going out: one asset's file (original, thumbnail, preview, poster) and a
// zip of several processed originals, streamed entry by entry.
import path from 'node:path';
import { PassThrough } from 'node:stream';
import yazl from 'yazl';
import { NotFoundError } from '../../errors.ts';
import { StorageNotFoundError, type Storage } from '../../infra/storage/storage.ts';
import type { AssetRepository } from '../../repositories/asset.repository.ts';
import { safeFileName } from '../file-names.ts';

export class AssetDownloadService {
  private readonly assets: AssetRepository;
  private readonly storage: Storage;

  constructor(deps: { assets: AssetRepository; storage: Storage }) {
    this.assets = deps.assets;
    this.storage = deps.storage;
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
}
