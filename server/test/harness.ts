// A real application per test file: real database (PGlite copy, or a fresh database on the
// Postgres server when DATABASE_URL is set), real storage in a temp folder, real queue.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pino from 'pino';
import { inject } from 'vitest';
import { buildApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config/env.ts';
import { createContext, type AppContext } from '../src/context.ts';
import type { DatabaseOptions } from '../src/infra/database.ts';
import { createEngineRegistry } from '../src/engines/registry.ts';
import type { AdapterDefinition } from '../src/engines/engine.ts';
import { serverDatabase } from './support/databases.ts';

// One set of engines per test process, shared by every app a file creates, as in production
// (one context per process): the vision models load once per test file. The production engine
// (worker-thread pool), with one thread: test files already run in parallel.
const sharedEngines = createEngineRegistry({ visionThreads: 1 });

export interface TestApp {
  ctx: AppContext;
  app: App;
  dir: string;
  close(): Promise<void>;
}

/** A migrated database for one app: a copy of the PGlite template, or a fresh database on DATABASE_URL's server. */
export async function freshDatabase(): Promise<{ options: DatabaseOptions; drop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const db = await serverDatabase();
    return { options: { kind: 'postgres', url: db.url, poolSize: 5 }, drop: db.drop };
  }
  const template = inject('pgliteTemplate');
  const blob = new Blob([fs.readFileSync(template)]);
  const client = await PGlite.create({ loadDataDir: blob });
  return { options: { kind: 'pglite', dataDir: null, pglite: client }, drop: async () => { if (!client.closed) await client.close(); } };
}

export interface TestAppOptions {
  /** Start job workers at once (default), or leave it to the test (`t.ctx.startWorkers(2)`). */
  workers?: boolean;
  /** Caps job retry delays, in seconds. */
  maxRetryDelaySeconds?: number;
  /** Receives every log line (JSON objects) at level `logLevel`. */
  logs?: Array<Record<string, unknown>>;
  logLevel?: string;
  /** Generation adapters instead of the built catalogue (e.g. with a fixed-latency test engine). */
  adapters?: ReadonlyArray<AdapterDefinition>;
}

export async function createTestApp(env: Record<string, string> = {}, opts: TestAppOptions = {}): Promise<TestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ainfluencer-app-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    AUTH_SECRET: randomBytes(32).toString('hex'),
    AUTH_RATE_LIMIT: '1000',
    AUTH_ACCOUNT_RATE_LIMIT: '1000',
    PUBLIC_URL: 'http://localhost:8080',
    ...env,
  });
  const { options, drop } = await freshDatabase();
  const logs = opts.logs;
  const log = logs
    ? pino({ level: opts.logLevel ?? 'warn' }, { write: (line: string) => { logs.push(JSON.parse(line) as Record<string, unknown>); } })
    : pino({ level: 'silent' });
  const ctx = await createContext(config, { database: options, log, queuePollingSeconds: 0.5, maxRetryDelaySeconds: opts.maxRetryDelaySeconds, engines: sharedEngines, print: () => {}, adapters: opts.adapters });
  if (opts.workers !== false) await ctx.startWorkers(2); // all-in-one, like `ainfluencer start`
  const app = await buildApp(ctx);
  await app.ready();
  return {
    ctx, app, dir,
    async close() {
      await app.close();
      await ctx.close();
      await drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  cookie: string;
}

export function cookieHeader(setCookie: string | string[] | undefined): string {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return list.map((c) => c.split(';')[0]).filter((c) => !c.endsWith('=')).join('; ');
}

/**
 * The newest email of `kind` to `email` (optionally: newer than `after`, an outbox row id seen
 * before), waiting for it: account emails are sent by a job.
 */
export async function waitForMail(t: TestApp, email: string, kind: string, opts: { notIds?: string[]; ms?: number } = {}) {
  const end = Date.now() + (opts.ms ?? 15_000);
  for (;;) {
    const mails = await t.ctx.repos.outbox.listForRecipient(email);
    const mail = mails.find((m) => m.kind === kind && !opts.notIds?.includes(m.id));
    if (mail) return mail;
    if (Date.now() > end) throw new Error(`no ${kind} email for ${email}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function linkOf(text: string): string {
  const m = text.match(/https?:\/\/\S+/);
  if (!m) throw new Error('no link in email');
  return m[0];
}

export async function latestMailLink(t: TestApp, email: string, kind: string): Promise<string> {
  return linkOf((await waitForMail(t, email, kind)).text);
}

/** Waits until a queued job has finished (completed, or failed for good), and returns its state. */
export async function waitForJob(t: TestApp, name: Parameters<TestApp['ctx']['queue']['getJobState']>[0], id: string | null, ms = 15_000) {
  if (!id) throw new Error(`job ${name} was not queued`);
  const end = Date.now() + ms;
  for (;;) {
    const state = await t.ctx.queue.getJobState(name, id);
    if (state === 'completed' || state === 'failed' || state === 'cancelled') return state;
    if (Date.now() > end) throw new Error(`job ${name} ${id} still ${state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let counter = 0;
/** Registers, verifies through the emailed link, and signs in: the real flow. */
export async function signUp(t: TestApp, name = 'Tester'): Promise<TestUser> {
  const email = `user${++counter}-${randomBytes(3).toString('hex')}@example.com`;
  const password = 'correct horse battery';
  const reg = await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { name, email, password } });
  if (reg.statusCode !== 201) throw new Error(`register failed: ${reg.body}`);
  const link = await latestMailLink(t, email, 'verify-email');
  const token = new URL(link).searchParams.get('token');
  const ver = await t.app.inject({ method: 'POST', url: '/api/auth/verify-email', payload: { token } });
  if (ver.statusCode !== 200) throw new Error(`verify failed: ${ver.body}`);
  const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
  return { id: login.json().user.id, email, password, cookie: cookieHeader(login.headers['set-cookie']) };
}

export const validCharacter = (over: Record<string, unknown> = {}) => ({
  name: `Nova ${randomBytes(3).toString('hex')}`,
  handle: `nova_${randomBytes(3).toString('hex')}`,
  age: 26,
  bio: 'Test character',
  ...over,
});
