// Fresh databases for tests: a new, empty database on the Postgres server named by DATABASE_URL
// (CI runs the suite against it), dropped when the test is done.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Runs one statement on the server's maintenance connection (DATABASE_URL). */
export async function adminQuery(sql: string, url = process.env.DATABASE_URL): Promise<void> {
  if (!url) throw new Error('adminQuery needs DATABASE_URL');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
}

/** A new database on DATABASE_URL's server: its URL, and `drop()` to remove it. */
export async function serverDatabase(prefix = 'ainf_test'): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('serverDatabase needs DATABASE_URL');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`, base);
  const u = new URL(base);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => adminQuery(`drop database if exists ${name} with (force)`, base) };
}
