// `ainfluencer backup` / `restore` as an operator runs them: real processes, the database of the
// run (embedded PGlite folders, or fresh databases on the Postgres server when DATABASE_URL is
// set), local folders and a real S3-compatible server (s3rver). Round trips compare every row
// of every table and every stored file byte for byte; a backup is taken while uploads and jobs
// run; a backup killed with -9 leaves nothing at FILE; bad archives and non-empty targets are
// refused with exit code 2 and nothing written; a restore that fails midway is undone.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrationsFolder, openDatabase } from '../src/infra/database.ts';
import { openTarEntry, readTarIndex, TarWriter } from '../src/infra/tar.ts';
import { verifyArchive } from '../src/services/backup/backup.service.ts';
import { faceTile } from '../src/services/demo-media.ts';
import { api, cliEnv, killAll, login, run, spawnCli, start } from './support/cli.ts';
import { serverDatabase } from './support/databases.ts';
import { startS3rver, type RunningS3rver } from './support/s3rver.ts';

const usingPostgres = Boolean(process.env.DATABASE_URL);
const ADMIN = { email: 'owner@example.com', password: 'owner-password-1' };

let tmp: string;
const databases: Array<{ drop(): Promise<void> }> = [];
const s3servers: RunningS3rver[] = [];

interface Instance {
  dataDir: string;
  env: Record<string, string | undefined>;
  /** Every row of every table in `public`, as Postgres' JSON of the row, sorted. Stopped instances only (embedded). */
  rows(): Promise<Record<string, string[]>>;
  /** Every stored object (local: every file, sidecars included) → sha256. */
  files(): Promise<Record<string, string>>;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function walk(dir: string, base = dir, out: Record<string, string> = {}): Record<string, string> {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, base, out);
    else if (!e.name.includes('~tmp-')) out[path.relative(base, p).split(path.sep).join('/')] = sha(fs.readFileSync(p));
  }
  return out;
}

async function newInstance(name: string, storage: 'local' | 's3'): Promise<Instance> {
  const dataDir = path.join(tmp, `${name}-${randomBytes(3).toString('hex')}`);
  let dbUrl: string | undefined;
  if (usingPostgres) {
    const db = await serverDatabase('ainf_bk');
    databases.push(db);
    dbUrl = db.url;
  }
  let s3: RunningS3rver | undefined;
  if (storage === 's3') {
    s3 = await startS3rver();
    s3servers.push(s3);
  }
  const env = cliEnv(dataDir, { ...(dbUrl ? { DATABASE_URL: dbUrl } : {}), ...(s3?.env ?? {}) });
  return {
    dataDir,
    env,
    async rows() {
      const database = await openDatabase(dbUrl ? { kind: 'postgres', url: dbUrl, poolSize: 1 } : { kind: 'pglite', dataDir: path.join(dataDir, 'db') });
      try {
        const tables = (await database.db.execute(sql`select tablename from pg_tables where schemaname = 'public' order by tablename`)).rows as Array<{ tablename: string }>;
        const out: Record<string, string[]> = {};
        for (const { tablename } of tables) {
          const rows = (await database.db.execute(sql`select row_to_json(t)::text as j from ${sql.identifier(tablename)} t`)).rows as Array<{ j: string }>;
          out[tablename] = rows.map((r) => r.j).sort();
        }
        return out;
      } finally {
        await database.close();
      }
    },
    async files() {
      if (!s3) return walk(path.join(dataDir, 'media'));
      const out: Record<string, string> = {};
      for (const k of await s3.listKeys()) out[k] = sha(await s3.getObject(k));
      return out;
    },
  };
}

/** The rows of each table as the archive holds them (same JSON text as `rows()`), sorted. */
async function archiveRows(file: string): Promise<Record<string, string[]>> {
  const { manifest, entries } = await verifyArchive(file, { migrationsFolder });
  const out: Record<string, string[]> = {};
  for (const t of manifest.tables) {
    const chunks: Buffer[] = [];
    for await (const c of openTarEntry(file, entries.get(t.entry)!)) chunks.push(c as Buffer);
    out[t.name] = Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).sort();
  }
  return out;
}

