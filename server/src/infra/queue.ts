// Durable job queue (pg-boss) on the same database as everything else: the embedded PGlite in
// all-in-one mode, the Postgres server at scale. Typed by JobName; boot fails when a job has no
// handler (or a handler has no job).
//
// Outcomes (see jobs/jobs.ts): a handler's `failed` is final — the job goes straight to its
// dead-letter queue, no retry; a thrown error is retried with backoff and, once retries run out,
// also lands in the dead-letter queue. The dead-letter worker logs the failure at error level and
// runs the handler's `onFailure` (the record is marked failed, its owner told). Running jobs send
// heartbeats: if their process dies (kill -9), the queue fails them within `heartbeatSeconds` plus
// one supervision pass and they are retried — not after the 15-minute expiry.
import { sql } from 'drizzle-orm';
import { PgBoss, type Db as IDatabase } from 'pg-boss';
import type { Logger } from 'pino';
import { isDiskFull, OperationalError, UserError } from '../errors.ts';
import { allJobNames, jobPolicies, jobSchedules, type JobFailure, type JobHandlers, type JobName, type JobPayloads, type JobResult } from '../jobs/jobs.ts';
import type { Database } from './database.ts';

export interface QueueOptions {
  database: Database;
  log: Logger;
  /**
   * How often idle workers look for jobs that NOTIFY cannot announce: retries whose delay has
   * passed, jobs sent by a process whose NOTIFY was missed. Default 10 s; NOTIFY wakes workers at
   * once for new jobs, and a worker that just finished a job fetches the next one at once.
   */
  pollingIntervalSeconds?: number;
  /** How often running jobs' heartbeats and expiries are checked. */
  superviseIntervalSeconds?: number;
  /** Caps every policy's retry delay (tests of retries and final failures). */
  maxRetryDelaySeconds?: number;
  /**
   * This process is the only one using the database (the embedded PGlite): a job still `active`
   * at start belonged to a process that died, so it is failed (and retried) at once instead of
   * after its heartbeat runs out.
   */
  soleProcess?: boolean;
}

export interface SendOptions {
  singletonKey?: string;
  /** Seconds to wait before the job may run. */
  startAfterSeconds?: number;
  /** Send through this executor (a transaction: the job exists only if it commits). */
  db?: IDatabase;
}

/** The dead-letter queue of a job: where it goes when it has failed for good. */
const deadLetterQueue = (name: JobName) => `${name}-failed`;

/** What a user is told about a transient error that outlived every retry. */
function failureReason(err: unknown): string {
  if (isDiskFull(err)) return "The server's disk was full while processing this. Free some space, then retry.";
  if (err instanceof OperationalError || err instanceof UserError) return err.message;
  return 'An unexpected error stopped the processing (details are in the server log).';
}

function reasonFromOutput(output: unknown): JobFailure {
  const o = (output ?? {}) as { reason?: unknown; permanent?: unknown; message?: unknown };
  if (typeof o.reason === 'string') return { reason: o.reason, permanent: o.permanent === true };
  const message = typeof o.message === 'string' ? o.message : '';
  if (/heartbeat timeout|timed out/.test(message)) {
    return { reason: 'The worker running this stopped (the server was restarted or the job ran too long), and every retry failed too.', permanent: false };
  }
  return { reason: message || 'It failed for an unknown reason.', permanent: false };
}

export class Queue {
  private readonly boss: PgBoss;
  private readonly log: Logger;
  private readonly pollingIntervalSeconds: number;
  private readonly maxRetryDelaySeconds: number;
  private readonly soleProcess: boolean;
  private readonly database: Database;
  private started = false;
  /** Settled handler runs, for tests and the drain benchmark: name → count. */
  readonly stats = { completed: 0, failed: 0, retried: 0, deadLettered: 0 };

  constructor(opts: QueueOptions) {
    this.log = opts.log;
    this.pollingIntervalSeconds = opts.pollingIntervalSeconds ?? 10;
    this.maxRetryDelaySeconds = opts.maxRetryDelaySeconds ?? Infinity;
    this.soleProcess = opts.soleProcess ?? false;
    this.database = opts.database;
    // Heartbeats and expiries are checked on the monitor pass of each queue: every 10 s instead of
    // pg-boss's 60, so a job whose process died is retried within about half a minute.
    const supervise = opts.superviseIntervalSeconds ?? 10;
    const common = { schema: 'pgboss', useListenNotify: true, superviseIntervalSeconds: supervise, monitorIntervalSeconds: supervise } as const;
    const bossDb = opts.database.bossDb();
    this.boss = bossDb
      ? new PgBoss({ ...common, db: bossDb, backend: 'pglite' })
      : new PgBoss({ ...common, connectionString: opts.database.url, max: 4, application_name: 'ainfluencer-queue' });
    this.boss.on('error', (err) => this.log.error({ err }, 'job queue error'));
  }

