// Backup and restore in-process, on the real database of the run (PGlite copy, or a fresh
// database on the Postgres server) and real local storage: every table of the schema is in the
// archive, every value comes back exactly (microsecond timestamps, jsonb, arrays, floats, nulls),
// a file deleted between the snapshot and its copy is reported, and the tar and failure helpers
// behave. The command-line journeys (running studio, S3, kill -9, bad archives) are in
// backup-cli.test.ts.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import pino from 'pino';
import { buffer as readAll } from 'node:stream/consumers';
import { getTableName, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as schema from '../src/db/schema.ts';
import { describeFailure } from '../src/commands/failure.ts';
import { migrationsFolder, openDatabase, type Db } from '../src/infra/database.ts';
import { LocalStorage } from '../src/infra/storage/index.ts';
import { DatabaseLockedError } from '../src/infra/lock.ts';
import { StorageNotFoundError, type Storage } from '../src/infra/storage/storage.ts';
import { readTarIndex, TarWriter } from '../src/infra/tar.ts';
import { ControlServer, requestBackup } from '../src/infra/control-socket.ts';
import { BackupArchiveError, restoreBackup, verifyArchive, writeBackup } from '../src/services/backup/backup.service.ts';
import { createTestApp, type TestApp } from './harness.ts';

let source: TestApp;
let target: TestApp;
let tmp: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ainfluencer-backup-'));
  // No workers: the outbox dispatcher would mark restored domain events dispatched between the
  // restore and the comparison (the CLI tests cover a running studio).
  [source, target] = await Promise.all([createTestApp({}, { workers: false }), createTestApp({}, { workers: false })]);
}, 120_000);
afterAll(async () => {
  await Promise.all([source?.close(), target?.close()]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function tableRows(db: Db): Promise<Record<string, string[]>> {
  const tables = (await db.execute(sql`select tablename from pg_tables where schemaname = 'public' order by tablename`)).rows as Array<{ tablename: string }>;
  const out: Record<string, string[]> = {};
  for (const { tablename } of tables) {
    const rows = (await db.execute(sql`select row_to_json(t)::text as j from ${sql.identifier(tablename)} t`)).rows as Array<{ j: string }>;
    out[tablename] = rows.map((r) => r.j).sort();
  }
  return out;
}

async function backupTo(file: string, storage: Storage = source.ctx.storage) {
  const out = fs.createWriteStream(file, { mode: 0o600 });
  const summary = await writeBackup({ database: source.ctx.database, storage, appVersion: '9.9.9' }, out);
  await new Promise((r) => (out.closed ? r(null) : out.once('close', r)));
  return summary;
}

const key = (id: string, name: string) => `users/u-backup/characters/${id}/assets/${id}/${name}`;

describe('backup and restore of one instance', () => {
  const charId = '7d0c2f8e-4b7a-4e8e-9a51-2f0f6c1d9a01';
  const assetA = '0b5f7a8c-1111-4c3e-8a7b-3c2d1e0f9a01';
  const assetB = '0b5f7a8c-2222-4c3e-8a7b-3c2d1e0f9a02';
  const photoId = '5a1e7c3d-3333-4c3e-8a7b-3c2d1e0f9a03';
  const files: Record<string, Buffer> = {};

  beforeAll(async () => {
    const db = source.ctx.database.db;
    // Values that a naive dump would bend: microseconds, unicode, quotes and commas in arrays,
    // floats that are not exact in binary, jsonb strings and nulls.
    await db.execute(sql`insert into users (id, name, email, email_verified, role, adult_content_at, created_at, updated_at)
      values ('u-backup', 'Zoë "Quotes" O''Brien, Jr.', 'zoe@example.com', true, 'user', '2024-02-29 23:59:59.123456+00', '2001-01-01 00:00:00.000001+00', now())`);
    await db.execute(sql`insert into characters (id, user_id, name, handle, age, interests, active_hours, persona, appearance, gates, created_at, updated_at)
      values (${charId}, 'u-backup', 'Zoë ✨', 'zoe.✨', 31, ${JSON.stringify(['a,b', 'c"d', 'ü', '日本'])}::jsonb, '{"start":"07:00","end":"21:00"}'::jsonb,
              ${JSON.stringify({ voice: 'line1\nline2\t"quoted"\\', warmth: 0.1, flirt: 1e-7, nested: { empty: [], nul: null } })}::jsonb, '"just a json string"'::jsonb, '{}'::jsonb,
              '2023-06-15 12:34:56.789012+00', '2023-06-15 12:34:56.789013+00')`);
    // Tables that reference each other: the character's avatar is one of its reference photos.
    const photoKey = `users/u-backup/characters/${charId}/photos/${photoId}.jpg`;
    files[photoKey] = randomBytes(20_000);
    await source.ctx.storage.put(photoKey, files[photoKey], 'image/jpeg');
    await db.execute(sql`insert into reference_photos (id, user_id, character_id, storage_key, mime_type, width, height, bytes, sha256, status, face_embedding)
      values (${photoId}, 'u-backup', ${charId}, ${photoKey}, 'image/jpeg', 640, 480, 20000, 'abc', 'ready', ${JSON.stringify([0.1, -0.2, 1e-9])}::jsonb)`);
    await db.execute(sql`update characters set avatar_photo_id = ${photoId} where id = ${charId}`);
    // A table with a sequence (bigserial): ids 1–3 used, then a gap (a rolled-back insert).
    await db.execute(sql`insert into domain_events (user_id, type, data, dispatched_at) values ('u-backup', 'Test', '{}'::jsonb, now()), ('u-backup', 'Test', '{"n":2}'::jsonb, null), (null, 'Test', '{}'::jsonb, null)`);
    await db.execute(sql`insert into domain_events (id, user_id, type, data) values (40, null, 'Test', '{}'::jsonb)`);
    for (const [id, name] of [[assetA, 'original.jpg'], [assetB, 'thumb.webp']] as const) {
      const data = randomBytes(50_000 + Math.floor(Math.random() * 1000));
      files[key(id, name)] = data;
      await source.ctx.storage.put(key(id, name), data, name.endsWith('jpg') ? 'image/jpeg' : 'image/webp');
      await db.execute(sql`insert into assets (id, user_id, character_id, kind, source, status, original_name, mime_type, bytes, sha256, tags, identity_score, min_face_age, storage_key, created_at, updated_at)
        values (${id}, 'u-backup', ${charId}, 'image', 'upload', 'approved', ${`file, "${name}"`}, 'image/jpeg', ${data.length}, ${createHash('sha256').update(data).digest('hex')},
                ${sql`array['with,comma', 'with "quote"', 'back\\slash', '', 'ü']::text[]`}, 0.30000000000000004, 17.299999, ${key(id, name)},
                '2024-01-01 00:00:00.999999+00', '2024-01-01 00:00:00.5+00')`);
    }
  });

  test('every table of the schema is in the archive, every row and file comes back exactly, and the target was empty', async () => {
    const file = path.join(tmp, 'full.tar');
    const summary = await backupTo(file);
    const archive = await verifyArchive(file, { migrationsFolder });

    // Coverage: the tables of the Drizzle schema, the database catalog and the archive agree.
    const drizzleTables = Object.values(schema).filter((v) => is(v, PgTable)).map((t) => getTableName(t as PgTable)).sort();
    const catalog = Object.keys(await tableRows(source.ctx.database.db)).sort();
    expect(catalog).toEqual(drizzleTables);
    expect(archive.manifest.tables.map((t) => t.name).sort()).toEqual(drizzleTables);
    // Dependency order: users before characters before assets.
    const order = archive.manifest.tables.map((t) => t.name);
    expect(order.indexOf('users')).toBeLessThan(order.indexOf('characters'));
    expect(order.indexOf('characters')).toBeLessThan(order.indexOf('assets'));
    expect(archive.manifest).toMatchObject({ format: 'ainfluencer-backup', formatVersion: 1, appVersion: '9.9.9', database: source.ctx.database.kind, storage: 'local', missingFiles: [] });
    expect(archive.manifest.files.items.map((f) => f.key).sort()).toEqual(Object.keys(files).sort());
    expect(summary).toMatchObject({ files: 3, missingFiles: 0, tables: drizzleTables.length });

    const before = await tableRows(source.ctx.database.db);
    const restored = await restoreBackup({ database: target.ctx.database, storage: target.ctx.storage, migrationsFolder }, archive);
    expect(restored).toMatchObject({ files: 3, newerSchema: false });
    const after = await tableRows(target.ctx.database.db);
    expect(after).toEqual(before);
    expect(after.users.join()).toContain('2001-01-01T00:00:00.000001+00:00');
    // Sequences moved past the restored ids: the next event gets a fresh id, no clash.
    const next = (await target.ctx.database.db.execute(sql`insert into domain_events (type, data) values ('Next', '{}'::jsonb) returning id`)).rows as Array<{ id: number | string }>;
    expect(Number(next[0].id)).toBe(41);
    await target.ctx.database.db.execute(sql`delete from domain_events where type = 'Next'`);
    for (const [k, data] of Object.entries(files)) {
      const got = await target.ctx.storage.get(k);
      expect(got.contentType).toBe(k.endsWith('jpg') ? 'image/jpeg' : 'image/webp');
      expect((await readAll(got.body)).equals(data)).toBe(true);
    }

    // The target now has data: a second restore is refused before anything is written.
    await expect(restoreBackup({ database: target.ctx.database, storage: target.ctx.storage, migrationsFolder }, archive)).rejects.toThrow(/is not empty \((?=.*\busers: 1\b)(?=.*\bcharacters: 1\b)(?=.*\breference_photos: 1\b)(?=.*\bassets: 2\b)(?=.*\bdomain_events: 4\b)[^)]*\)/);
    expect(await tableRows(target.ctx.database.db)).toEqual(before);
  });

  test('a file deleted between the snapshot and its copy is listed as missing; the rest is complete', async () => {
    const victim = key(assetB, 'thumb.webp');
    const real = source.ctx.storage;
    // The real storage, with the object really deleted at the moment the backup reaches it.
    const racing: Storage = Object.assign(Object.create(Object.getPrototypeOf(real)) as Storage, {
      driver: real.driver,
      put: real.put.bind(real), putStream: real.putStream.bind(real), stat: real.stat.bind(real), delete: real.delete.bind(real),
      deletePrefix: real.deletePrefix.bind(real), check: real.check.bind(real),
      get: async (k: string) => {
        if (k === victim) await real.delete(k);
        return real.get(k);
      },
    });
    const file = path.join(tmp, 'racing.tar');
    const summary = await backupTo(file, racing);
    expect(summary.missingFiles).toBe(1);
    const archive = await verifyArchive(file, { migrationsFolder });
    expect(archive.manifest.missingFiles).toEqual([{ key: victim, reason: 'deleted after the snapshot was taken' }]);
    expect(archive.manifest.files.items.map((f) => f.key).sort()).toEqual([key(assetA, 'original.jpg'), `users/u-backup/characters/${charId}/photos/${photoId}.jpg`].sort());
    await expect(real.get(victim)).rejects.toBeInstanceOf(StorageNotFoundError);
    await real.put(victim, files[victim], 'image/webp'); // put back for other tests
  });
});

describe.skipIf(!process.env.DATABASE_URL)('across database kinds', () => {
  test('a backup of the Postgres server restores into an embedded database, row for row', async () => {
    const file = path.join(tmp, 'to-pglite.tar');
    await backupTo(file);
    const archive = await verifyArchive(file, { migrationsFolder });
    const database = await openDatabase({ kind: 'pglite', dataDir: null });
    const storage = new LocalStorage({ dir: path.join(tmp, 'pglite-media') });
    try {
      await restoreBackup({ database, storage, migrationsFolder }, archive);
      expect(await tableRows(database.db)).toEqual(await tableRows(source.ctx.database.db));
    } finally {
      await database.close();
    }
  });
});

describe('control socket', () => {
  test('a data folder too long for a socket address gets its socket in the temp folder, mode 0600; the client finds it and gets the bytes and the summary', async () => {
    const dataDir = path.join(tmp, 'x'.repeat(120));
    const payload = randomBytes(300_000);
    const server = await ControlServer.start(dataDir, {
      backup: async (out, progress) => {
        progress('halfway');
        await new Promise<void>((resolve, reject) => out.end(payload, (err?: Error | null) => (err ? reject(err) : resolve())));
        return { bytes: payload.length };
      },
    }, pino({ level: 'silent' }));
    try {
      expect(server.path.startsWith(os.tmpdir())).toBe(true);
      expect(fs.statSync(server.path).mode & 0o777).toBe(0o600);
      const chunks: Buffer[] = [];
      const into = new Writable({ write(c: Buffer, _e, done) { chunks.push(c); done(); } });
      const lines: string[] = [];
      const summary = await requestBackup(dataDir, into, (l) => lines.push(l));
      expect(summary).toEqual({ bytes: payload.length });
      expect(lines).toEqual(['halfway']);
      expect(Buffer.concat(chunks).equals(payload)).toBe(true);
    } finally {
      await server.close();
    }
    expect(fs.existsSync(server.path)).toBe(false);
    await expect(requestBackup(dataDir, new Writable({ write: (_c, _e, d) => d() }), () => {})).rejects.toThrow(/does not answer on its control socket/);
  });
});

describe('tar', () => {
  test('long names (ustar prefix and pax), empty entries and GNU-tar-compatible headers round-trip; damage and truncation are detected', async () => {
    const file = path.join(tmp, 't.tar');
    const out = fs.createWriteStream(file);
    const w = new TarWriter(out);
    const long = `files/users/${'u'.repeat(32)}/characters/${'c'.repeat(36)}/assets/${'a'.repeat(36)}/original.jpg`;
    const veryLong = `files/${'y'.repeat(180)}/z.bin`;
    const body = randomBytes(70_000);
    await w.addBuffer('backup.json', Buffer.from('{}'));
    const e1 = await w.addStream(long, body.length, Readable.from([body.subarray(0, 1000), body.subarray(1000)]));
    await w.addBuffer(veryLong, Buffer.from('x'));
    await w.addBuffer('empty', Buffer.alloc(0));
    await w.finish();
    await new Promise<void>((resolve) => out.end(resolve));
    expect(e1.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    const index = await readTarIndex(file);
    expect(index.map((e) => [e.name, e.size])).toEqual([['backup.json', 2], [long, body.length], [veryLong, 1], ['empty', 0]]);

    const bytes = fs.readFileSync(file);
    fs.writeFileSync(`${file}.cut`, bytes.subarray(0, 40_000));
    await expect(readTarIndex(`${file}.cut`)).rejects.toThrow(/truncated/);
    const damaged = Buffer.from(bytes);
    damaged[512 + 512 + 10] ^= 0xff; // inside the second entry's header
    fs.writeFileSync(`${file}.bad`, damaged);
    await expect(readTarIndex(`${file}.bad`)).rejects.toThrow(/checksum/);
  });

  test('a stream that runs short of its announced size fails instead of writing a broken entry', async () => {
    const w = new TarWriter(fs.createWriteStream(path.join(tmp, 'short.tar')));
    await expect(w.addStream('x', 100, Readable.from([Buffer.alloc(50)]))).rejects.toThrow(/ended after 50 of 100 bytes/);
  });

  test('verifyArchive refuses a tar that is not a backup', async () => {
    const file = path.join(tmp, 'other.tar');
    const out = fs.createWriteStream(file);
    const w = new TarWriter(out);
    await w.addBuffer('readme.txt', Buffer.from('hello'));
    await w.finish();
    await new Promise<void>((resolve) => out.end(resolve));
    await expect(verifyArchive(file, { migrationsFolder })).rejects.toBeInstanceOf(BackupArchiveError);
    await expect(verifyArchive(file, { migrationsFolder })).rejects.toThrow(/is not an AInfluencer backup/);
  });
});

describe('what the CLI prints for a failure', () => {
  test('known failures read as one sentence with the right exit code; a thrown non-Error is described, never "[object Object]"', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/data/x.tar' });
    expect(describeFailure(enospc)).toEqual({ exitCode: 1, message: 'The disk is full (no space left while writing /data/x.tar). Free some space, then run the command again.' });
    expect(describeFailure(new Error('outer', { cause: { code: 'ENOSPC' } })).message).toMatch(/^The disk is full \(no space left on the device\)\./);
    expect(describeFailure({ code: '53100', message: 'could not extend file' })).toMatchObject({ exitCode: 1, message: expect.stringMatching(/^The disk is full/) });
    expect(describeFailure(new DatabaseLockedError('The embedded database in /x is in use by another process (pid 1).'))).toEqual({ exitCode: 2, message: 'The embedded database in /x is in use by another process (pid 1).' });
    expect(describeFailure(new BackupArchiveError('bad.tar is damaged'))).toEqual({ exitCode: 2, message: 'bad.tar is damaged' });
    expect(describeFailure(new Error('Failed query', { cause: { code: '3D000', message: 'database "x" does not exist' } }))).toMatchObject({ exitCode: 2, message: expect.stringMatching(/^The database named in DATABASE_URL does not exist\. Create it first/) });
    const refused = new AggregateError([Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 5999 })], 'connect failed');
    expect(describeFailure(Object.assign(refused, { code: 'ECONNREFUSED' }))).toEqual({ exitCode: 1, message: 'Nothing answers at 127.0.0.1:5999 (connection refused). Is the server running, and is the address right?' });
    expect(describeFailure(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })).message).toMatch(/^The program reading the output stopped before the end \(EPIPE\)/);
    for (const [value, expected] of [
      [{ reason: 'weird', detail: { n: 1 } }, "Failed: { reason: 'weird', detail: { n: 1 } }"],
      [{ message: 'socket hang up', code: 'ECONNRESET' }, 'Failed: socket hang up (ECONNRESET)'],
      ['plain string', 'Failed: plain string'],
      [undefined, 'Failed: (nothing: undefined)'],
      [42, 'Failed: 42'],
    ] as const) {
      const f = describeFailure(value);
      expect(f).toEqual({ exitCode: 1, message: expected });
      expect(f.message).not.toContain('[object Object]');
    }
    const bug = describeFailure(new TypeError('x is not a function'));
    expect(bug.exitCode).toBe(1);
    expect(bug.message).toMatch(/^TypeError: x is not a function\n\s+at /); // a bug keeps its stack
  });
});