/** Multipart body for POST /api/assets (fields first) or the photo upload. */
function multipart(files: Array<{ name: string; data: Buffer }>, fields: Record<string, string> = {}) {
  const boundary = `----ainf${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`), f.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { raw: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function uploadAsset(base: string, cookie: string, file: { name: string; data: Buffer }, fields: Record<string, string> = {}) {
  const body = multipart([file], fields);
  const res = await api(base, 'POST', '/api/assets', { cookie, raw: body.raw, headers: body.headers });
  if (res.status !== 201) throw new Error(`upload failed (${res.status}): ${res.text}`);
  return res.json.items[0] as { id: string };
}

let imageCounter = 0;
/** A distinct small image each call. */
function smallImage(): Promise<Buffer> {
  imageCounter++;
  return sharp({ create: { width: 320, height: 240, channels: 3, background: { r: (imageCounter * 53) % 256, g: (imageCounter * 97) % 256, b: (imageCounter * 31) % 256 } } })
    .composite([{ input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240"><circle cx="${40 + (imageCounter * 37) % 240}" cy="120" r="50" fill="#fff"/></svg>`) }])
    .jpeg()
    .toBuffer();
}

/** Polls until nothing of the user is processing (the positive signal that every job ran). */
async function settled(base: string, cookie: string, characterId?: string) {
  for (let i = 0; i < 600; i++) {
    const counts = await api(base, 'GET', '/api/assets/counts', { cookie });
    let photosBusy = false;
    if (characterId) {
      const photos = await api(base, 'GET', `/api/characters/${characterId}/photos`, { cookie });
      photosBusy = (photos.json.items as Array<{ status: string }>).some((p) => p.status === 'processing');
    }
    if (!(counts.json.byStatus.processing > 0) && !photosBusy) return counts.json;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('still processing');
}

async function adminSession(inst: Instance) {
  const admin = await run(['create-admin', '--email', ADMIN.email, '--password', ADMIN.password], inst.env);
  expect(admin.code, admin.stderr).toBe(0);
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ainfluencer-backup-cli-'));
});

afterAll(async () => {
  killAll();
  for (const s of s3servers) await s.close().catch(() => {});
  for (const db of databases) await db.drop().catch(() => {});
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.each(['local', 's3'] as const)(`round trip on ${usingPostgres ? 'Postgres' : 'PGlite'} + %s storage`, (storage) => {
  test('the seeded demo, backed up while the studio runs and restored elsewhere, has every row and every file; its sessions still work', async () => {
    const src = await newInstance('src', storage);
    const seed = await run(['seed-demo'], src.env, 300_000);
    expect(seed.code, seed.stderr).toBe(0);
    const file = path.join(tmp, `round-trip-${storage}.tar`);

    const studio = await start([], src.env);
    let cookie: string;
    let countsBefore: unknown;
    try {
      cookie = await login(studio.base, 'demo@example.com', 'demo-password');
      countsBefore = (await api(studio.base, 'GET', '/api/assets/counts', { cookie })).json;
      if (!usingPostgres) {
        // The embedded studio answers backups on its control socket: the owner's alone.
        const sock = fs.statSync(path.join(src.dataDir, 'control.sock'));
        expect(sock.isSocket()).toBe(true);
        expect(sock.mode & 0o777).toBe(0o600);
      }
      const b = await run(['backup', file], src.env);
      expect(b.code, b.stderr).toBe(0);
      expect(b.stdout).toMatch(new RegExp(`^Backup written to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${usingPostgres ? '' : ' \\(made by the running studio, pid \\d+\\)'}: [\\d.]+ MB, \\d+ tables, \\d+ rows, \\d+ files`, 'm'));
      expect(fs.statSync(file).mode & 0o777).toBe(0o600); // it holds password hashes and the auth secret
      expect((await api(studio.base, 'GET', '/api/health')).status).toBe(200);
    } finally {
      const stopped = await studio.stop();
      expect(stopped.code).toBe(0);
    }
    const srcRows = await src.rows();
    const srcFiles = await src.files();
    expect(srcRows.assets).toHaveLength(13);
    expect(Object.keys(srcFiles).length).toBeGreaterThan(30);

    const dst = await newInstance('dst', storage);
    const r = await run(['restore', file], dst.env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/checksums verified/);
    expect(r.stdout).toMatch(/Restored \d+ rows into \d+ tables and \d+ files/);
    const dstRows = await dst.rows();
    // Exactly the snapshot…
    expect(dstRows).toEqual(await archiveRows(file));
    // …which is the source as it stood: every row of every table. The one exception is the
    // domain-event outbox, whose delivery marks the running source may still have set after the
    // snapshot; its events themselves must all be there.
    const stable = (rows: Record<string, string[]>) => ({
      ...rows,
      domain_events: rows.domain_events.map((j) => { const { id, type, user_id, data, created_at } = JSON.parse(j); return JSON.stringify({ id, type, user_id, data, created_at }); }).sort(),
    });
    expect(stable(dstRows)).toEqual(stable(srcRows));
    expect(await dst.files()).toEqual(srcFiles);

    const restored = await start([], dst.env);
    try {
      // The session made before the backup is valid on the restored studio (sessions and the
      // auth secret came along), and it sees what the source saw.
      const me = await api(restored.base, 'GET', '/api/auth/me', { cookie: cookie! });
      expect(me.status, me.text).toBe(200);
      expect(me.json.user.email).toBe('demo@example.com');
      expect((await api(restored.base, 'GET', '/api/assets/counts', { cookie: cookie! })).json).toEqual(countsBefore);
      const approved = await api(restored.base, 'GET', '/api/assets?status=approved&limit=1', { cookie: cookie! });
      const thumb = await fetch(`${restored.base}${approved.json.items[0].urls.thumbnail}`, { headers: { cookie: cookie! } });
      expect(thumb.status).toBe(200);
      if (!usingPostgres) {
        // Restore goes into an empty target only: not into a folder a studio is running on.
        const busy = await run(['restore', file], dst.env);
        expect(busy.code).toBe(2);
        expect(busy.stderr).toMatch(/A studio \(pid \d+\) is running on .*stop it, or set DATA_DIR to a new folder/);
      }
    } finally {
      await restored.stop();
    }
  }, 600_000);
});

describe(`on ${usingPostgres ? 'Postgres' : 'PGlite'} + local storage`, () => {
  test('a backup taken while uploads and their jobs run restores to exactly the snapshot; the work in flight is queued again and finishes', async () => {
    const src = await newInstance('busy', 'local');
    await adminSession(src);
    const file = path.join(tmp, 'busy.tar');
    const studio = await start([], src.env);
    let stopUploading = false;
    let uploader: Promise<number> = Promise.resolve(0);
    try {
      const cookie = await login(studio.base, ADMIN.email, ADMIN.password);
      const character = await api(studio.base, 'POST', '/api/characters', { cookie, body: { name: 'Busy Bea', handle: 'busy.bea', age: 30 } });
      expect(character.status, character.text).toBe(201);
      const characterId = character.json.id as string;
      const refs = multipart(await Promise.all([1, 2, 3].map(async (i) => ({ name: `ref${i}.jpg`, data: await faceTile(1, i) }))));
      const photos = await api(studio.base, 'POST', `/api/characters/${characterId}/photos`, { cookie, raw: refs.raw, headers: refs.headers });
      expect(photos.status, photos.text).toBe(201);
      for (let i = 0; i < 6; i++) await uploadAsset(studio.base, cookie, { name: `burst-${i}.jpg`, data: await smallImage() }, { characterId });
      // Keep uploading while the backup runs.
      uploader = (async () => {
        let n = 0;
        while (!stopUploading) {
          await uploadAsset(studio.base, cookie, { name: `during-${n++}.jpg`, data: await smallImage() }, { characterId });
        }
        return n;
      })();
      const b = await run(['backup', file], src.env);
      stopUploading = true;
      expect(b.code, b.stderr).toBe(0);
      expect(await uploader).toBeGreaterThanOrEqual(0);
      await settled(studio.base, cookie, characterId);
    } finally {
      stopUploading = true;
      await uploader.catch(() => 0);
      await studio.stop();
    }

    const snapshot = await archiveRows(file);
    const { manifest } = await verifyArchive(file, { migrationsFolder });
    const inFlight = [
      ...snapshot.assets.map((j) => JSON.parse(j) as { id: string; status: string; incoming_key: string | null }).filter((a) => a.status === 'processing').map((a) => ({ kind: 'asset', ...a })),
      ...snapshot.reference_photos.map((j) => JSON.parse(j) as { id: string; status: string }).filter((p) => p.status === 'processing').map((p) => ({ kind: 'photo', incoming_key: null, ...p })),
    ];
    expect(inFlight.length).toBeGreaterThan(0); // the snapshot did catch work in flight

    const dst = await newInstance('busy-dst', 'local');
    const r = await run(['restore', file], dst.env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`${inFlight.length} item(s) that were being processed at backup time are queued again`);
    // Exactly the snapshot: every row as the archive holds it, every file it holds (and no other).
    expect(await dst.rows()).toEqual(snapshot);
    const restoredFiles = Object.fromEntries(Object.entries(await dst.files()).filter(([k]) => !k.endsWith('~meta.json')));
    expect(restoredFiles).toEqual(Object.fromEntries(manifest.files.items.map((f) => [f.key, f.sha256])));

    const restored = await start([], dst.env);
    try {
      const cookie = await login(restored.base, ADMIN.email, ADMIN.password);
      const characterId = (JSON.parse(snapshot.characters[0]) as { id: string }).id;
      await settled(restored.base, cookie, characterId);
      const missing = new Set(manifest.missingFiles.map((m) => m.key));
      for (const item of inFlight.filter((x) => x.kind === 'asset')) {
        const a = await api(restored.base, 'GET', `/api/assets/${item.id}`, { cookie });
        // An upload whose incoming file finished processing (and was dropped) after the snapshot
        // fails clearly; every other one is processed as if nothing had happened.
        if (item.incoming_key && missing.has(item.incoming_key)) expect({ id: item.id, status: a.json.status }).toEqual({ id: item.id, status: 'failed' });
        else expect({ id: item.id, status: a.json.status }).toEqual({ id: item.id, status: expect.stringMatching(/^(approved|pending)$/) });
      }
      const photos = await api(restored.base, 'GET', `/api/characters/${characterId}/photos`, { cookie });
      expect((photos.json.items as Array<{ status: string }>).map((p) => p.status)).toEqual(['ready', 'ready', 'ready']);
    } finally {
      await restored.stop();
    }
  }, 300_000);

  test('a backup killed with -9 midway leaves nothing at FILE; the studio carries on and the next backup succeeds', async () => {
    const src = await newInstance('kill', 'local');
    await adminSession(src);
    const studio = await start([], src.env);
    const file = path.join(tmp, 'killed', 'backup.tar');
    fs.mkdirSync(path.dirname(file));
    try {
      const cookie = await login(studio.base, ADMIN.email, ADMIN.password);
      // ~25 MB of stored files, so the copy takes a while.
      for (let i = 0; i < 2; i++) {
        const noise = await sharp(randomBytes(1800 * 1800 * 3), { raw: { width: 1800, height: 1800, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
        await uploadAsset(studio.base, cookie, { name: `noise-${i}.png`, data: noise });
      }
      await settled(studio.base, cookie);

      const backup = spawnCli(['backup', file], src.env);
      await backup.waitFor(/Copying \d+ files/);
      backup.child.kill('SIGSTOP'); // frozen mid-copy
      const partial = path.join(path.dirname(file), `.backup.tar.${backup.child.pid}.partial`);
      expect(fs.existsSync(partial)).toBe(true);
      expect(fs.existsSync(file)).toBe(false);
      backup.child.kill('SIGKILL');
      expect((await backup.exited).signal).toBe('SIGKILL');
      expect(fs.existsSync(file)).toBe(false);

      if (!usingPostgres) expect((await api(studio.base, 'GET', '/api/health')).status).toBe(200);
      const again = await run(['backup', file], src.env);
      expect(again.code, again.stderr).toBe(0);
      expect(fs.readdirSync(path.dirname(file))).toEqual(['backup.tar']); // the killed run's temp file is cleaned up too
      const { manifest } = await verifyArchive(file, { migrationsFolder });
      expect(manifest.files.bytes).toBeGreaterThan(15_000_000);
    } finally {
      await studio.stop();
    }
  }, 300_000);

  test('bad archives and non-empty targets are refused with exit code 2 and nothing written; a restore that fails midway is undone', async () => {
    const src = await newInstance('small', 'local');
    await adminSession(src);
    const studio = await start([], src.env);
    try {
      const cookie = await login(studio.base, ADMIN.email, ADMIN.password);
      const c = await api(studio.base, 'POST', '/api/characters', { cookie, body: { name: 'Solo Sam', handle: 'solo.sam', age: 40 } });
      expect(c.status).toBe(201);
      await uploadAsset(studio.base, cookie, { name: 'one.jpg', data: await smallImage() }, { characterId: c.json.id });
      await settled(studio.base, cookie);
    } finally {
      await studio.stop();
    }
    // Taken with the studio stopped: the CLI opens the folder (or the database) itself.
    const good = path.join(tmp, 'good.tar');
    const b = await run(['backup', good], src.env);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).not.toMatch(/running studio/);
    const bytes = fs.readFileSync(good);
    const index = await readTarIndex(good);

    /** Rewrites the archive entry by entry; `edit` may replace an entry's bytes. db/ checksums in the manifest follow the edit. */
    async function rewrite(name: string, edit: (entry: string, data: Buffer) => Buffer) {
      const out = path.join(tmp, name);
      const stream = fs.createWriteStream(out);
      const w = new TarWriter(stream);
      const changed = new Map<string, Buffer>();
      for (const e of index) {
        const chunks: Buffer[] = [];
        for await (const ch of openTarEntry(good, e)) chunks.push(ch as Buffer);
        let data = edit(e.name, Buffer.concat(chunks));
        if (e.name === 'manifest.json') {
          const m = JSON.parse(data.toString('utf8'));
          for (const t of m.tables) if (changed.has(t.entry)) Object.assign(t, { bytes: changed.get(t.entry)!.length, sha256: sha(changed.get(t.entry)!) });
          data = Buffer.from(JSON.stringify(m));
        } else if (!data.equals(Buffer.concat(chunks))) {
          changed.set(e.name, data);
        }
        await w.addBuffer(e.name, data);
      }
      await w.finish();
      await new Promise<void>((resolve) => stream.end(resolve));
      return out;
    }
    const fileEntry = index.find((e) => e.name.startsWith('files/'))!;
    const corrupt = Buffer.from(bytes);
    corrupt[fileEntry.offset + Math.floor(fileEntry.size / 2)] ^= 0x01;
    const cases: Array<[string, string, RegExp]> = [
      ['truncated', path.join(tmp, 'truncated.tar'), /truncated\.tar is not a readable backup: the archive is truncated/],
      ['corrupt', path.join(tmp, 'corrupt.tar'), /corrupt\.tar is damaged: the checksum of files\/users\/.* does not match\./],
      ['wrong format version', await rewrite('v99.tar', (n, d) => (n === 'backup.json' ? Buffer.from(JSON.stringify({ ...JSON.parse(d.toString()), formatVersion: 99 })) : d)), /v99\.tar was made by a newer version of AInfluencer \(backup format 99; this version reads format 1\)\. Upgrade AInfluencer, then restore\./],
      ['not a tar', path.join(tmp, 'random.tar'), /random\.tar is not a readable backup/],
      ['missing', path.join(tmp, 'nope.tar'), /nope\.tar does not exist\./],
    ];
    fs.writeFileSync(cases[0][1], bytes.subarray(0, Math.floor(bytes.length / 2)));
    fs.writeFileSync(cases[1][1], corrupt);
    fs.writeFileSync(cases[3][1], randomBytes(10_000));
    for (const [name, archive, message] of cases) {
      const target = await newInstance(`bad-${name.replace(/ /g, '-')}`, 'local');
      const r = await run(['restore', archive], target.env);
      expect({ name, code: r.code, stderr: r.stderr }).toEqual({ name, code: 2, stderr: expect.stringMatching(message) });
      expect(r.stderr, name).not.toMatch(/\n\s+at /);
      expect(fs.existsSync(target.dataDir), name).toBe(false); // nothing written: not even the data folder
      if (usingPostgres) expect(Object.keys(await target.rows()), name).toEqual([]); // not even migrated
    }

    // A good restore, then a second one into the same (now non-empty) target: refused, unchanged.
    const filled = await newInstance('filled', 'local');
    const first = await run(['restore', good], filled.env);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const [rowsBefore, filesBefore] = [await filled.rows(), await filled.files()];
    const second = await run(['restore', good], filled.env);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/is not empty \(users: 1, accounts: 1, characters: 1, .*assets: 1.*\)\. Restore only into an empty database/);
    expect(await filled.rows()).toEqual(rowsBefore);
    expect(await filled.files()).toEqual(filesBefore);

    // An archive whose files are fine but one row is refused by the database (a character aged
    // 10 violates the adults-only CHECK): the files copied so far are removed, no row stays, and
    // the embedded database folder that the restore created is gone again.
    const minor = await rewrite('minor.tar', (n, d) => (n === 'db/characters.jsonl' ? Buffer.from(d.toString('utf8').replace(/"age":\d+/, '"age":10')) : d));
    const target = await newInstance('undone', 'local');
    const undone = await run(['restore', minor], target.env);
    expect(undone.code, undone.stdout + undone.stderr).toBe(1);
    expect(undone.stderr).toMatch(/^The restore failed while loading table characters: .*characters_age_adult.*\. It was undone: nothing was restored\.\n$/);
    expect(undone.stdout).toMatch(/Copying 2 files/); // it got as far as copying the files
    expect(await target.files()).toEqual({});
    if (usingPostgres) {
      expect(Object.values(await target.rows()).flat()).toEqual([]);
    } else {
      expect(fs.existsSync(path.join(target.dataDir, 'db'))).toBe(false);
    }

    // A full disk while writing the archive: one readable sentence, exit 1, no stack.
    if (fs.existsSync('/dev/full')) {
      const full = await run(['backup', '/dev/full'], src.env);
      expect({ code: full.code, stderr: full.stderr }).toEqual({ code: 1, stderr: 'The disk is full (no space left while writing /dev/full). Free some space, then run the command again.\n' });
    }
  }, 300_000);
});
