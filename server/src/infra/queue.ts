// Durable job queue (pg-boss) on the same database as everything else: the embedded PGlite
// in all-in-one mode, the Postgres server at scale. Typed by JobName; boot fails when a job
// has no handler (or a handler has no job).
import { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import { allJobNames, jobPolicies, jobSchedules, type JobHandlers, type JobName, type JobPayloads } from '../jobs/jobs.ts';
import type { Database } from './database.ts';

export interface QueueOptions {
  database: Database;
  log: Logger;
  /** Poll interval; jobs sent from this process are also picked up via LISTEN/NOTIFY. */
  pollingIntervalSeconds?: number;
}

export class Queue {
  private readonly boss: PgBoss;
  private readonly log: Logger;
  private readonly pollingIntervalSeconds: number;
  private started = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(opts: QueueOptions) {
    this.log = opts.log;
    this.pollingIntervalSeconds = opts.pollingIntervalSeconds ?? 1;
    const bossDb = opts.database.bossDb();
    this.boss = bossDb
      ? new PgBoss({ db: bossDb, backend: 'pglite', schema: 'pgboss', useListenNotify: true })
      : new PgBoss({ connectionString: opts.database.url, schema: 'pgboss', max: 4, application_name: 'ainfluencer-queue', useListenNotify: true });
    this.boss.on('error', (err) => this.log.error({ err }, 'job queue error'));
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    for (const name of allJobNames) {
      const p = jobPolicies[name];
      await this.boss.createQueue(name, {
        retryLimit: p.retryLimit, retryDelay: p.retryDelay, retryBackoff: p.retryBackoff, expireInSeconds: p.expireInSeconds, notify: true,
      });
    }
    this.started = true;
  }

  async send<N extends JobName>(name: N, payload: JobPayloads[N], options: { singletonKey?: string } = {}): Promise<string | null> {
    return this.boss.send(name, payload, options);
  }

  /** Registers one handler per job name; throws if any job lacks a handler or has an unknown one. */
  async work(handlers: JobHandlers, concurrency: number): Promise<void> {
    const known = new Set<string>(allJobNames);
    const extra = Object.keys(handlers).filter((k) => !known.has(k));
    const missing = allJobNames.filter((n) => typeof (handlers as Record<string, unknown>)[n] !== 'function');
    if (extra.length || missing.length) {
      throw new Error(
        `Job handlers do not match job names: ${missing.length ? `missing ${missing.join(', ')}` : ''}${extra.length ? ` unknown ${extra.join(', ')}` : ''}`,
      );
    }
    for (const name of allJobNames) {
      const handler = handlers[name] as (p: unknown) => Promise<{ status: string; reason?: string }>;
      await this.boss.work(name, { localConcurrency: concurrency, pollingIntervalSeconds: this.pollingIntervalSeconds, notifyPollingIntervalSeconds: 10 }, async ([job]) => {
        const run = (async () => {
          const res = await handler(job.data);
          this.log.debug({ job: name, id: job.id, result: res }, 'job finished');
          if (res.status === 'failed') throw new Error(res.reason ?? 'job failed');
          return res;
        })();
        this.inFlight.add(run);
        try {
          return await run;
        } finally {
          this.inFlight.delete(run);
        }
      });
    }
  }

  /** Registers the recurring jobs (idempotent: pg-boss keeps one schedule per name). */
  async schedule(): Promise<void> {
    for (const s of jobSchedules) await this.boss.schedule(s.name, s.cron, {}, { tz: 'UTC' });
  }

  async getJobState(name: JobName, id: string): Promise<string | null> {
    const job = await this.boss.getJobById(name, id);
    return job?.state ?? null;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    await this.boss.stop({ graceful: true, timeout: 15_000 });
    this.started = false;
  }
}
