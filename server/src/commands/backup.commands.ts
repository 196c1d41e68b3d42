// `ainfluencer backup [FILE]` and `ainfluencer restore FILE`: where the archive goes and who
// reads the database.
//
// Backup: with a Postgres server the CLI reads it itself (a snapshot transaction does not disturb
// the running app). With the embedded database, if a studio runs on the folder (its lock is
// held), the CLI asks it over the control socket; otherwise it opens the folder itself. The
// archive is written to a temp file beside FILE (mode 0600: it holds password hashes and the
// auth secret), fsynced and renamed to FILE only when complete: an interrupted backup never
// leaves a file at FILE. `-` (or a FIFO/device) streams instead.
//
// Restore: verifies the whole archive first (nothing is written for a bad one), then loads it
// into an empty target all or nothing; an embedded database folder it created is removed again
// if the restore fails. Finally the app's own boot migrates to the latest schema and the work
// that was in flight at backup time is queued again.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Config } from '../config/env.ts';
import { isDiskFull } from '../errors.ts';
import { createContext } from '../context.ts';
import { ControlSocketError, ControlSocketUnavailableError, requestBackup } from '../infra/control-socket.ts';
import { migrationsFolder, openDatabase, type Database } from '../infra/database.ts';
import { inspectLock, isAlive, lockFileFor } from '../infra/lock.ts';
import { createStorage } from '../infra/storage/index.ts';
import type { Storage } from '../infra/storage/storage.ts';
import { requeueInFlight, restoreBackup, verifyArchive, type BackupSummary } from '../services/backup/backup.service.ts';
import { writeBackup } from '../services/backup/backup.service.ts';
import { appVersion } from '../version.ts';
import type { Logger } from 'pino';

/** A mistake of the person running the command (exit code 2). */
export class CommandUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandUsageError';
  }
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function defaultBackupName(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `ainfluencer-backup-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}.tar`;
}

interface Destination {
  out: Writable;
  /** Where the archive ends up (for messages). */
  shown: string;
  /** Makes the archive durable and visible at its final name. */
  commit(): Promise<void>;
  /** Removes whatever was written. */
  discard(): Promise<void>;
  /** Human output goes here (stderr when the archive goes to stdout). */
  say(line: string): void;
}

async function openDestination(file: string): Promise<Destination> {
  if (file === '-') {
    return {
      out: process.stdout, shown: 'standard output', say: (l) => process.stderr.write(`${l}\n`),
      commit: async () => {}, discard: async () => {},
    };
  }
  const target = path.resolve(file);
  const info = await fsp.stat(target).catch(() => null);
  if (info && !info.isFile()) {
    if (info.isDirectory()) throw new CommandUsageError(`${file} is a folder; give a file name, e.g. ${path.join(file, defaultBackupName())}`);
    // A FIFO or a device: stream into it as is.
    const out = fs.createWriteStream(target, { flags: 'w' });
    await new Promise<void>((resolve, reject) => { out.once('open', () => resolve()); out.once('error', reject); });
    return { out, shown: file, say: (l) => process.stdout.write(`${l}\n`), commit: async () => {}, discard: async () => {} };
  }
  if (info) throw new CommandUsageError(`${file} already exists. Choose another name, or delete it first.`);
  const dir = path.dirname(target);
  const dirInfo = await fsp.stat(dir).catch(() => null);
  if (!dirInfo?.isDirectory()) throw new CommandUsageError(`The folder ${dir} does not exist.`);
  // Leftovers of backups to this name that were killed (their pid is gone).
  const prefix = `.${path.basename(target)}.`;
  for (const name of await fsp.readdir(dir)) {
    const m = name.startsWith(prefix) ? /^(\d+)\.partial$/.exec(name.slice(prefix.length)) : null;
    if (m && !isAlive(Number(m[1]))) await fsp.rm(path.join(dir, name), { force: true });
  }
  const temp = path.join(dir, `${prefix}${process.pid}.partial`);
  const out = fs.createWriteStream(temp, { flags: 'wx', mode: 0o600 });
  await new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EACCES' || err.code === 'EROFS' ? new CommandUsageError(`Cannot write in ${dir} (${err.code}).`) : err);
    });
  });
  const closed = () => new Promise<void>((resolve) => { if (out.closed) resolve(); else out.once('close', () => resolve()); });
  return {
    out, shown: file, say: (l) => process.stdout.write(`${l}\n`),
    commit: async () => {
      if (!out.writableFinished) await new Promise<void>((resolve, reject) => { out.once('error', reject); out.end(() => resolve()); });
      await closed();
      const h = await fsp.open(temp, 'r+');
      try { await h.sync(); } finally { await h.close(); }
      await fsp.link(temp, target).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') throw new CommandUsageError(`${file} appeared while the backup was running; the backup was not written.`);
        if (err.code !== 'EPERM' && err.code !== 'ENOTSUP' && err.code !== 'EXDEV') throw err;
        await fsp.rename(temp, target); // filesystems without hard links
      });
      await fsp.rm(temp, { force: true });
      const d = await fsp.open(dir, 'r').catch(() => null);
      if (d) { await d.sync().catch(() => {}); await d.close(); }
    },
    discard: async () => {
      out.destroy();
      await closed();
      await fsp.rm(temp, { force: true });
    },
  };
}

