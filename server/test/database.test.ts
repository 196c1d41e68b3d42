// The database opener: one process owns an embedded data folder (lock file), data survives a
// restart, migrations can run again, and on a Postgres server two booting processes can
// migrate at once (advisory lock).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { settings } from '../src/db/schema.ts';
import { DatabaseLockedError, openDatabase, type Database } from '../src/infra/database.ts';

const usingPostgres = Boolean(process.env.DATABASE_URL);

describe.skipIf(usingPostgres)('embedded database folder (PGlite)', () => {
  let root: string;
  let dataDir: string;
  let lockFile: string;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ainfluencer-db-'));
    dataDir = path.join(root, 'db');
    lockFile = path.join(root, 'db.lock');
    // Unpack the migrated template into the folder instead of running initdb (several seconds).
    const seed = await PGlite.create(dataDir, { loadDataDir: new Blob([fs.readFileSync(inject('pgliteTemplate'))]) });
    await seed.close();
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('a second open of the same folder is refused with a helpful message; after close it reopens with the data intact', async () => {
    const first = await openDatabase({ kind: 'pglite', dataDir });
    let reopened: Database | null = null;
    try {
      await first.migrate();
      const value = { hello: randomBytes(4).toString('hex') };
      await first.db.insert(settings).values({ key: 'test.persist', value });
      expect(fs.readFileSync(lockFile, 'utf8')).toBe(String(process.pid));

      // Same process, second open (the lock file names this very pid, yet it is not stale).
      const err = await openDatabase({ kind: 'pglite', dataDir }).then(
        async (db) => { await db.close(); return null; },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DatabaseLockedError);
      expect((err as Error).message).toContain(dataDir);
      expect((err as Error).message).toMatch(/already open in this process/);
      // The refused open did not take or drop the first one's lock.
      expect(fs.readFileSync(lockFile, 'utf8')).toBe(String(process.pid));

      await first.close();
      expect(fs.existsSync(lockFile)).toBe(false);

      reopened = await openDatabase({ kind: 'pglite', dataDir });
      expect(fs.readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
      const rows = await reopened.db.select().from(settings).where(eq(settings.key, 'test.persist'));
      expect(rows.map((r) => r.value)).toEqual([value]);
    } finally {
      await first.close();
      await reopened?.close();
    }
    expect(fs.existsSync(lockFile)).toBe(false);
  });

  test('a folder held by another live process is refused, naming the folder, the pid and DATABASE_URL', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(lockFile, String(holder.pid));
      const err = await openDatabase({ kind: 'pglite', dataDir }).then(
        async (db) => { await db.close(); return null; },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DatabaseLockedError);
      const message = (err as Error).message;
      expect(message).toContain(dataDir);
      expect(message).toContain(`pid ${holder.pid}`);
      expect(message).toMatch(/in use by another process/);
      expect(message).toContain('DATABASE_URL');
      // The other process's lock is left alone.
      expect(fs.readFileSync(lockFile, 'utf8')).toBe(String(holder.pid));
    } finally {
      holder.kill('SIGKILL');
      fs.rmSync(lockFile, { force: true });
    }
  });

  test('a stale lock left by a crashed process is replaced', async () => {
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => dead.on('exit', resolve));
    fs.writeFileSync(lockFile, String(dead.pid));
    const db = await openDatabase({ kind: 'pglite', dataDir });
    try {
      expect(fs.readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
      const rows = await db.db.select().from(settings).where(eq(settings.key, 'test.persist'));
      expect(rows).toHaveLength(1);
    } finally {
      await db.close();
    }
    expect(fs.existsSync(lockFile)).toBe(false);
  });

  test('migrations are idempotent', async () => {
    const db = await openDatabase({ kind: 'pglite', dataDir });
    try {
      await db.migrate();
      await db.migrate();
      const rows = await db.db.select().from(settings).where(eq(settings.key, 'test.persist'));
      expect(rows).toHaveLength(1);
    } finally {
      await db.close();
    }
  });
});

describe.skipIf(!usingPostgres)('Postgres server', () => {
  const url = process.env.DATABASE_URL ?? '';
  const name = `ainf_dbtest_${randomBytes(6).toString('hex')}`;
  let dbUrl: string;

  async function admin(sql: string) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    await admin(`create database ${name}`);
    const u = new URL(url);
    u.pathname = `/${name}`;
    dbUrl = u.toString();
  });
  afterAll(() => admin(`drop database if exists ${name} with (force)`));

  test('two processes migrating a fresh database at the same time both succeed, and migrating again changes nothing', async () => {
    const a = await openDatabase({ kind: 'postgres', url: dbUrl, poolSize: 2 });
    const b = await openDatabase({ kind: 'postgres', url: dbUrl, poolSize: 2 });
    try {
      const results = await Promise.allSettled([a.migrate(), b.migrate()]);
      expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok']);

      const count = async () => {
        const c = new pg.Client({ connectionString: dbUrl });
        await c.connect();
        try {
          const { rows } = await c.query('select count(*)::int as n from drizzle.__drizzle_migrations');
          return rows[0].n as number;
        } finally {
          await c.end();
        }
      };
      const applied = await count();
      expect(applied).toBeGreaterThan(0);
      const migrationFiles = fs.readdirSync(path.resolve(import.meta.dirname, '../drizzle')).filter((f) => f.endsWith('.sql'));
      expect(applied).toBe(migrationFiles.length);

      await a.migrate();
      expect(await count()).toBe(applied);

      // Both connections see a working schema.
      await a.db.insert(settings).values({ key: 'test.shared', value: { from: 'a' } });
      const rows = await b.db.select().from(settings).where(eq(settings.key, 'test.shared'));
      expect(rows.map((r) => r.value)).toEqual([{ from: 'a' }]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
