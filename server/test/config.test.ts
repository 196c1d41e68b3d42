// loadConfig: the one place that reads the environment. A bad value must stop the process with
// a message that names the variable, so the operator knows what to fix.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig, type Role } from '../src/config/env.ts';

const cwd = '/srv/ainfluencer';

function configError(env: Record<string, string>, role?: Role): ConfigError {
  try {
    loadConfig(env, { cwd, role });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)} (role ${role ?? 'all'})`);
}

describe('loadConfig defaults', () => {
  test('an empty environment gives an all-in-one install on port 8080 with embedded database, local media and outbox mail', () => {
    const c = loadConfig({}, { cwd });
    expect(c.role).toBe('all');
    expect(c.env).toBe('production');
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8080, publicUrl: 'http://localhost:8080', trustProxy: false });
    expect(c.dataDir).toBe(path.join(cwd, 'data'));
    expect(c.database).toEqual({ kind: 'pglite', dataDir: path.join(cwd, 'data', 'db') });
    expect(c.storage).toEqual({ driver: 'local', dir: path.join(cwd, 'data', 'media') });
    expect(c.smtp).toBeNull();
    expect(c.authSecret).toBeNull();
    expect(c.worker.concurrency).toBe(2);
    expect(c.uploads.maxBytes).toBe(15 * 1024 * 1024);
  });

  test('empty strings count as unset (a blank line in .env does not break boot)', () => {
    const c = loadConfig({ PORT: '', DATABASE_URL: '', SMTP_HOST: '', AUTH_SECRET: '' }, { cwd });
    expect(c.http.port).toBe(8080);
    expect(c.database.kind).toBe('pglite');
    expect(c.smtp).toBeNull();
  });

  test('DATA_DIR moves both the database and the media folder', () => {
    const c = loadConfig({ DATA_DIR: '/var/lib/ainf' }, { cwd });
    expect(c.database).toEqual({ kind: 'pglite', dataDir: '/var/lib/ainf/db' });
    expect(c.storage).toEqual({ driver: 'local', dir: '/var/lib/ainf/media' });
  });

  test('public URL follows HOST and PORT when not set, and a trailing slash is removed when set', () => {
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '3000' }, { cwd }).http.publicUrl).toBe('http://localhost:3000');
    expect(loadConfig({ HOST: 'studio.lan', PORT: '3000' }, { cwd }).http.publicUrl).toBe('http://studio.lan:3000');
    expect(loadConfig({ PUBLIC_URL: 'https://studio.example.com/' }, { cwd }).http.publicUrl).toBe('https://studio.example.com');
  });

  test('DATABASE_URL selects Postgres with the pool size', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://u:p@db:5432/ainf', DATABASE_POOL_SIZE: '25' }, { cwd });
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgresql://u:p@db:5432/ainf', poolSize: 25 });
  });

  test('SMTP settings are parsed', () => {
    const c = loadConfig({ SMTP_HOST: 'mail.example.com', SMTP_PORT: '465', SMTP_SECURE: 'true', SMTP_USER: 'u', SMTP_PASSWORD: 'p', SMTP_REJECT_UNAUTHORIZED: 'no', SMTP_FROM: 'Studio <s@example.com>' }, { cwd });
    expect(c.smtp).toEqual({ host: 'mail.example.com', port: 465, secure: true, user: 'u', password: 'p', rejectUnauthorized: false });
    expect(c.mailFrom).toBe('Studio <s@example.com>');
  });

  test('S3 settings are parsed', () => {
    const c = loadConfig({
      STORAGE_DRIVER: 's3', S3_ENDPOINT: 'http://minio:9000', S3_REGION: 'eu-west-1', S3_BUCKET: 'media',
      S3_ACCESS_KEY_ID: 'AKIA', S3_SECRET_ACCESS_KEY: 'secret', S3_FORCE_PATH_STYLE: 'false',
    }, { cwd });
    expect(c.storage).toEqual({
      driver: 's3', endpoint: 'http://minio:9000', region: 'eu-west-1', bucket: 'media',
      accessKeyId: 'AKIA', secretAccessKey: 'secret', forcePathStyle: false,
    });
  });
});

describe('loadConfig rejects bad values and names the variable', () => {
  test('PORT=abc', () => {
    const e = configError({ PORT: 'abc' });
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatch(/^PORT: /);
    expect(e.message).toContain('PORT');
  });

  test('PORT out of range', () => {
    expect(configError({ PORT: '70000' }).problems[0]).toMatch(/^PORT: /);
  });

  test('DATABASE_URL that is not Postgres', () => {
    const e = configError({ DATABASE_URL: 'mysql://x' });
    expect(e.problems).toEqual(['DATABASE_URL: must start with postgres:// or postgresql://']);
    expect(e.message).toContain('DATABASE_URL');
  });

  test('STORAGE_DRIVER=s3 without bucket and keys lists all three', () => {
    const e = configError({ STORAGE_DRIVER: 's3' });
    expect(e.problems).toHaveLength(3);
    for (const k of ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']) {
      expect(e.problems.some((p) => p.startsWith(`${k}:`))).toBe(true);
      expect(e.message).toContain(k);
    }
  });

  test('STORAGE_DRIVER=s3 with only the bucket lists the two missing keys', () => {
    const e = configError({ STORAGE_DRIVER: 's3', S3_BUCKET: 'media' });
    expect(e.problems.map((p) => p.split(':')[0]).sort()).toEqual(['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']);
  });

  test('unknown STORAGE_DRIVER', () => {
    expect(configError({ STORAGE_DRIVER: 'ftp' }).problems[0]).toMatch(/^STORAGE_DRIVER: /);
  });

  test('SMTP_USER without SMTP_PASSWORD, and the reverse', () => {
    expect(configError({ SMTP_HOST: 'mail', SMTP_USER: 'u' }).message).toMatch(/SMTP_USER and SMTP_PASSWORD/);
    expect(configError({ SMTP_HOST: 'mail', SMTP_PASSWORD: 'p' }).message).toMatch(/SMTP_USER and SMTP_PASSWORD/);
  });

  test('AUTH_SECRET too short', () => {
    const e = configError({ AUTH_SECRET: 'short' });
    expect(e.problems[0]).toMatch(/^AUTH_SECRET: must be at least 32 characters/);
    expect(loadConfig({ AUTH_SECRET: 'x'.repeat(32) }, { cwd }).authSecret).toBe('x'.repeat(32));
  });

  test('bad booleans, log level, NODE_ENV and PUBLIC_URL', () => {
    expect(configError({ SMTP_SECURE: 'maybe' }).problems[0]).toMatch(/^SMTP_SECURE: /);
    expect(configError({ LOG_LEVEL: 'verbose' }).problems[0]).toMatch(/^LOG_LEVEL: /);
    expect(configError({ NODE_ENV: 'staging' }).problems[0]).toMatch(/^NODE_ENV: /);
    expect(configError({ PUBLIC_URL: 'studio.example.com' }).problems[0]).toMatch(/^PUBLIC_URL: must be a full URL/);
  });

  test('several bad values are all reported at once', () => {
    const e = configError({ PORT: 'abc', DATABASE_URL: 'mysql://x', WORKER_CONCURRENCY: '0' });
    expect(e.problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'PORT', 'WORKER_CONCURRENCY']);
  });
});

describe('loadConfig roles', () => {
  test.each(['api', 'worker'] as const)('role %s without DATABASE_URL is rejected and names DATABASE_URL', (role) => {
    const e = configError({}, role);
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatch(new RegExp(`^DATABASE_URL: required for --role ${role}`));
  });

  test.each(['api', 'worker'] as const)('role %s with DATABASE_URL but no AUTH_SECRET is rejected', (role) => {
    const e = configError({ DATABASE_URL: 'postgres://db/ainf' }, role);
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatch(/^AUTH_SECRET: required when running separate roles/);
  });

  test.each(['api', 'worker'] as const)('role %s with DATABASE_URL and AUTH_SECRET is accepted', (role) => {
    const c = loadConfig({ DATABASE_URL: 'postgres://db/ainf', AUTH_SECRET: 'a'.repeat(64) }, { cwd, role });
    expect(c.role).toBe(role);
    expect(c.database.kind).toBe('postgres');
  });

  test('all-in-one with DATABASE_URL does not need AUTH_SECRET (it is generated and stored)', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/ainf' }, { cwd }).authSecret).toBeNull();
  });
});
