// The composition root: builds every infrastructure piece, repository and service once and
// wires them through constructors. Nothing else creates singletons.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import type { Config } from './config/env.ts';
import { RuntimeSettings } from './config/runtime-settings.ts';
import { AuthMail, createAuth, type Auth } from './infra/auth.ts';
import { openDatabase, type Database, type DatabaseOptions } from './infra/database.ts';
import { EventBus } from './infra/events.ts';
import { Mailer } from './infra/mail.ts';
import { OutboxDispatcher } from './infra/outbox.ts';
import { Queue } from './infra/queue.ts';
import { UserReadCache } from './infra/read-cache.ts';
import { createStorage } from './infra/storage/index.ts';
import type { Storage } from './infra/storage/storage.ts';
import { DatabaseTransactor } from './infra/transactions.ts';
import { JobName, type JobHandlers } from './jobs/jobs.ts';
import { makeRepositories, type Repositories } from './repositories/index.ts';
import { AccountService } from './services/account.service.ts';
import { AdminService } from './services/admin.service.ts';
import { AuthService, SessionCache } from './services/auth.service.ts';
import { CharacterService } from './services/character.service.ts';
import { MaintenanceService } from './services/maintenance.service.ts';
import { ReferencePhotoService } from './services/reference-photo.service.ts';
import { SafetyReviewService } from './services/safety/safety-review.service.ts';
import { AssetService } from './services/vault/asset.service.ts';
import { AssetDownloadService } from './services/vault/download.service.ts';
import { FolderService } from './services/vault/folder.service.ts';
import { IngestService } from './services/vault/ingest.service.ts';
import { createEngineRegistry, type EngineRegistry } from './engines/registry.ts';
import { adapterCatalog } from './engines/catalog.ts';
import type { AdapterDefinition } from './engines/engine.ts';
import { loadSecretKeys, parseSecretKey, SecretBox } from './infra/secrets.ts';
import { CreditService } from './services/generation/credit.service.ts';
import { EngineDirectory } from './services/generation/engine-directory.ts';
import { EnginePool } from './services/generation/engine-pool.ts';
import { EngineService } from './services/generation/engine.service.ts';
import { GenerationService } from './services/generation/generation.service.ts';

export interface AppContext {
  config: Config;
  log: Logger;
  database: Database;
  repos: Repositories;
  services: {
    auth: AuthService; characters: CharacterService; photos: ReferencePhotoService;
    /** The media vault: browsing and decisions, the ingest pipeline, files going out, folders. */
    assets: AssetService; ingest: IngestService; assetFiles: AssetDownloadService; folders: FolderService;
    account: AccountService; admin: AdminService; maintenance: MaintenanceService; safety: SafetyReviewService;
    /** Generation: jobs and results, engines (Settings → Engines, usage), credits. */
    generations: GenerationService; engines: EngineService; credits: CreditService;
  };
  /** Secrets at rest (engine API keys): AES-256-GCM with SECRETS_KEY or DATA_DIR/secrets.key. */
  secrets: SecretBox;
  /** Which engines are busy or down in this process (generation). */
  enginePool: EnginePool;
  settings: RuntimeSettings;
  engines: EngineRegistry;
  auth: Auth;
  queue: Queue;
  outbox: OutboxDispatcher<Repositories>;
  storage: Storage;
  mailer: Mailer;
  events: EventBus;
  /** Open SSE responses, ended on shutdown. */
  sse: Set<ServerResponse>;
  jobHandlers: JobHandlers;
  /** Worker roles: run jobs, dispatch domain events, schedule housekeeping, reconcile at once. */
  startWorkers(concurrency: number): Promise<void>;
  close(): Promise<void>;
}

export function createLogger(config: Pick<Config, 'log'>): Logger {
  const redact = { paths: ['req.headers.cookie', 'req.headers.authorization', '*.password', '*.token', '*.secretAccessKey', '*.apiKey'], censor: '[redacted]' };
  if (config.log.pretty) {
    try {
      return pino({ level: config.log.level, redact, transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } } });
    } catch { /* pino-pretty not installed: plain JSON */ }
  }
  return pino({ level: config.log.level, redact });
}

export interface ContextOptions {
  log?: Logger;
  /** Tests pass an existing PGlite or a fresh database. */
  database?: DatabaseOptions;
  /** Faster job polling for tests. */
  queuePollingSeconds?: number;
  /** Faster heartbeat/expiry supervision (tests of crashed workers). */
  queueSuperviseSeconds?: number;
  /** Caps job retry delays (tests of retries and final failures). */
  maxRetryDelaySeconds?: number;
  /** Share loaded engines between contexts (tests): the vision models load once per process. */
  engines?: EngineRegistry;
  /** Plain lines for the operator, e.g. verification links without SMTP (default: stdout). */
  print?: (text: string) => void;
  /** Generation adapters (default: engines/catalog.ts); tests and benches may add test adapters. */
  adapters?: ReadonlyArray<AdapterDefinition>;
}