  /** Creates every queue and its dead-letter queue, and applies the current policies to existing ones. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    for (const name of allJobNames) {
      const p = jobPolicies[name];
      const dlq = deadLetterQueue(name);
      const dlqOptions = { retryLimit: 5, retryDelay: Math.min(10, this.maxRetryDelaySeconds), retryBackoff: true, expireInSeconds: 300, notify: true };
      await this.boss.createQueue(dlq, dlqOptions);
      await this.boss.updateQueue(dlq, dlqOptions);
      const options = {
        retryLimit: p.retryLimit, retryDelay: Math.min(p.retryDelay, this.maxRetryDelaySeconds), retryBackoff: p.retryBackoff,
        ...(Number.isFinite(this.maxRetryDelaySeconds) && p.retryBackoff ? { retryDelayMax: this.maxRetryDelaySeconds } : {}),
        expireInSeconds: p.expireInSeconds, notify: true, deadLetter: dlq,
      };
      await this.boss.createQueue(name, { ...options, ...(p.heartbeatSeconds ? { heartbeatSeconds: p.heartbeatSeconds } : {}) });
      // A queue created by an older release keeps its old options otherwise.
      await this.boss.updateQueue(name, { ...options, heartbeatSeconds: p.heartbeatSeconds ?? null });
    }
    // pg-boss looks a queue up in its cache on every send, and on a miss reads it through its own
    // connection. Inside one of our transactions on the single-connection embedded database that
    // read would wait for the transaction, which waits for the send: fill the cache now.
    for (const name of allJobNames) {
      for (const q of [name, deadLetterQueue(name)]) await this.boss.findJobs(q, { id: '00000000-0000-0000-0000-000000000000' });
    }
    if (this.soleProcess) await this.failOrphanedJobs();
    this.started = true;
  }

  /** Jobs a dead process left `active` (sole-process databases only): fail them now so they are retried. */
  private async failOrphanedJobs() {
    const { rows } = await this.database.db.execute<{ id: string; name: string }>(sql`select id, name from pgboss.job where state = 'active'`);
    for (const j of rows) await this.boss.fail(j.name, j.id, { message: 'The process running this job stopped before it finished.' });
    if (rows.length) this.log.warn({ jobs: rows.length }, 'jobs were running when the studio last stopped; retrying them');
  }

  async send<N extends JobName>(name: N, payload: JobPayloads[N], options: SendOptions = {}): Promise<string | null> {
    return this.boss.send(name, payload, {
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
      ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
      ...(options.db ? { db: options.db } : {}),
    });
  }

  /**
   * Whether a job for this key is still going to settle its record: queued, waiting to retry or
   * running — or failed for good with its final-failure step not yet done (dead-letter queue).
   */
  async hasLiveJob(name: JobName, singletonKey: string): Promise<boolean> {
    for (const q of [name, deadLetterQueue(name)]) {
      const jobs = await this.boss.findJobs(q, { key: singletonKey });
      if (jobs.some((j) => j.state === 'created' || j.state === 'retry' || j.state === 'active')) return true;
    }
    return false;
  }

  /** The state of one job (created, retry, active, completed, cancelled, failed), or null when it is gone. */
  async getJobState(name: JobName, id: string): Promise<string | null> {
    const [job] = await this.boss.findJobs(name, { id });
    return job?.state ?? null;
  }

  /** Every job for this key, in its queue and its dead-letter queue (diagnostics and tests). */
  async history(name: JobName, singletonKey: string): Promise<Array<{ queue: string; state: string; retryCount: number; output: unknown }>> {
    const out = [];
    for (const q of [name, deadLetterQueue(name)]) {
      for (const j of await this.boss.findJobs(q, { key: singletonKey })) out.push({ queue: q, state: j.state, retryCount: j.retryCount, output: j.output });
    }
    return out;
  }

