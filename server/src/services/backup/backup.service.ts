// Backup and restore of a whole instance: every row of every table of our schema, read in one
// consistent snapshot, plus every stored file those rows reference, in one tar archive.
//
// Archive (format 1), entries in this order:
//   backup.json          format, format version, app version, created at, database kind
//   db/<table>.jsonl     one row per line (Postgres' own JSON of the row), tables in dependency order
//   files/<storage key>  the stored bytes, unchanged
//   manifest.json        the above again plus: applied migrations, rows and sha256 per table, and
//                        key, size, content type and sha256 per file; files the snapshot named but
//                        that were deleted before they could be copied
// The manifest comes last because file checksums are known only once a file has been copied;
// restore reads the whole archive once to verify it before it writes anything.
//
// Decisions:
// - Consistency: one REPEATABLE READ READ ONLY transaction reads every table (and the storage
//   keys they name); files are copied after it, so the database is the source of truth. A file
//   deleted between the snapshot and its copy (an asset deleted, or an upload that finished
//   processing and dropped its incoming file) is listed under `missingFiles`; the restored row
//   keeps pointing at a missing object, exactly as the app already handles a missing object.
// - Rows are spooled to a temp folder during the snapshot and streamed into the archive
//   afterwards: on the embedded database the snapshot transaction holds the one connection, so
//   it must not wait for a slow reader of the archive.
// - The job queue (`pgboss` schema) is not backed up: its contents belong to the pg-boss version
//   and are transient. Records caught mid-work (assets and reference photos in `processing`) are
//   queued again by the restore, and the handlers are safe to run twice.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import { findPgError } from '../../errors.ts';
import type { Database } from '../../infra/database.ts';
import type { Queue } from '../../infra/queue.ts';
import { JobName } from '../../jobs/jobs.ts';
import { assertValidKey, StorageNotFoundError, type Storage } from '../../infra/storage/storage.ts';
import { hashTarEntry, openTarEntry, readTarIndex, TarFormatError, TarWriter, type TarEntry } from '../../infra/tar.ts';
import { BackupRepository, type AppliedMigration, type TableInfo } from '../../repositories/backup.repository.ts';

const BACKUP_FORMAT = 'ainfluencer-backup';
const BACKUP_FORMAT_VERSION = 1;
const HEADER_ENTRY = 'backup.json';
const MANIFEST_ENTRY = 'manifest.json';
const tableEntry = (table: string) => `db/${table}.jsonl`;
const fileEntry = (key: string) => `files/${key}`;
/** Rows of these tables may exist in a target that is otherwise empty (a bare start writes them); the backup's replace them. */
const INSTANCE_TABLES = ['settings'];
/** Rows per INSERT when loading. */
const LOAD_BATCH_ROWS = 500;
const LOAD_BATCH_BYTES = 4 * 1024 * 1024;
/** Objects opened ahead while the current one is copied (hides S3 latency). */
const PREFETCH = 4;

const headerSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.number().int(),
  appVersion: z.string(),
  createdAt: z.string(),
  database: z.enum(['pglite', 'postgres']),
});

const manifestSchema = headerSchema.extend({
  storage: z.enum(['local', 's3']),
  migrations: z.array(z.object({ hash: z.string(), createdAt: z.number() })),
  tables: z.array(z.object({ name: z.string(), columns: z.array(z.string()), rows: z.number().int().min(0), entry: z.string(), bytes: z.number().int().min(0), sha256: z.string() })),
  files: z.object({
    count: z.number().int().min(0),
    bytes: z.number().int().min(0),
    items: z.array(z.object({ key: z.string(), size: z.number().int().min(0), contentType: z.string(), sha256: z.string() })),
  }),
  missingFiles: z.array(z.object({ key: z.string(), reason: z.string() })),
});
type BackupManifest = z.infer<typeof manifestSchema>;

/** The archive is not a usable backup (damaged, truncated, wrong format). Nothing was written. */
export class BackupArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupArchiveError';
  }
}

/** Restore refuses a target that already holds data. Nothing was written. */
export class RestoreTargetNotEmptyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreTargetNotEmptyError';
  }
}

/** The restore failed at run time and was undone: the target is as empty as before. */
export class RestoreFailedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RestoreFailedError';
  }
}

export interface BackupSummary {
  tables: number;
  rows: number;
  files: number;
  fileBytes: number;
  missingFiles: number;
  archiveBytes: number;
  /** How long the snapshot transaction lasted (on the embedded database, other queries wait meanwhile). */
  snapshotMs: number;
}