/** Removes the temp file if the process is interrupted (Ctrl+C, SIGTERM). */
function onInterrupt(cleanup: () => Promise<void>): () => void {
  const handler = (signal: NodeJS.Signals) => {
    void cleanup().finally(() => {
      process.stderr.write(`Backup interrupted (${signal}); nothing was written.\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => { process.off('SIGINT', handler); process.off('SIGTERM', handler); };
}

export async function backupCommand(config: Config, file: string | undefined, log: Logger): Promise<void> {
  const t0 = Date.now();
  const dest = await openDestination(file ?? defaultBackupName());
  const stopListening = onInterrupt(() => dest.discard());
  try {
    let summary: BackupSummary;
    let via = '';
    const held = config.database.kind === 'pglite' && config.database.dataDir ? inspectLock(lockFileFor(config.database.dataDir)) : null;
    if (held?.state === 'held') {
      via = ` (made by the running studio, pid ${held.owner.pid})`;
      try {
        summary = (await requestBackup(config.dataDir, dest.out, (line) => dest.say(line))) as unknown as BackupSummary;
      } catch (err) {
        if (err instanceof ControlSocketUnavailableError) {
          throw new ControlSocketError(`${err.message} The studio (pid ${held.owner.pid}) holds the embedded database, so only it can make the backup. Is it an older version without a control socket? Stop it and run the backup again.`);
        }
        throw err;
      }
    } else {
      summary = await withSource(config, log, (database, storage) => writeBackup({ database, storage, appVersion }, dest.out, { onProgress: (l) => dest.say(l) }));
    }
    await dest.commit();
    dest.say(
      `Backup written to ${dest.shown}${via}: ${mb(summary.archiveBytes)}, ${summary.tables} tables, ${summary.rows} rows, ${summary.files} files (${mb(summary.fileBytes)}) in ${seconds(Date.now() - t0)}.` +
        (summary.missingFiles ? ` ${summary.missingFiles} referenced file(s) were deleted while the backup ran and are not in it (see manifest.json).` : ''),
    );
  } catch (err) {
    await dest.discard();
    if (isDiskFull(err) && err && typeof err === 'object' && !('path' in err)) Object.assign(err, { path: dest.shown });
    throw err;
  } finally {
    stopListening();
  }
}

/** Opens the database (as it is: no migrations) and the storage for reading. */
async function withSource<T>(config: Config, log: Logger, fn: (database: Database, storage: Storage) => Promise<T>): Promise<T> {
  if (config.database.kind === 'pglite') {
    const dir = config.database.dataDir!;
    if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) throw new CommandUsageError(`There is no database in ${dir} to back up (is DATA_DIR right?).`);
  }
  const database = await openDatabase(config.database.kind === 'pglite'
    ? { kind: 'pglite', dataDir: config.database.dataDir, onStaleLock: (m) => log.warn(m) }
    : { kind: 'postgres', url: config.database.url, poolSize: 2 });
  const storage = createStorage(config.storage);
  try {
    await storage.check();
    return await fn(database, storage);
  } finally {
    (storage as { destroy?: () => void }).destroy?.();
    await database.close();
  }
}

export async function restoreCommand(config: Config, file: string | undefined, log: Logger): Promise<void> {
  if (!file) throw new CommandUsageError('restore needs the backup file: ainfluencer restore FILE');
  const t0 = Date.now();
  const say = (l: string) => process.stdout.write(`${l}\n`);
  say(`Checking ${file} …`);
  const archive = await verifyArchive(file, { migrationsFolder });
  const m = archive.manifest;
  say(`${file}: a backup of AInfluencer ${m.appVersion} taken ${m.createdAt} (${m.database}, ${m.tables.length} tables, ${m.tables.reduce((a, t) => a + t.rows, 0)} rows, ${m.files.count} files); checksums verified.`);

  let createdDir: string | null = null;
  if (config.database.kind === 'pglite') {
    const dir = config.database.dataDir!;
    const lock = inspectLock(lockFileFor(dir));
    if (lock.state === 'held') {
      throw new CommandUsageError(`A studio (pid ${lock.owner.pid}) is running on ${config.dataDir}. Restore goes into an empty data folder: stop it, or set DATA_DIR to a new folder.`);
    }
    const entries = await fsp.readdir(dir).catch(() => null);
    if (!entries || entries.length === 0) createdDir = dir;
  }
  const database = await openDatabase(config.database.kind === 'pglite'
    ? { kind: 'pglite', dataDir: config.database.dataDir, onStaleLock: (l) => log.warn(l) }
    : { kind: 'postgres', url: config.database.url, poolSize: 2 });
  const storage = createStorage(config.storage);
  let summary;
  try {
    await storage.check();
    summary = await restoreBackup({ database, storage, migrationsFolder }, archive, { onProgress: say });
  } catch (err) {
    (storage as { destroy?: () => void }).destroy?.();
    await database.close();
    if (createdDir) await fsp.rm(createdDir, { recursive: true, force: true });
    throw err;
  }
  (storage as { destroy?: () => void }).destroy?.();
  await database.close();

  // The app's own boot: migrations to the latest version, the queue; then in-flight work again.
  const ctx = await createContext(config, { log });
  const requeued = await requeueInFlight({ database: ctx.database, queue: ctx.queue }).finally(() => ctx.close());
  say(
    `Restored ${summary.rows} rows into ${summary.tables} tables and ${summary.files} files (${mb(summary.fileBytes)}) in ${seconds(Date.now() - t0)}.` +
      (requeued ? ` ${requeued} item(s) that were being processed at backup time are queued again.` : '') +
      (summary.missingFiles ? ` The backup lacks ${summary.missingFiles} file(s) that were deleted while it ran (see its manifest.json).` : ''),
  );
}
