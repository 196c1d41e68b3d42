// The only module that reads process.env. Everything is validated once at boot; a bad value
// stops the process with a message naming the variable and what it expects.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url({ message: 'must be a full URL such as https://studio.example.com' }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.optional(),
  TRUST_PROXY: bool.default(false),
  AUTH_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
  AUTH_ACCOUNT_RATE_LIMIT: z.coerce.number().int().min(1).max(1000).default(10),
  UPLOAD_MAX_MB: z.coerce.number().positive().max(200).default(15),
  ASSET_MAX_MB: z.coerce.number().positive().max(4096).default(500),
  UPLOAD_TMP_DIR: z.string().min(1).optional(),
  FFMPEG_PATH: z.string().min(1).optional(),
  FFPROBE_PATH: z.string().min(1).optional(),
  STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
  STORAGE_DIR: z.string().min(1).optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: z.string().min(3).optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool.default(true),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  SMTP_SECURE: bool.default(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_FROM: z.string().min(3).default('AInfluencer <no-reply@localhost>'),
  SMTP_REJECT_UNAUTHORIZED: bool.default(true),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  VISION_THREADS: z.coerce.number().int().min(0).max(64).optional(),
  SECRETS_KEY: z.string().regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/, 'must be 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -hex 32`)').optional(),
  GENERATION_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
});

export type Role = 'all' | 'api' | 'worker';