export async function createContext(config: Config, opts: ContextOptions = {}): Promise<AppContext> {
  const log = opts.log ?? createLogger(config);
  const database = await openDatabase(
    opts.database ?? (config.database.kind === 'pglite'
      ? { kind: 'pglite', dataDir: config.database.dataDir, onStaleLock: (message) => log.warn(message) }
      : { kind: 'postgres', url: config.database.url, poolSize: config.database.poolSize }),
  );
  const cleanups: Array<() => Promise<void>> = [() => database.close()];
  try {
    await database.migrate();
    const db = database.db;
    const repos = makeRepositories(db);
    const storage = createStorage(config.storage);
    cleanups.unshift(async () => { await (storage as { destroy?: () => unknown }).destroy?.(); });
    await storage.check();
    const print = opts.print ?? ((text: string) => { process.stdout.write(text); });
    const mailer = new Mailer({ outbox: repos.outbox, log, smtp: config.smtp, from: config.mailFrom, print });
    cleanups.unshift(() => mailer.close());
    const secret = config.authSecret ?? z.string().min(32).parse(await repos.settings.getOrInit('auth.secret', () => randomBytes(32).toString('hex')));
    const events = new EventBus(database);
    const sessionCache = new SessionCache();
    events.onSystem((e) => { if (e.type === 'sessions.invalidated') sessionCache.dropUser(e.data.userId); });
    const invalidateSessions = async (userId: string) => {
      sessionCache.dropUser(userId); // at once here; other API processes hear it via NOTIFY
      await events.publishSystem({ type: 'sessions.invalidated', data: { userId } });
    };
    const authMail = new AuthMail({ mailer, publicUrl: config.http.publicUrl, secret });
    const auth = createAuth({
      log: log.child({ component: 'auth' }), db, secret, publicUrl: config.http.publicUrl, mail: authMail,
      onSessionsRevoked: invalidateSessions,
    });
    cleanups.unshift(() => events.stop());
    // Engines by kind and capability. The vision models run in worker threads (VISION_THREADS),
    // started and loaded on first use, and are closed after the queue has stopped (cleanups run
    // in reverse): no job is mid-inference then.
    const engines = opts.engines ?? createEngineRegistry({
      visionThreads: config.vision.threads,
      onVisionThreadExit: (t) => log.error({ err: t.error, threadId: t.threadId, exitCode: t.exitCode }, 'a vision worker thread stopped unexpectedly; its image will be retried'),
    });
    if (!opts.engines) cleanups.unshift(() => engines.close());
    const queue = new Queue({
      database, log: log.child({ component: 'queue' }),
      pollingIntervalSeconds: opts.queuePollingSeconds, superviseIntervalSeconds: opts.queueSuperviseSeconds,
      maxRetryDelaySeconds: opts.maxRetryDelaySeconds, soleProcess: database.kind === 'pglite',
    });
    await queue.start();
    cleanups.unshift(() => queue.stop());
    const tx = new DatabaseTransactor({ database, queue, events, makeRepos: makeRepositories });
    const outbox = new OutboxDispatcher({ database, transactor: tx, log: log.child({ component: 'outbox' }) });
    cleanups.unshift(() => outbox.stop());

    const readCache = new UserReadCache();
    events.onUserChanged((userId) => readCache.invalidateUser(userId));
    const settings = new RuntimeSettings({ store: repos.settings, log: log.child({ component: 'settings' }) });
    const vision = engines.vision();
    const secrets = new SecretBox(await loadSecretKeys({ envKey: config.secretsKey ? parseSecretKey(config.secretsKey) : null, dataDir: config.dataDir }));
    const safety = new SafetyReviewService({ blocks: repos.safetyBlocks, tx, log: log.child({ component: 'safety' }) });
    const characters = new CharacterService({ characters: repos.characters, tx, cache: readCache, safety });
    const photos = new ReferencePhotoService({ photos: repos.photos, characters: repos.characters, storage, queue, tx, vision });
    const assets = new AssetService({ assets: repos.assets, tx, cache: readCache });
    const ingest = new IngestService({
      assets: repos.assets, storage, queue, tx, vision, safety, settings: () => settings.get('vault'),
      log: log.child({ component: 'vault' }), media: config.media, tempDir: config.uploads.tempDir,
    });
    const assetFiles = new AssetDownloadService({ assets: repos.assets, storage });
    const folders = new FolderService({ assets: repos.assets, tx });
    const account = new AccountService({ users: repos.users, accounts: repos.accounts, auth, storage, queue, tx, invalidate: invalidateSessions });
    const directory = new EngineDirectory({ configs: repos.engineConfigs, secrets, catalog: opts.adapters ?? adapterCatalog });
    const enginePool = new EnginePool();
    const credits = new CreditService({ credits: repos.credits, users: repos.users, tx, settings: () => settings.get('credits') });
    const generations = new GenerationService({
      generations: repos.generations, characters: repos.characters, photos: repos.photos, assets: repos.assets, storage, tx, directory, pool: enginePool,
      ingest, safety, credits, publish: (userId, e) => events.publish(userId, e), log: log.child({ component: 'generation' }),
    });
    generations.onCancelRequested = (id) => events.publishSystem({ type: 'generation.cancel', data: { generationId: id } });
    events.onSystem((e) => { if (e.type === 'generation.cancel') generations.abortLocal(e.data.generationId); });
    const engineService = new EngineService({ configs: repos.engineConfigs, characters: repos.characters, generations: repos.generations, directory, secrets, pool: enginePool });
    const generationReconciler = {
      reconcile: (olderThan: Date) => generations.reconcile(
        olderThan,
        (id) => queue.hasLiveJob(JobName.GenerationRun, id),
        async (id) => { await tx.run((t) => t.jobs.send(JobName.GenerationRun, { generationId: id }, { singletonKey: id })); },
      ),
    };
    const maintenance = new MaintenanceService({
      repos, storage, log: log.child({ component: 'maintenance' }), loginWindowSeconds: config.loginLimit.windowSeconds,
      tempDir: config.uploads.tempDir, reconcilers: { assets: ingest, referencePhotos: photos, accountDeletions: account, generations: generationReconciler },
    });
    const services = {
      auth: new AuthService({
        auth, users: repos.users, cache: sessionCache, invalidate: invalidateSessions, queue, outbox: repos.outbox,
        mail: authMail, throttle: repos.loginThrottle, loginLimit: config.loginLimit,
      }),
      characters, photos, assets, ingest, assetFiles, folders, maintenance, account, safety,
      generations, engines: engineService, credits,
      admin: new AdminService({ settings, outbox: repos.outbox }),
    };

    // Domain events → jobs. Deleted records' files are removed by a job once the delete commits.
    outbox.on('CharacterDeleted', (e, t) => t.jobs.send(JobName.StoragePurge, { prefixes: [e.data.storagePrefix] }).then(() => {}));
    outbox.on('ReferencePhotoDeleted', (e, t) => t.jobs.send(JobName.StoragePurge, { keys: e.data.storageKeys }).then(() => {}));
    outbox.on('AssetsDeleted', (e, t) => t.jobs.send(JobName.StoragePurge, { keys: e.data.storageKeys }).then(() => {}));

    const jobHandlers: JobHandlers = {
      [JobName.ReferencePhotoThumbnail]: { run: (p) => photos.handleThumbnail(p), onFailure: (p, f) => photos.onThumbnailFailed(p, f) },
      [JobName.AssetIngest]: { run: (p) => ingest.handleIngest(p), onFailure: (p, f) => ingest.onIngestFailed(p, f) },
      [JobName.DatabaseMaintenance]: { run: () => maintenance.databaseMaintenance() },
      [JobName.StoragePurge]: { run: (p) => maintenance.purge(p) },
      [JobName.Reconcile]: { run: () => maintenance.reconcile() },
      [JobName.StorageSweep]: { run: () => maintenance.sweep() },
      [JobName.AccountEmail]: { run: (p) => services.auth.handleAccountEmail(p) },
      // No final-failure step: the account stays marked for deletion and the reconciler re-queues it.
      [JobName.AccountDelete]: { run: (p) => account.handleDelete(p) },
      [JobName.GenerationRun]: { run: (p) => generations.run(p), onFailure: (p, f) => generations.onRunFailed(p, f) },
    };
    const sse = new Set<ServerResponse>();

    return {
      config, log, database, repos, services, auth, queue, outbox, storage, mailer, events, sse, jobHandlers, settings, engines, secrets, enginePool,
      async startWorkers(concurrency: number) {
        await queue.work(jobHandlers, concurrency, { generation: config.generation.concurrency });
        await queue.schedule();
        await outbox.start();
        await queue.send(JobName.DatabaseMaintenance, {}, { singletonKey: 'boot' }); // fresh statistics after a restart
        await queue.send(JobName.Reconcile, {}, { singletonKey: 'boot' });
      },
      async close() {
        for (const res of sse) res.end();
        sse.clear();
        for (const c of cleanups) await c().catch((err) => log.warn({ err }, 'cleanup failed'));
      },
    };
  } catch (err) {
    for (const c of cleanups) await c().catch(() => {});
    throw err;
  }
}
