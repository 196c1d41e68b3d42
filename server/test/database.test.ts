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

const lockScript = path.resolve(import.meta.dirname, '../src/infra/lock.ts');

/** The pid a lock file names (format 2: JSON; format 1: the bare pid). */
function lockPid(file: string): number {
  const text = fs.readFileSync(file, 'utf8').trim();
  return /^\d+$/.test(text) ? Number(text) : (JSON.parse(text) as { pid: number }).pid;
}

/** Resolves once the child printed `line` on stdout. */
function waitForLine(child: ReturnType<typeof spawn>, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => { out += c; if (out.includes(line)) resolve(); });
    child.stderr!.setEncoding('utf8').on('data', (c: string) => { err += c; });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before printing ${line}: ${out}${err}`)));
  });
}

async function openOutcome(dataDir: string, onStaleLock?: (m: string) => void) {
  return openDatabase({ kind: 'pglite', dataDir, onStaleLock }).then(
    async (db) => { await db.close(); return null; },
    (e: unknown) => e as Error,
  );
}

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
      expect(lockPid(lockFile)).toBe(process.pid);

      // Same process, second open (the lock file names this very pid, yet it is not stale).
      const err = await openDatabase({ kind: 'pglite', dataDir }).then(
        async (db) => { await db.close(); return null; },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DatabaseLockedError);
      expect((err as Error).message).toContain(dataDir);
      expect((err as Error).message).toMatch(/already open in this process/);
      // The refused open did not take or drop the first one's lock.
      expect(lockPid(lockFile)).toBe(process.pid);

      await first.close();
      expect(fs.existsSync(lockFile)).toBe(false);

      reopened = await openDatabase({ kind: 'pglite', dataDir });
      expect(lockPid(lockFile)).toBe(process.pid);
      const rows = await reopened.db.select().from(settings).where(eq(settings.key, 'test.persist'));
      expect(rows.map((r) => r.value)).toEqual([value]);
    } finally {
      await first.close();
      await reopened?.close();
    }
    expect(fs.existsSync(lockFile)).toBe(false);
  });

  test('an old-format lock (bare pid) naming a live process of ours (node) is refused, naming the folder, the pid and DATABASE_URL', async () => {
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

  test('a lock genuinely held by another running process is refused and left alone; once that process is killed (-9) the lock is taken over', async () => {
    const holder = spawn(process.execPath, ['-e', `import(${JSON.stringify(lockScript)}).then((m) => { m.acquireLock(process.argv[1]); process.stdout.write('locked\\n'); setInterval(() => {}, 1e9); })`, lockFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await waitForLine(holder, 'locked');
      const held = fs.readFileSync(lockFile, 'utf8');
      expect(JSON.parse(held)).toMatchObject({ pid: holder.pid, started: expect.any(String), command: path.basename(process.execPath) });
      const stale: string[] = [];
      const err = await openOutcome(dataDir, (m) => stale.push(m));
      expect(err).toBeInstanceOf(DatabaseLockedError);
      expect(err!.message).toContain(`in use by another process (pid ${holder.pid})`);
      expect(stale).toEqual([]);
      expect(fs.readFileSync(lockFile, 'utf8')).toBe(held);

      const exited = new Promise((resolve) => holder.on('exit', resolve));
      holder.kill('SIGKILL');
      await exited;
      const db = await openDatabase({ kind: 'pglite', dataDir, onStaleLock: (m) => stale.push(m) });
      await db.close();
      expect(stale).toEqual([expect.stringMatching(new RegExp(`Took over the stale lock .*db\\.lock: pid ${holder.pid} is no longer running`))]);
    } finally {
      holder.kill('SIGKILL');
      fs.rmSync(lockFile, { force: true });
    }
  });

  test('a stale lock left by a crashed process is replaced, in the old and the current format, with a log line', async () => {
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => dead.on('exit', resolve));
    for (const content of [String(dead.pid), JSON.stringify({ pid: dead.pid, started: 'linux:x:1', command: 'node', host: os.hostname() })]) {
      fs.writeFileSync(lockFile, content);
      const stale: string[] = [];
      const db = await openDatabase({ kind: 'pglite', dataDir, onStaleLock: (m) => stale.push(m) });
      try {
        expect(lockPid(lockFile)).toBe(process.pid);
        expect(stale).toEqual([expect.stringContaining(`pid ${dead.pid} is no longer running`)]);
        const rows = await db.db.select().from(settings).where(eq(settings.key, 'test.persist'));
        expect(rows).toHaveLength(1);
      } finally {
        await db.close();
      }
      expect(fs.existsSync(lockFile)).toBe(false);
    }
  });

  test('a lock whose pid now belongs to an unrelated live program (pid reuse after a crash or reboot) is taken over, in the old and the current format', async () => {
    const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      await new Promise((resolve, reject) => { sleeper.on('spawn', resolve); sleeper.on('error', reject); });
      const cases = {
        // Format 1 (a bare pid, as written before): the pid is alive, but it is `sleep`, not us.
        'old format': String(sleeper.pid),
        // Format 2: same pid and even our executable name, but the process started at another time.
        'current format, other start time': JSON.stringify({ pid: sleeper.pid, started: 'linux:another-boot:12345', command: 'node', host: os.hostname() }),
        // Written by an earlier container on the same volume (another host name): judged the same way.
        'current format, earlier container': JSON.stringify({ pid: sleeper.pid, started: 'linux:another-boot:12345', command: 'node', host: 'f00dcafe1234' }),
      };
      for (const [name, content] of Object.entries(cases)) {
        fs.writeFileSync(lockFile, content);
        const stale: string[] = [];
        const err = await openOutcome(dataDir, (m) => stale.push(m));
        expect({ name, err: err?.message ?? null }).toEqual({ name, err: null });
        expect(stale, name).toEqual([expect.stringMatching(new RegExp(`Took over the stale lock .*: pid ${sleeper.pid} now belongs to another program \\(sleep`))]);
        expect(fs.existsSync(lockFile), name).toBe(false); // released after close, not left behind
      }
      expect(sleeper.exitCode).toBeNull(); // the unrelated program was left alone
    } finally {
      sleeper.kill('SIGKILL');
      fs.rmSync(lockFile, { force: true });
    }
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