export interface BackupSource {
  database: Pick<Database, 'kind' | 'db'>;
  storage: Storage;
  appVersion: string;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/**
 * Writes a backup archive into `out` (ended on success; on failure `out` is left for the caller
 * to discard). Memory stays bounded: rows go through a spool file, files are streamed.
 */
export async function writeBackup(source: BackupSource, out: Writable, opts: { onProgress?: (line: string) => void } = {}): Promise<BackupSummary> {
  const progress = opts.onProgress ?? (() => {});
  const repo = new BackupRepository(source.database.db);
  const spool = await fs.mkdtemp(path.join(os.tmpdir(), 'ainfluencer-backup-'));
  try {
    const createdAt = new Date().toISOString();
    // 1. The snapshot: every row and every storage key, one instant.
    const snapStart = performance.now();
    const snap = await repo.snapshot(async (reader) => {
      const tables = await reader.tables();
      const migrations = await reader.migrations();
      const keys = new Set<string>();
      const counts: Array<{ table: TableInfo; rows: number; file: string }> = [];
      for (const table of tables) {
        const file = path.join(spool, `${counts.length}.jsonl`);
        const handle = await fs.open(file, 'w');
        let n = 0;
        try {
          await reader.rows(table.name, async (batch) => {
            n += batch.length;
            await handle.write(`${batch.join('\n')}\n`);
          });
        } finally {
          await handle.close();
        }
        await reader.storageKeys(table, async (batch) => { for (const k of batch) keys.add(k); });
        counts.push({ table, rows: n, file });
      }
      return { migrations, counts, keys: [...keys].sort() };
    });
    const snapshotMs = Math.round(performance.now() - snapStart);
    const totalRows = snap.counts.reduce((a, c) => a + c.rows, 0);
    progress(`Database snapshot: ${snap.counts.length} tables, ${totalRows} rows, ${snap.keys.length} stored files referenced (${snapshotMs} ms).`);

    // 2. The archive.
    const tar = new TarWriter(out);
    const header = { format: BACKUP_FORMAT, formatVersion: BACKUP_FORMAT_VERSION, appVersion: source.appVersion, createdAt, database: source.database.kind } as const;
    await tar.addBuffer(HEADER_ENTRY, Buffer.from(`${JSON.stringify(header, null, 2)}\n`));
    const tables: BackupManifest['tables'] = [];
    for (const c of snap.counts) {
      const { size } = await fs.stat(c.file);
      const written = await tar.addStream(tableEntry(c.table.name), size, createReadStream(c.file));
      tables.push({ name: c.table.name, columns: c.table.columns.filter((col) => !col.generated).map((col) => col.name), rows: c.rows, entry: written.name, bytes: size, sha256: written.sha256 });
      await fs.rm(c.file, { force: true });
    }
    progress(`Copying ${snap.keys.length} files…`);
    const items: BackupManifest['files']['items'] = [];
    const missingFiles: BackupManifest['missingFiles'] = [];
    let fileBytes = 0;
    const open = (key: string) => {
      try {
        assertValidKey(key);
      } catch {
        return Promise.resolve({ key, error: 'not a valid storage key' as const });
      }
      return source.storage.get(key).then(
        (got) => ({ key, got }),
        (err: unknown) => {
          if (err instanceof StorageNotFoundError) return { key, error: 'deleted after the snapshot was taken' as const };
          throw err;
        },
      );
    };
    const ahead: Array<ReturnType<typeof open>> = [];
    let next = 0;
    try {
      while (next < snap.keys.length || ahead.length) {
        while (ahead.length < PREFETCH && next < snap.keys.length) {
          const p = open(snap.keys[next++]);
          p.catch(() => {}); // observed below, in order
          ahead.push(p);
        }
        const r = await ahead.shift()!;
        if ('error' in r) {
          missingFiles.push({ key: r.key, reason: r.error });
          continue;
        }
        const written = await tar.addStream(fileEntry(r.key), r.got.size, r.got.body);
        items.push({ key: r.key, size: r.got.size, contentType: r.got.contentType, sha256: written.sha256 });
        fileBytes += r.got.size;
      }
    } finally {
      // On failure, close what was opened ahead (sockets, file handles).
      for (const p of ahead) void p.then((r) => { if ('got' in r) r.got.body.destroy(); }, () => {});
    }
    const manifest: BackupManifest = {
      ...header,
      storage: source.storage.driver,
      migrations: snap.migrations,
      tables,
      files: { count: items.length, bytes: fileBytes, items },
      missingFiles,
    };
    await tar.addBuffer(MANIFEST_ENTRY, Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`));
    await tar.finish();
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.end(() => resolve());
    });
    progress(`Copied ${items.length} files (${mb(fileBytes)})${missingFiles.length ? `; ${missingFiles.length} referenced files were deleted before they could be copied (listed in the manifest)` : ''}.`);
    return { tables: tables.length, rows: totalRows, files: items.length, fileBytes, missingFiles: missingFiles.length, archiveBytes: tar.bytes, snapshotMs };
  } finally {
    await fs.rm(spool, { recursive: true, force: true });
  }
}

export interface VerifiedArchive {
  file: string;
  manifest: BackupManifest;
  entries: Map<string, TarEntry>;
}

/** Journal entries of a migrations folder (`meta/_journal.json`). */
interface JournalEntry { idx: number; when: number; tag: string; breakpoints: boolean }
async function readJournal(folder: string): Promise<{ journal: Record<string, unknown>; entries: JournalEntry[] }> {
  const journal = JSON.parse(await fs.readFile(path.join(folder, 'meta', '_journal.json'), 'utf8')) as Record<string, unknown> & { entries: JournalEntry[] };
  return { journal, entries: journal.entries };
}

/**
 * Reads the whole archive once and checks it: structure, format and version, every checksum,
 * every count, and that this version knows every migration the backup was taken at.
 * Throws BackupArchiveError (nothing written anywhere).
 */
export async function verifyArchive(file: string, opts: { migrationsFolder: string }): Promise<VerifiedArchive> {
  let index: TarEntry[];
  try {
    index = await readTarIndex(file);
  } catch (err) {
    if (err instanceof TarFormatError) throw new BackupArchiveError(`${file} is not a readable backup: ${err.message}.`);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BackupArchiveError(`${file} does not exist.`);
    if (code === 'EISDIR') throw new BackupArchiveError(`${file} is a folder, not a backup file.`);
    if (code === 'EACCES') throw new BackupArchiveError(`${file} cannot be read (permission denied).`);
    throw err;
  }
  const readJson = async (entry: TarEntry) => {
    if (entry.size > 512 * 1024 * 1024) throw new BackupArchiveError(`${file}: ${entry.name} is implausibly large.`);
    const chunks: Buffer[] = [];
    for await (const c of openTarEntry(file, entry)) chunks.push(c as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      throw new BackupArchiveError(`${file} is damaged: ${entry.name} is not valid JSON.`);
    }
  };
  if (index[0]?.name !== HEADER_ENTRY) throw new BackupArchiveError(`${file} is not an AInfluencer backup (it does not start with ${HEADER_ENTRY}).`);
  const header = await readJson(index[0]);
  const format = z.object({ format: z.string(), formatVersion: z.number() }).safeParse(header);
  if (!format.success || format.data.format !== BACKUP_FORMAT) throw new BackupArchiveError(`${file} is not an AInfluencer backup.`);
  if (format.data.formatVersion !== BACKUP_FORMAT_VERSION) {
    throw new BackupArchiveError(
      format.data.formatVersion > BACKUP_FORMAT_VERSION
        ? `${file} was made by a newer version of AInfluencer (backup format ${format.data.formatVersion}; this version reads format ${BACKUP_FORMAT_VERSION}). Upgrade AInfluencer, then restore.`
        : `${file} has backup format ${format.data.formatVersion}, which this version cannot read (it reads format ${BACKUP_FORMAT_VERSION}).`,
    );
  }
  const last = index[index.length - 1];
  if (last?.name !== MANIFEST_ENTRY) throw new BackupArchiveError(`${file} is incomplete: it has no ${MANIFEST_ENTRY} at its end (was the backup interrupted?).`);
  const parsed = manifestSchema.safeParse(await readJson(last));
  if (!parsed.success) throw new BackupArchiveError(`${file} is damaged: its manifest does not describe a backup (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}).`);
  const manifest = parsed.data;

  const entries = new Map(index.map((e) => [e.name, e]));
  if (entries.size !== index.length) throw new BackupArchiveError(`${file} is damaged: it holds the same entry twice.`);
  const expected = new Map<string, { size: number; sha256: string }>();
  for (const t of manifest.tables) expected.set(t.entry, { size: t.bytes, sha256: t.sha256 });
  for (const f of manifest.files.items) {
    try {
      assertValidKey(f.key);
    } catch {
      throw new BackupArchiveError(`${file} is damaged: it names an invalid storage key ${JSON.stringify(f.key)}.`);
    }
    expected.set(fileEntry(f.key), { size: f.size, sha256: f.sha256 });
  }
  for (const e of index) {
    if (e.name === HEADER_ENTRY || e.name === MANIFEST_ENTRY) continue;
    if (!expected.has(e.name)) throw new BackupArchiveError(`${file} is damaged: ${e.name} is not in its manifest.`);
  }
  for (const [name, want] of expected) {
    const e = entries.get(name);
    if (!e) throw new BackupArchiveError(`${file} is incomplete: ${name} is missing.`);
    if (e.size !== want.size) throw new BackupArchiveError(`${file} is damaged: ${name} has ${e.size} bytes, the manifest says ${want.size}.`);
    if ((await hashTarEntry(file, e)) !== want.sha256) throw new BackupArchiveError(`${file} is damaged: the checksum of ${name} does not match.`);
  }
  const known = new Set((await readJournal(opts.migrationsFolder)).entries.map((e) => e.when));
  const unknown = manifest.migrations.filter((m) => !known.has(m.createdAt));
  if (unknown.length) {
    throw new BackupArchiveError(`${file} was taken by a newer version of AInfluencer (${manifest.appVersion}: its database has ${unknown.length} migration(s) this version does not know). Upgrade AInfluencer, then restore.`);
  }
  return { file, manifest, entries };
}

export interface RestoreTarget {
  database: Database;
  storage: Storage;
  migrationsFolder: string;
}

export interface RestoreSummary {
  tables: number;
  rows: number;
  files: number;
  fileBytes: number;
  /** Files the snapshot referenced that were deleted before the backup could copy them. */
  missingFiles: number;
  /** The target was already migrated past the backup's schema: rows went into the newer one. */
  newerSchema: boolean;
}

/**
 * Refuses a target with data: any row outside INSTANCE_TABLES, or an object at a key the archive
 * would write with other content (identical content is a leftover of an interrupted restore).
 */
async function checkRestoreTarget(target: Pick<RestoreTarget, 'database' | 'storage'>, archive: VerifiedArchive): Promise<void> {
  const repo = new BackupRepository(target.database.db);
  const filled = await repo.nonEmptyTables(INSTANCE_TABLES);
  if (filled.length) {
    throw new RestoreTargetNotEmptyError(
      `The ${target.database.kind === 'pglite' ? 'embedded database' : 'database'} is not empty (${filled.map((f) => `${f.table}: ${f.rows}`).join(', ')}). ` +
        'Restore only into an empty database: point DATA_DIR at a new folder, or DATABASE_URL at a new database.',
    );
  }
  let clashes = 0;
  let first = '';
  for (const f of archive.manifest.files.items) {
    const existing = await target.storage.stat(f.key);
    if (!existing) continue;
    if (existing.size === f.size) {
      const { body } = await target.storage.get(f.key);
      const hash = createHash('sha256');
      for await (const c of body) hash.update(c as Buffer);
      if (hash.digest('hex') === f.sha256) continue;
    }
    clashes++;
    first ||= f.key;
  }
  if (clashes) {
    throw new RestoreTargetNotEmptyError(
      `The storage already holds ${clashes} different file(s) at keys this backup would write (first: ${first}). ` +
        `Restore only into empty storage: point ${target.storage.driver === 'local' ? 'STORAGE_DIR (or DATA_DIR)' : 'S3_BUCKET'} at an empty one.`,
    );
  }
}

/** Migrations up to the backup's: a temp copy of the folder with the journal cut there. */
async function migrationsUpTo(folder: string, applied: AppliedMigration[], into: string): Promise<string> {
  const { journal, entries } = await readJournal(folder);
  const last = Math.max(0, ...applied.map((m) => m.createdAt));
  const keep = entries.filter((e) => e.when <= last);
  const out = path.join(into, 'migrations');
  await fs.mkdir(path.join(out, 'meta'), { recursive: true });
  await fs.writeFile(path.join(out, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: keep }));
  for (const e of keep) await fs.copyFile(path.join(folder, `${e.tag}.sql`), path.join(out, `${e.tag}.sql`));
  return out;
}

/**
 * Loads a verified archive into an empty target, all or nothing: files are copied first, then
 * every row in one transaction; on any failure the transaction rolls back and the copied files
 * are deleted. The database is migrated to the backup's migration first, so rows load into the
 * schema they were taken from; the caller then migrates to the latest version (createContext).
 */
export async function restoreBackup(target: RestoreTarget, archive: VerifiedArchive, opts: { onProgress?: (line: string) => void } = {}): Promise<RestoreSummary> {
  const progress = opts.onProgress ?? (() => {});
  const { manifest, file, entries } = archive;
  await checkRestoreTarget(target, archive);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'ainfluencer-restore-'));
  const written: string[] = [];
  let step = 'migrating the database';
  try {
    const repo = new BackupRepository(target.database.db);
    const last = Math.max(0, ...manifest.migrations.map((m) => m.createdAt));
    const newerSchema = (await repo.migrations()).some((m) => m.createdAt > last);
    if (newerSchema) progress('The database is already at a newer schema than the backup: rows are loaded into it (new columns take their defaults).');
    else await target.database.migrate(await migrationsUpTo(target.migrationsFolder, manifest.migrations, work));

    progress(`Copying ${manifest.files.count} files (${mb(manifest.files.bytes)})…`);
    for (const f of manifest.files.items) {
      step = `copying ${f.key}`;
      const entry = entries.get(fileEntry(f.key))!;
      written.push(f.key);
      await target.storage.putStream(f.key, openTarEntry(file, entry), f.size, f.contentType);
    }

    let rows = 0;
    await repo.restore(async (writer) => {
      const existing = new Map((await writer.tables()).map((t) => [t.name, t]));
      for (const t of manifest.tables) {
        if (!existing.has(t.name)) throw new BackupArchiveError(`${file}: table ${t.name} does not exist at the backup's schema version; the archive and its migrations disagree.`);
      }
      for (const name of INSTANCE_TABLES) if (existing.has(name)) await writer.clear(name);
      const checkReferences = await writer.deferForeignKeys();
      // Dependency order of the target's catalog; foreign keys are checked once everything is in.
      const order = [...existing.values()].filter((t) => manifest.tables.some((m) => m.name === t.name));
      for (const table of order) {
        const m = manifest.tables.find((x) => x.name === table.name)!;
        step = `loading table ${table.name}`;
        let batch: string[] = [];
        let bytes = 0;
        const lines = createInterface({ input: openTarEntry(file, entries.get(m.entry)!), crlfDelay: Infinity });
        for await (const line of lines) {
          if (!line) continue;
          batch.push(line);
          bytes += line.length;
          if (batch.length >= LOAD_BATCH_ROWS || bytes >= LOAD_BATCH_BYTES) {
            await writer.insert(table, m.columns, batch);
            batch = [];
            bytes = 0;
          }
        }
        await writer.insert(table, m.columns, batch);
        const count = await writer.count(table.name);
        if (count !== m.rows) throw new BackupArchiveError(`${file}: table ${table.name} loaded ${count} rows, the manifest says ${m.rows}.`);
        await writer.fixSequences(table);
        rows += m.rows;
      }
      step = 'checking the references between tables';
      await checkReferences();
    });
    progress(`Loaded ${rows} rows into ${manifest.tables.length} tables.`);
    return { tables: manifest.tables.length, rows, files: manifest.files.count, fileBytes: manifest.files.bytes, missingFiles: manifest.missingFiles.length, newerSchema };
  } catch (err) {
    // All or nothing: the transaction rolled back; remove the files copied so far.
    for (const key of written) await target.storage.delete(key).catch(() => {});
    if (err instanceof BackupArchiveError || err instanceof RestoreTargetNotEmptyError) throw err;
    // The database's own words, not the query wrapper's (which repeats the SQL and every row).
    const dbError = findPgError(err) as { message?: string } | undefined;
    const reason = dbError?.message ?? (err instanceof Error ? err.message : String(err));
    throw new RestoreFailedError(`The restore failed while ${step}: ${reason}. It was undone: nothing was restored.`, { cause: err });
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/**
 * Queues again the work that was in flight when the backup was taken (the queue itself is not
 * in the archive). Handlers are idempotent and singleton keys stop doubles. Returns how many.
 */
export async function requeueInFlight(deps: { database: Pick<Database, 'db'>; queue: Pick<Queue, 'send'> }): Promise<number> {
  const repo = new BackupRepository(deps.database.db);
  let n = 0;
  for (const id of await repo.idsWhere('assets', 'status', 'processing')) {
    await deps.queue.send(JobName.AssetIngest, { assetId: id }, { singletonKey: id });
    n++;
  }
  for (const id of await repo.idsWhere('reference_photos', 'status', 'processing')) {
    await deps.queue.send(JobName.ReferencePhotoThumbnail, { photoId: id }, { singletonKey: id });
    n++;
  }
  return n;
}
