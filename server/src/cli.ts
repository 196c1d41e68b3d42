#!/usr/bin/env node
// `ainfluencer` command line: start (all-in-one or one role), migrate, create-admin,
// seed-demo, backup, restore and openapi. Exit codes: 0 ok, 1 runtime failure, 2 bad usage or
// configuration (commands/failure.ts decides which, and prints every failure readably).
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { documentationConfig, loadConfig, type Role } from './config/env.ts';
import { buildApp } from './app.ts';
import { rotateSecretsCommand } from './commands/secrets.commands.ts';
import { backupCommand, restoreCommand } from './commands/backup.commands.ts';
import { describeFailure } from './commands/failure.ts';
import { ControlServer } from './infra/control-socket.ts';
import { writeBackup } from './services/backup/backup.service.ts';
import { appVersion } from './version.ts';
import { createContext, createLogger, type AppContext } from './context.ts';
import { seedDemo } from './services/demo-seed.ts';

const webDist = path.resolve(import.meta.dirname, '../../web/dist');

const usage = `Usage: ainfluencer <command> [options]

Commands:
  start [--role all|api|worker]   Run the studio (default: all-in-one: API + web app + workers)
  migrate                         Apply database migrations and exit
  create-admin --email E --password P [--name N]
                                  Create a verified administrator (or promote an existing account)
  seed-demo                       Add a demo user (demo@example.com / demo-password) with three characters,
                                  their reference photos and vault items (some approved, some to review)
  backup [FILE]                   Write a consistent backup (database + stored files) to FILE
                                  (default ainfluencer-backup-<date>-<time>.tar; "-" for stdout).
                                  Works while the studio runs.
  restore FILE                    Restore a backup into an empty DATA_DIR / empty database
                                  (checks every checksum first; all or nothing)
  rotate-secrets-key              Encrypt every stored secret (engine API keys) with a new key
                                  (stop the studio first on the embedded database)
  openapi                         Print the OpenAPI document as JSON

Configuration comes from environment variables; see README.md ("Configuration").`;

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

