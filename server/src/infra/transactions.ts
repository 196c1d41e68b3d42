// Units of work: a database transaction in which a service writes its rows, enqueues the jobs
// that follow from them (pg-boss inserts through the same transaction) and records its domain
// events (outbox row + live NOTIFY). Either all of it commits or none of it does: no row without
// its job, no job for a row that was rolled back, no event for a change that did not happen.
//
//   await this.tx.run(async (t) => {
//     const row = await t.repos.assets.insert(…);
//     await t.jobs.send(JobName.AssetIngest, { assetId: row.id }, { singletonKey: row.id });
//     await t.events.emit(userId, { type: 'AssetAdded', data: { … } });
//   });
import { sql } from 'drizzle-orm';
import { fromDrizzle } from 'pg-boss';
import { domainEvents } from '../db/schema.ts';
import { liveEventsOf, type DomainEvent } from '../domain/events.ts';
import type { JobName, JobPayloads } from '../jobs/jobs.ts';
import type { Database, Db } from './database.ts';
import type { EventBus } from './events.ts';
import type { Queue, SendOptions } from './queue.ts';

/** The NOTIFY channel that wakes the outbox dispatcher (infra/outbox.ts). */
export const OUTBOX_CHANNEL = 'ainfluencer_outbox';

interface TxJobs {
  send<N extends JobName>(name: N, payload: JobPayloads[N], options?: SendOptions): Promise<string | null>;
}

interface TxEvents {
  /** Records a domain event (for subscribers) and its live events (for the user's browsers). */
  emit(userId: string | null, event: DomainEvent): Promise<void>;
}

export interface Tx<R> {
  repos: R;
  /** The transaction itself, for infrastructure (outbox); services use `repos`. */
  db: Db;
  jobs: TxJobs;
  events: TxEvents;
  /** Runs after a successful commit (never after a rollback). */
  afterCommit(fn: () => void | Promise<void>): void;
}

/** What services depend on; tests may pass a fake. */
export interface Transactor<R> {
  run<T>(fn: (tx: Tx<R>) => Promise<T>): Promise<T>;
}

export class DatabaseTransactor<R> implements Transactor<R> {
  private readonly database: Database;
  private readonly queue: Queue;
  private readonly events: EventBus;
  private readonly makeRepos: (db: Db) => R;

  constructor(deps: { database: Database; queue: Queue; events: EventBus; makeRepos: (db: Db) => R }) {
    this.database = deps.database;
    this.queue = deps.queue;
    this.events = deps.events;
    this.makeRepos = deps.makeRepos;
  }

  async run<T>(fn: (tx: Tx<R>) => Promise<T>): Promise<T> {
    const after: Array<() => void | Promise<void>> = [];
    const changedUsers = new Set<string>();
    let wakeDispatcher = false;
    const result = await this.database.db.transaction(async (db) => {
      const bossDb = fromDrizzle(db, sql);
      const tx: Tx<R> = {
        repos: this.makeRepos(db as unknown as Db),
        db: db as unknown as Db,
        jobs: { send: (name, payload, options = {}) => this.queue.send(name, payload, { ...options, db: bossDb }) },
        events: {
          emit: async (userId, event) => {
            await db.insert(domainEvents).values({ userId, type: event.type, data: event.data });
            if (!wakeDispatcher) {
              wakeDispatcher = true;
              await db.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, '')`);
            }
            if (userId) {
              for (const live of liveEventsOf(event)) await this.events.publishWithin(db as unknown as Db, userId, live);
              changedUsers.add(userId);
            }
          },
        },
        afterCommit: (f) => { after.push(f); },
      };
      return fn(tx);
    });
    for (const u of changedUsers) this.events.changedHere(u);
    for (const f of after) await f();
    return result;
  }
}