  /** Registers one handler per job name; throws if any job lacks a handler or has an unknown one. */
  /**
   * `concurrency`: jobs per name at once in this process; jobs whose policy names a pool (today
   * 'generation': engine calls that mostly wait on the network) use that pool's size instead.
   */
  async work(handlers: JobHandlers, concurrency: number, pools: { generation?: number } = {}): Promise<void> {
    const known = new Set<string>(allJobNames);
    const extra = Object.keys(handlers).filter((k) => !known.has(k));
    const missing = allJobNames.filter((n) => typeof (handlers as Record<string, { run?: unknown }>)[n]?.run !== 'function');
    if (extra.length || missing.length) {
      throw new Error(
        `Job handlers do not match job names: ${missing.length ? `missing ${missing.join(', ')}` : ''}${extra.length ? ` unknown ${extra.join(', ')}` : ''}`,
      );
    }
    const polling = { pollingIntervalSeconds: this.pollingIntervalSeconds, notifyPollingIntervalSeconds: this.pollingIntervalSeconds };
    for (const name of allJobNames) {
      const handler = handlers[name] as { run(p: unknown): Promise<JobResult>; onFailure?(p: unknown, f: JobFailure): Promise<void> };
      const pool = jobPolicies[name].concurrency;
      const localConcurrency = (pool && pools[pool]) || concurrency;
      await this.boss.work(name, { ...polling, localConcurrency, batchSize: 1, perJobResults: true }, async ([job]) => {
        // Fetch again as soon as this job is done: pg-boss would otherwise wait out its polling
        // interval after every job, and a backlog would drain at one job per interval per worker.
        this.wakeBusyWorkers(name);
        this.log.debug({ job: name, id: job.id, attempt: job.retryCount + 1 }, 'job started');
        let res: JobResult;
        try {
          res = await handler.run(job.data);
        } catch (err) {
          if (err instanceof UserError) res = { status: 'failed', reason: err.message };
          else {
            this.stats.retried++;
            this.log.warn({ err, job: name, id: job.id, attempt: job.retryCount + 1, payload: job.data }, 'job attempt failed; it will be retried if attempts remain');
            if (job.retryCount >= jobPolicies[name].retryLimit) this.wakeSoon(deadLetterQueue(name));
            throw Object.assign(new Error(failureReason(err)), { cause: err });
          }
        }
        this.log.debug({ job: name, id: job.id, result: res }, 'job finished');
        if (res.status === 'failed') {
          this.stats.failed++;
          this.wakeSoon(deadLetterQueue(name));
          // Final: straight to the dead-letter queue, whose worker records it (no retry).
          return [{ id: job.id, status: 'deadletter' as const, output: { reason: res.reason, permanent: true } }];
        }
        this.stats.completed++;
        return [{ id: job.id, status: 'completed' as const, output: res }];
      });
      await this.boss.work(deadLetterQueue(name), { ...polling, localConcurrency: 1, batchSize: 1, includeMetadata: true }, async ([dead]) => {
        const failure = reasonFromOutput(dead.sourceOutput);
        this.stats.deadLettered++;
        this.log.error({ job: name, id: dead.sourceId, payload: dead.data, attempts: (dead.sourceRetryCount ?? 0) + 1, reason: failure.reason, permanent: failure.permanent, output: dead.sourceOutput }, 'job failed for good');
        await handler.onFailure?.(dead.data, failure);
      });
    }
  }

  private wakeBusyWorkers(name: string) {
    for (const w of this.boss.getWipData()) if (w.name === name && w.count > 0) this.boss.notifyWorker(w.id);
  }

  /**
   * Moving a job to its dead-letter queue sends no NOTIFY: wake this process's dead-letter workers
   * shortly after the job has been settled, so the final-failure step runs in about a second
   * rather than after a polling interval (other processes still find it by polling).
   */
  private wakeSoon(queue: string) {
    for (const ms of [300, 1500]) {
      setTimeout(() => { for (const w of this.boss.getWipData()) if (w.name === queue) this.boss.notifyWorker(w.id); }, ms).unref();
    }
  }

  /** Registers the recurring jobs (idempotent: pg-boss keeps one schedule per name). */
  async schedule(): Promise<void> {
    for (const s of jobSchedules) await this.boss.schedule(s.name, s.cron, {}, { tz: 'UTC' });
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    await this.boss.stop({ graceful: true, timeout: 15_000 });
    this.started = false;
  }
}
