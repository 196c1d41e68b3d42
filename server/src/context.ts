// The composition root: builds every infrastructure piece, repository and service once and
// wires them through constructors. Nothing else creates singletons.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import type { Config } from './config/env.ts';
import { AuthMail, createAuth, type Auth } from './infra/auth.ts';
import { openDatabase, type Database, type DatabaseOptions } from './infra/database.ts';
import { EventBus } from './infra/events.ts';
import { UserReadCache } from './infra/read-cache.ts';
import { Mailer } from './infra/mail.ts';
import { Queue } from './infra/queue.ts';
import { createStorage } from './infra/storage/index.ts';
import type { Storage } from './infra/storage/storage.ts';
import type { JobHandlers } from './jobs/jobs.ts';
import { JobName } from './jobs/jobs.ts';
import { AccountRepository } from './repositories/account.repository.ts';
import { CharacterRepository } from './repositories/character.repository.ts';
import { LoginThrottleRepository } from './repositories/login-throttle.repository.ts';
import { MaintenanceRepository } from './repositories/maintenance.repository.ts';
import { OutboxRepository } from './repositories/outbox.repository.ts';
import { ReferencePhotoRepository } from './repositories/reference-photo.repository.ts';
import { SettingsRepository } from './repositories/settings.repository.ts';
import { UserRepository } from './repositories/user.repository.ts';
import { AuthService, SessionCache } from './services/auth.service.ts';
import { CharacterService } from './services/character.service.ts';
import { ReferencePhotoService } from './services/reference-photo.service.ts';
import { AssetService } from './services/vault/asset.service.ts';
import { AccountService } from './services/account.service.ts';
import { AdminService } from './services/admin.service.ts';
import { RuntimeSettings } from './config/runtime-settings.ts';
import { AssetRepository } from './repositories/asset.repository.ts';
import { LocalVisionEngine } from './engines/vision/local/local-vision.engine.ts';
import type { VisionEngine } from './engines/vision/vision.ts';

export interface AppContext {
  config: Config;
  log: Logger;
  database: Database;
  repos: {
    characters: CharacterRepository;
    photos: ReferencePhotoRepository;
    outbox: OutboxRepository;
    settings: SettingsRepository;
    users: UserRepository;
    maintenance: MaintenanceRepository;
    assets: AssetRepository;
    loginThrottle: LoginThrottleRepository;
    accounts: AccountRepository;
  };
  services: { auth: AuthService; characters: CharacterService; photos: ReferencePhotoService; assets: AssetService; account: AccountService; admin: AdminService };
  settings: RuntimeSettings;
  vision: VisionEngine;
  auth: Auth;
  queue: Queue;
  storage: Storage;
  mailer: Mailer;
  events: EventBus;
  /** Open SSE responses, ended on shutdown. */
  sse: Set<ServerResponse>;
  jobHandlers: JobHandlers;
  close(): Promise<void>;
}

export function createLogger(config: Pick<Config, 'log'>): Logger {
  const redact = { paths: ['req.headers.cookie', 'req.headers.authorization', '*.password', '*.token', '*.secretAccessKey'], censor: '[redacted]' };
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
  /** Share one loaded vision engine (tests). */
  vision?: VisionEngine;
  /** Plain lines for the operator, e.g. verification links without SMTP (default: stdout). */
  print?: (text: string) => void;
}

export async function createContext(config: Config, opts: ContextOptions = {}): Promise<AppContext> {
  const log = opts.log ?? createLogger(config);
  const database = await openDatabase(
    opts.database ?? (config.database.kind === 'pglite'
      ? { kind: 'pglite', dataDir: config.database.dataDir }
      : { kind: 'postgres', url: config.database.url, poolSize: config.database.poolSize }),
  );
  const cleanups: Array<() => Promise<void>> = [() => database.close()];
  try {
    await database.migrate();
    const db = database.db;
    const repos = {
      characters: new CharacterRepository(db),
      photos: new ReferencePhotoRepository(db),
      outbox: new OutboxRepository(db),
      settings: new SettingsRepository(db),
      users: new UserRepository(db),
      maintenance: new MaintenanceRepository(db),
      assets: new AssetRepository(db),
      loginThrottle: new LoginThrottleRepository(db),
      accounts: new AccountRepository(db),
    };
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
    // One vision engine per process: models load once, on first use. Closed after the queue
    // has stopped (cleanups run in reverse), so no job is mid-inference when models go away.
    const vision = opts.vision ?? new LocalVisionEngine();
    cleanups.unshift(() => vision.close());
    const queue = new Queue({
      database,
      log: log.child({ component: 'queue' }),
      pollingIntervalSeconds: opts.queuePollingSeconds,
    });
    await queue.start();
    cleanups.unshift(() => queue.stop());

    const readCache = new UserReadCache();
    events.onUserChanged((userId) => readCache.invalidateUser(userId));
    const characters = new CharacterService({ characters: repos.characters, events, storage, cache: readCache });
    const photos = new ReferencePhotoService({ photos: repos.photos, characters: repos.characters, storage, queue, events, vision });
    const settings = new RuntimeSettings({ store: repos.settings, log: log.child({ component: 'settings' }) });
    const assetService = new AssetService({
      assets: repos.assets, storage, queue, events, vision, settings: () => settings.get('vault'),
      log: log.child({ component: 'vault' }), media: config.media, cache: readCache,
    });
    const services = {
      auth: new AuthService({
        auth, users: repos.users, cache: sessionCache, invalidate: invalidateSessions, queue, outbox: repos.outbox,
        mail: authMail, throttle: repos.loginThrottle, loginLimit: config.loginLimit,
      }),
      characters, photos, assets: assetService,
      account: new AccountService({ users: repos.users, accounts: repos.accounts, auth, storage, queue, invalidate: invalidateSessions }),
      admin: new AdminService({ settings, outbox: repos.outbox }),
    };
    const jobHandlers: JobHandlers = {
      [JobName.ReferencePhotoThumbnail]: (p) => photos.handleThumbnail(p),
      [JobName.AssetIngest]: (p) => assetService.handleIngest(p),
      [JobName.DatabaseMaintenance]: async () => {
        await repos.maintenance.analyze();
        await repos.loginThrottle.prune(config.loginLimit.windowSeconds);
        return { status: 'success' };
      },
      [JobName.AccountEmail]: (p) => services.auth.handleAccountEmail(p),
      [JobName.AccountDelete]: (p) => services.account.handleDelete(p),
      [JobName.AccountDeletionSweep]: () => services.account.handleDeletionSweep(),
    };
    const sse = new Set<ServerResponse>();

    return {
      config, log, database, repos, services, auth, queue, storage, mailer, events, sse, jobHandlers, vision, settings,
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