export interface Config {
  env: 'development' | 'production' | 'test';
  role: Role;
  http: { host: string; port: number; publicUrl: string; trustProxy: boolean };
  dataDir: string;
  database: { kind: 'pglite'; dataDir: string | null } | { kind: 'postgres'; url: string; poolSize: number };
  authSecret: string | null;
  authRateLimit: number;
  /** Failed sign-ins per account (email) per window before that account answers 429. */
  loginLimit: { maxFailures: number; windowSeconds: number };
  log: { level: string; pretty: boolean };
  /**
   * Per-file limits: reference photos (`maxBytes`) and vault files (`assetMaxBytes`). Vault uploads
   * stream to `tempDir` while they arrive (hashed and counted), then move into storage.
   */
  uploads: { maxBytes: number; assetMaxBytes: number; tempDir: string };
  /** Explicit tool paths, and the PATH searched for them otherwise. */
  media: { ffmpegPath?: string; ffprobePath?: string; searchPath?: string };
  storage:
    | { driver: 'local'; dir: string }
    | { driver: 's3'; endpoint?: string; region: string; bucket: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: boolean };
  smtp: null | { host: string; port: number; secure: boolean; user?: string; password?: string; rejectUnauthorized: boolean };
  mailFrom: string;
  worker: { concurrency: number };
  /**
   * Worker threads running the vision models (one model set each). 0 runs them on the main
   * thread (debugging: one process, plain stack traces), blocking the event loop while they run.
   */
  vision: { threads: number };
  /**
   * SECRETS_KEY (32 bytes) or null: the key file DATA_DIR/secrets.key is used (created on first
   * start). Several processes on several machines must share one key: set SECRETS_KEY there.
   */
  secretsKey: string | null;
  /** Generation jobs one worker process runs at once (engines' own concurrency limits apply within). */
  generation: { concurrency: number };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A throwaway configuration for printing the OpenAPI document: in-memory database, temp storage, no logs. */
export function documentationConfig(): Config {
  return loadConfig({ ...process.env, LOG_LEVEL: 'silent', STORAGE_DRIVER: 'local', STORAGE_DIR: path.join(process.env.TMPDIR ?? '/tmp', 'ainfluencer-openapi') });
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: { role?: Role; cwd?: string } = {},
): Config {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const cwd = overrides.cwd ?? process.cwd();
  const dataDir = path.resolve(cwd, e.DATA_DIR);
  const problems: string[] = [];

  let storage: Config['storage'];
  if (e.STORAGE_DRIVER === 's3') {
    for (const k of ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
      if (!e[k]) problems.push(`${k}: required when STORAGE_DRIVER=s3`);
    }
    storage = {
      driver: 's3', endpoint: e.S3_ENDPOINT, region: e.S3_REGION, bucket: e.S3_BUCKET ?? '',
      accessKeyId: e.S3_ACCESS_KEY_ID ?? '', secretAccessKey: e.S3_SECRET_ACCESS_KEY ?? '',
      forcePathStyle: e.S3_FORCE_PATH_STYLE,
    };
  } else {
    storage = { driver: 'local', dir: path.resolve(cwd, e.STORAGE_DIR ?? path.join(e.DATA_DIR, 'media')) };
  }
  if ((e.SMTP_USER && !e.SMTP_PASSWORD) || (!e.SMTP_USER && e.SMTP_PASSWORD)) {
    problems.push('SMTP_USER and SMTP_PASSWORD: set both or neither');
  }
  const role = overrides.role ?? 'all';
  if (role === 'worker' && !e.DATABASE_URL) {
    problems.push('DATABASE_URL: required for --role worker (the embedded database belongs to one process; run `start` for all-in-one)');
  }
  if (role === 'api' && !e.DATABASE_URL) {
    problems.push('DATABASE_URL: required for --role api (the embedded database belongs to one process; run `start` for all-in-one)');
  }
  if (role !== 'all' && e.DATABASE_URL && !e.AUTH_SECRET) {
    problems.push('AUTH_SECRET: required when running separate roles, so every process signs sessions alike');
  }
  if (problems.length) throw new ConfigError(problems);

  const publicUrl = (e.PUBLIC_URL ?? `http://${['0.0.0.0', '::', '127.0.0.1', '::1'].includes(e.HOST) ? 'localhost' : e.HOST}:${e.PORT}`).replace(/\/$/, '');
  return {
    env: e.NODE_ENV,
    role,
    http: { host: e.HOST, port: e.PORT, publicUrl, trustProxy: e.TRUST_PROXY },
    dataDir,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
      : { kind: 'pglite', dataDir: path.join(dataDir, 'db') },
    authSecret: e.AUTH_SECRET ?? null,
    authRateLimit: e.AUTH_RATE_LIMIT,
    loginLimit: { maxFailures: e.AUTH_ACCOUNT_RATE_LIMIT, windowSeconds: 15 * 60 },
    log: { level: e.LOG_LEVEL, pretty: e.LOG_PRETTY ?? Boolean(process.stdout.isTTY) },
    uploads: {
      maxBytes: Math.round(e.UPLOAD_MAX_MB * 1024 * 1024), assetMaxBytes: Math.round(e.ASSET_MAX_MB * 1024 * 1024),
      tempDir: path.resolve(cwd, e.UPLOAD_TMP_DIR ?? path.join(e.DATA_DIR, 'tmp', 'uploads')),
    },
    media: { ffmpegPath: e.FFMPEG_PATH, ffprobePath: e.FFPROBE_PATH, searchPath: env.PATH },
    storage,
    smtp: e.SMTP_HOST
      ? { host: e.SMTP_HOST, port: e.SMTP_PORT, secure: e.SMTP_SECURE, user: e.SMTP_USER, password: e.SMTP_PASSWORD, rejectUnauthorized: e.SMTP_REJECT_UNAUTHORIZED }
      : null,
    mailFrom: e.SMTP_FROM,
    worker: { concurrency: e.WORKER_CONCURRENCY },
    // Default: one thread per concurrent job, but no more than cores (an inference uses one core).
    vision: { threads: e.VISION_THREADS ?? Math.max(1, Math.min(e.WORKER_CONCURRENCY, availableParallelism())) },
    secretsKey: e.SECRETS_KEY ?? null,
    generation: { concurrency: e.GENERATION_CONCURRENCY },
  };
}
