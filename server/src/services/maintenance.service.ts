// Housekeeping jobs: removing the files of deleted records, finishing records that no job will
// finish (reconciler), sweeping files no record owns, planner statistics and outbox retention.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Storage } from '../infra/storage/storage.ts';
import type { JobResult } from '../jobs/jobs.ts';
import type { Repositories } from '../repositories/index.ts';

/** How long an unreferenced file must have existed before the sweeper removes it. */
const ORPHAN_AGE_MS = 60 * 60 * 1000;
/** A record left processing this long with no live job is re-queued or failed. */
const STUCK_AFTER_MS = 2 * 60 * 1000;

interface Reconcilable { reconcile(olderThan: Date): Promise<{ requeued: number; failed: number }> }

// Keys the services write (see assetFolder in services/vault/asset-records.ts, ReferencePhotoService.upload). Files
// under any other path are left alone: the sweeper only removes what it knows the owner of.
const ASSET_KEY = /^users\/[^/]+\/(?:characters\/[^/]+\/)?assets\/([0-9a-f-]{36})\/[^/]+$/;
const PHOTO_KEY = /^users\/[^/]+\/characters\/[^/]+\/photos\/([0-9a-f-]{36})(?:\.thumb)?\.\w+$/;

/** The latest modification time of anything inside a folder (the folder included). */
async function newestWrite(dir: string): Promise<Date> {
  let newest = (await fs.stat(dir)).mtime;
  for (const e of await fs.readdir(dir, { recursive: true })) {
    const s = await fs.stat(path.join(dir, e)).catch(() => null);
    if (s && s.mtime > newest) newest = s.mtime;
  }
  return newest;
}

export class MaintenanceService {
  private readonly repos: Pick<Repositories, 'assets' | 'photos' | 'maintenance' | 'domainEvents' | 'loginThrottle'>;
  private readonly loginWindowSeconds: number;
  private readonly storage: Storage;
  private readonly log: Logger;
  private readonly reconcilers: Record<string, Reconcilable>;
  private readonly now: () => number;
  private readonly tempDir: string | null;

  constructor(deps: {
    repos: Pick<Repositories, 'assets' | 'photos' | 'maintenance' | 'domainEvents' | 'loginThrottle'>; storage: Storage; log: Logger;
    reconcilers: Record<string, Reconcilable>; now?: () => number; loginWindowSeconds: number;
    /** The upload temp folder (UPLOAD_TMP_DIR): what a killed process left there is swept too. */
    tempDir?: string;
  }) {
    this.tempDir = deps.tempDir ?? null;
    this.repos = deps.repos;
    this.loginWindowSeconds = deps.loginWindowSeconds;
    this.storage = deps.storage;
    this.log = deps.log;
    this.reconcilers = deps.reconcilers;
    this.now = deps.now ?? Date.now;
  }

  /** Job StoragePurge: deletes files whose rows are gone (idempotent: deleting twice is fine). */
  async purge({ keys = [], prefixes = [] }: { keys?: string[]; prefixes?: string[] }): Promise<JobResult> {
    for (const k of keys) await this.storage.delete(k);
    for (const p of prefixes) await this.storage.deletePrefix(p);
    return { status: 'success' };
  }

  /** Job Reconcile: records no job will finish are re-queued or failed. */
  async reconcile(): Promise<JobResult> {
    const olderThan = new Date(this.now() - STUCK_AFTER_MS);
    for (const [name, r] of Object.entries(this.reconcilers)) {
      const res = await r.reconcile(olderThan);
      if (res.requeued || res.failed) this.log.warn({ records: name, ...res }, 'reconciler finished records that had no job');
    }
    return { status: 'success' };
  }

  /** Job StorageSweep: removes files that no row owns, and interrupted writes, older than an hour. */
  async sweep(): Promise<JobResult> {
    const before = new Date(this.now() - ORPHAN_AGE_MS);
    const incomplete = await this.storage.sweepIncomplete(before);
    let removed = 0;
    let batch: Array<{ key: string; id: string; kind: 'asset' | 'photo' }> = [];
    const flush = async () => {
      const assetKeys = await this.repos.assets.storageKeysOf([...new Set(batch.filter((b) => b.kind === 'asset').map((b) => b.id))]);
      const photoKeys = await this.repos.photos.storageKeysOf([...new Set(batch.filter((b) => b.kind === 'photo').map((b) => b.id))]);
      for (const b of batch) {
        const owned = (b.kind === 'asset' ? assetKeys : photoKeys).get(b.id);
        if (owned?.includes(b.key)) continue;
        await this.storage.delete(b.key);
        removed++;
      }
      batch = [];
    };
    for await (const o of this.storage.list('users')) {
      if (o.modifiedAt >= before) continue;
      const a = ASSET_KEY.exec(o.key);
      const p = a ? null : PHOTO_KEY.exec(o.key);
      if (!a && !p) continue;
      batch.push({ key: o.key, id: (a ?? p)![1], kind: a ? 'asset' : 'photo' });
      if (batch.length >= 500) await flush();
    }
    if (batch.length) await flush();
    const temp = await this.sweepTempDir(before);
    if (removed || incomplete || temp) this.log.warn({ orphans: removed, incompleteWrites: incomplete, tempFiles: temp }, 'storage sweep removed files no record owns');
    return { status: 'success' };
  }

  /**
   * Upload temp files and generation scratch folders whose last write is older than `before`: a
   * request or job still using one keeps writing it, so only what a killed process left goes.
   */
  private async sweepTempDir(before: Date): Promise<number> {
    if (!this.tempDir) return 0;
    let entries;
    try {
      entries = await fs.readdir(this.tempDir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    let removed = 0;
    for (const e of entries) {
      const p = path.join(this.tempDir, e.name);
      const stat = await fs.stat(p).catch(() => null);
      if (!stat || stat.mtime >= before) continue;
      if (e.isDirectory() && (await newestWrite(p)) >= before) continue;
      await fs.rm(p, { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  /** Job DatabaseMaintenance: planner statistics (PGlite has no autovacuum), outbox and login-throttle retention. */
  async databaseMaintenance(): Promise<JobResult> {
    await this.repos.maintenance.analyze();
    await this.repos.domainEvents.deleteDispatchedBefore(7);
    await this.repos.loginThrottle.prune(this.loginWindowSeconds);
    return { status: 'success' };
  }
}