async function withContext<T>(role: Role, fn: (ctx: AppContext) => Promise<T>, opts: { quiet?: boolean } = {}): Promise<T> {
  const config = loadConfig(undefined, { role });
  if (opts.quiet) config.log.level = 'warn';
  // Quiet commands (create-admin, seed-demo) make verified accounts: no links to print.
  const ctx = await createContext(config, opts.quiet ? { print: () => {} } : {});
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

async function start(role: Role) {
  const config = loadConfig(undefined, { role });
  const log = createLogger(config);
  const ctx = await createContext(config, { log });
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  let control: ControlServer | null = null;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down gracefully');
    const force = setTimeout(() => { log.error('shutdown took too long; exiting'); process.exit(1); }, 20_000);
    force.unref();
    try {
      for (const res of ctx.sse) res.end();
      await app?.close();
      await control?.close();
      await ctx.close();
      log.info('stopped');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  if (ctx.database.kind === 'pglite') {
    // The embedded database is ours alone: `ainfluencer backup` asks this process for it.
    try {
      control = await ControlServer.start(config.dataDir, {
        backup: (out, progress) => writeBackup({ database: ctx.database, storage: ctx.storage, appVersion }, out, { onProgress: progress }),
      }, log.child({ component: 'control' }));
    } catch (err) {
      log.warn({ err }, '`ainfluencer backup` will not work while this studio runs: no control socket could be opened (stop the studio to back up)');
    }
  }
  if (role === 'all' || role === 'worker') {
    await ctx.startWorkers(config.worker.concurrency);
    log.info({ concurrency: config.worker.concurrency }, 'workers started');
  }
  if (role === 'all' || role === 'api') {
    await ctx.events.start();
    app = await buildApp(ctx, { webDist });
    try {
      await app.listen({ host: config.http.host, port: config.http.port });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      await control?.close();
      await ctx.close();
      if (code === 'EADDRINUSE') fail(`Port ${config.http.port} is already in use. Stop the other program or start with PORT=<another port>.`, 2);
      if (code === 'EACCES') fail(`Not allowed to listen on port ${config.http.port}. Use a port above 1024 (PORT=8080).`, 2);
      throw err;
    }
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.http.port;
    const url = config.http.publicUrl.replace(/:\d+$/, `:${port}`);
    const webNote = app.hasRoute({ method: 'GET', url: '/*' }) ? '' : ' (web app not built: run `npm run build`)';
    process.stdout.write(`\nAInfluencer is running at ${url}${webNote}\n  API reference: ${url}/api/docs\n  Database: ${ctx.database.kind}${ctx.database.kind === 'pglite' ? ` (${path.relative(process.cwd(), config.database.kind === 'pglite' ? config.database.dataDir ?? '' : '') || '.'})` : ''} · Storage: ${ctx.storage.driver} · Email: ${ctx.mailer.mode}\n\n`);
    if (ctx.mailer.mode === 'outbox') {
      // Without SMTP an administrator who never confirmed their email could not open the outbox
      // to find the link: print a fresh one (the mailer puts it on a line of its own).
      await ctx.services.auth.remindUnverifiedAdmins().catch((err: unknown) => log.error({ err }, 'could not send a fresh verification link to the administrator'));
    }
  } else {
    process.stdout.write('AInfluencer worker is running (no HTTP). Press Ctrl+C to stop.\n');
  }
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      role: { type: 'string', default: 'all' },
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  const positionalsAllowed: Record<string, number> = { backup: 1, restore: 1 };
  if (positionals.length > (positionalsAllowed[command ?? ''] ?? 0)) {
    fail(`Unexpected argument "${positionals[positionalsAllowed[command ?? ''] ?? 0]}".\n\n${usage}`, 2);
  }
  if (values.help || !command || command === 'help') {
    process.stdout.write(`${usage}\n`);
    return;
  }
  switch (command) {
    case 'start': {
      const role = values.role as Role;
      if (!['all', 'api', 'worker'].includes(role)) fail(`--role must be all, api or worker (got "${role}")`, 2);
      await start(role);
      return;
    }
    case 'migrate':
      await withContext('all', async () => { process.stdout.write('Database is up to date.\n'); }, { quiet: true });
      return;
    case 'create-admin': {
      if (!values.email || !values.password) fail('create-admin needs --email and --password', 2);
      if (values.password.length < 8) fail('--password must be at least 8 characters', 2);
      const res = await withContext('all', (ctx) => ctx.services.auth.createVerifiedUser({ email: values.email!.toLowerCase(), password: values.password!, name: values.name ?? 'Admin' }, 'admin'), { quiet: true });
      process.stdout.write(res.created ? `Created administrator ${values.email}.\n` : `${values.email} already existed and is now an administrator.\n`);
      return;
    }
    case 'seed-demo': {
      const res = await withContext('all', async (ctx) => {
        // The seed goes through the real pipeline: photos and vault items are processed by the
        // jobs, here (or by any running worker on a shared database).
        await ctx.events.start();
        await ctx.startWorkers(ctx.config.worker.concurrency);
        return seedDemo(ctx, { wait: true });
      }, { quiet: true });
      process.stdout.write(`${res.message}\n`);
      return;
    }
    case 'backup':
    case 'restore': {
      const config = loadConfig(undefined, { role: 'all' });
      // Logs go to stderr: `backup -` writes the archive to stdout.
      const log = pino({ level: 'warn' }, pino.destination(2));
      await (command === 'backup' ? backupCommand : restoreCommand)(config, positionals[0], log);
      return;
    }
    case 'rotate-secrets-key': {
      const message = await withContext('all', (ctx) => rotateSecretsCommand(ctx), { quiet: true });
      process.stdout.write(`${message}\n`);
      return;
    }
    case 'openapi': {
      const config = documentationConfig();
      const ctx = await createContext(config, { database: { kind: 'pglite', dataDir: null } });
      try {
        const app = await buildApp(ctx);
        await app.ready();
        process.stdout.write(`${JSON.stringify(app.swagger(), null, 2)}\n`);
        await app.close();
      } finally {
        await ctx.close();
      }
      return;
    }
    default:
      fail(`Unknown command "${command}".\n\n${usage}`, 2);
  }
}

main().catch((err: unknown) => {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') fail(`${(err as Error).message}\n\n${usage}`, 2);
  const failure = describeFailure(err);
  fail(failure.message, failure.exitCode);
});
