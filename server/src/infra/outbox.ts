// Dispatches the domain-event outbox (`domain_events`, written by infra/transactions.ts) to its
// subscribers, in the worker role. Each batch is claimed with FOR UPDATE SKIP LOCKED, so several
// workers share the work without handing an event out twice; each event's subscribers run in a
// savepoint of that transaction, and the jobs they enqueue commit together with the event's
// `dispatched_at`. A subscriber that throws is retried with backoff (the other events of the batch
// are unaffected); after the last attempt the event is marked failed and logged at error level.
//
// Ordering: events are claimed in id order; with several workers, events of one batch may be
// dispatched before the previous batch has committed. Subscribers must not depend on strict
// order across events (jobs reload state anyway).
import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { domainEvents } from '../db/schema.ts';
import type { DomainEvent, DomainEventOf, DomainEventType } from '../domain/events.ts';
import type { Database } from './database.ts';
import { OUTBOX_CHANNEL, type Transactor, type Tx } from './transactions.ts';

interface StoredEvent<T extends DomainEventType = DomainEventType> {
  id: number;
  userId: string | null;
  type: T;
  data: DomainEventOf<T>['data'];
  createdAt: Date;
}

export type Subscriber<R, T extends DomainEventType> = (event: StoredEvent<T>, tx: Tx<R>) => Promise<void>;

const MAX_ATTEMPTS = 10;
const BATCH = 100;

export class OutboxDispatcher<R> {
  private readonly database: Database;
  private readonly transactor: Transactor<R>;
  private readonly log: Logger;
  private readonly pollMs: number;
  private readonly subscribers = new Map<DomainEventType, Array<Subscriber<R, DomainEventType>>>();
  private unlisten: (() => Promise<void>) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  /** Events dispatched by this process (tests, bench). */
  dispatched = 0;

  constructor(deps: { database: Database; transactor: Transactor<R>; log: Logger; pollMs?: number }) {
    this.database = deps.database;
    this.transactor = deps.transactor;
    this.log = deps.log;
    this.pollMs = deps.pollMs ?? 5_000;
  }

  on<T extends DomainEventType>(type: T, subscriber: Subscriber<R, T>): void {
    const list = this.subscribers.get(type) ?? [];
    list.push(subscriber as unknown as Subscriber<R, DomainEventType>);
    this.subscribers.set(type, list);
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.unlisten = await this.database.listen(OUTBOX_CHANNEL, () => this.kick());
    const tick = () => {
      this.kick();
      if (!this.stopped) this.timer = setTimeout(tick, this.pollMs);
    };
    tick();
  }

  /** Drains the outbox now (coalesces concurrent calls). */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while (!this.stopped && (await this.dispatchBatch()) === BATCH) { /* more waiting */ }
        } while (this.again && !this.stopped);
      } catch (err) {
        this.log.error({ err }, 'outbox dispatch failed; retrying on the next poll');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Claims and dispatches one batch; returns how many events it claimed. */
  private async dispatchBatch(): Promise<number> {
    const failures: Array<{ id: number; attempts: number; error: string; type: string }> = [];
    const claimed = await this.transactor.run(async (tx) => {
      const db = tx.db;
      const rows = await db.select({
        id: domainEvents.id, userId: domainEvents.userId, type: domainEvents.type, data: domainEvents.data,
        createdAt: domainEvents.createdAt, attempts: domainEvents.attempts,
      }).from(domainEvents)
        .where(and(isNull(domainEvents.dispatchedAt), isNull(domainEvents.failedAt), or(isNull(domainEvents.nextAttemptAt), lte(domainEvents.nextAttemptAt, sql`now()`))))
        .orderBy(asc(domainEvents.id)).limit(BATCH).for('update', { skipLocked: true });
      const done: number[] = [];
      for (const row of rows) {
        const subs = this.subscribers.get(row.type as DomainEventType) ?? [];
        if (subs.length === 0) {
          done.push(row.id);
          continue;
        }
        const event = { id: row.id, userId: row.userId, type: row.type as DomainEventType, data: row.data as DomainEvent['data'], createdAt: row.createdAt };
        await db.execute(sql`savepoint outbox_event`);
        try {
          for (const s of subs) await s(event, tx);
          await db.execute(sql`release savepoint outbox_event`);
          done.push(row.id);
        } catch (err) {
          await db.execute(sql`rollback to savepoint outbox_event`);
          failures.push({ id: row.id, attempts: row.attempts + 1, error: err instanceof Error ? err.message : String(err), type: row.type });
          this.log.warn({ err, eventId: row.id, type: row.type, attempt: row.attempts + 1 }, 'domain event subscriber failed; will retry');
        }
      }
      if (done.length) await db.update(domainEvents).set({ dispatchedAt: sql`now()` }).where(inArray(domainEvents.id, done));
      for (const f of failures) {
        const giveUp = f.attempts >= MAX_ATTEMPTS;
        await db.update(domainEvents).set({
          attempts: f.attempts, lastError: f.error.slice(0, 2000),
          nextAttemptAt: sql`now() + make_interval(secs => ${Math.min(3600, 2 ** f.attempts)})`,
          ...(giveUp ? { failedAt: sql`now()` } : {}),
        }).where(eq(domainEvents.id, f.id));
        if (giveUp) this.log.error({ eventId: f.id, type: f.type, attempts: f.attempts, error: f.error }, 'domain event could not be dispatched; gave up');
      }
      this.dispatched += done.length;
      return rows.length;
    });
    return claimed;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.unlisten?.();
    this.unlisten = null;
    await this.running;
  }
}
