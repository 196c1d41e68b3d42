// Opens the one database: embedded PGlite (data folder owned by this process, guarded by a
// lock file) or a Postgres server through a pg pool. Both speak the same Postgres dialect and
// the same Drizzle schema; callers never branch on which one they got.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { fromPglite, type Db as IDatabase } from 'pg-boss';
import * as schema from '../db/schema.ts';
import { acquireLock, DatabaseLockedError, lockFileFor } from './lock.ts';

export type Db = NodePgDatabase<typeof schema>;

export interface Database {
  kind: 'pglite' | 'postgres';
  /** Connection string of the Postgres server (undefined when embedded). */
  url?: string;
  db: Db;
  /** pg-boss's view of the same database. */
  bossDb(): IDatabase | undefined;
  /** Subscribe to a NOTIFY channel; returns an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  /** Applies the migrations of `folder` (default: all of ours) that are not applied yet. */
  migrate(folder?: string): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { kind: 'pglite'; dataDir: string | null; pglite?: PGlite; /** Told when a stale lock (crashed owner, reused pid) is taken over. */ onStaleLock?: (message: string) => void }
  | { kind: 'postgres'; url: string; poolSize: number };

export const migrationsFolder = path.resolve(import.meta.dirname, '../../drizzle');

export { DatabaseLockedError };

/** One process owns an embedded data folder; a second gets a clear error instead of corruption. */
function takeLock(dataDir: string, onStaleLock?: (message: string) => void): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  return acquireLock(lockFileFor(dataDir), {
    onStaleLock,
    describe: {
      what: `The embedded database in ${dataDir}`,
      hint: 'Stop that process, or set DATABASE_URL to share a Postgres server between processes.',
    },
  });
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.kind === 'pglite') {
    const release = opts.dataDir ? takeLock(opts.dataDir, opts.onStaleLock) : () => {};
    let client: PGlite;
    try {
      client = opts.pglite ?? (opts.dataDir ? await PGlite.create(opts.dataDir) : await PGlite.create());
    } catch (err) {
      release();
      throw err;
    }
    const db = drizzlePglite(client, { schema }) as unknown as Db;
    return {
      kind: 'pglite',
      db,
      bossDb: () => fromPglite(client as never),
      listen: async (channel, onPayload) => {
        const unsub = await client.listen(channel, onPayload);
        return async () => { await unsub(); };
      },
      notify: async (channel, payload) => {
        await client.query('select pg_notify($1, $2)', [channel, payload]);
      },
      migrate: async (folder = migrationsFolder) => { await migratePglite(drizzlePglite(client), { migrationsFolder: folder }); },
      close: async () => {
        try {
          if (!client.closed) await client.close();
        } finally {
          release();
        }
      },
    };
  }

  const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize, application_name: 'ainfluencer' });
  pool.on('error', () => { /* idle client errors surface on the next query */ });
  const db = drizzlePg(pool, { schema });
  let listener: pg.Client | null = null;
  const handlers = new Map<string, Set<(p: string) => void>>();
  return {
    kind: 'postgres',
    url: opts.url,
    db,
    bossDb: () => undefined, // pg-boss opens its own pool from the same URL
    listen: async (channel, onPayload) => {
      if (!listener) {
        listener = new pg.Client({ connectionString: opts.url, application_name: 'ainfluencer-listen' });
        listener.on('error', () => {});
        await listener.connect();
        listener.on('notification', (msg) => {
          for (const h of handlers.get(msg.channel) ?? []) h(msg.payload ?? '');
        });
      }
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await listener.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      }
      set.add(onPayload);
      return async () => { set.delete(onPayload); };
    },
    notify: async (channel, payload) => {
      await pool.query('select pg_notify($1, $2)', [channel, payload]);
    },
    migrate: async (folder = migrationsFolder) => {
      // An advisory lock keeps two processes booting at once from migrating twice.
      const c = await pool.connect();
      try {
        await c.query('select pg_advisory_lock(7263001)');
        await migratePg(drizzlePg(c), { migrationsFolder: folder });
      } finally {
        await c.query('select pg_advisory_unlock(7263001)').catch(() => {});
        c.release();
      }
    },
    close: async () => {
      await listener?.end().catch(() => {});
      await pool.end();
    },
  };
}
