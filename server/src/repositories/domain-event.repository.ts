// Reads of the domain-event outbox for maintenance and tests (writes go through
// infra/transactions.ts, dispatch through infra/outbox.ts).
import { and, count, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { domainEvents } from '../db/schema.ts';
import type { Db } from '../infra/database.ts';

export class DomainEventRepository {
  private readonly db: Db;
  constructor(db: Db) { this.db = db; }

  /** Dispatched events older than `days` are only history: delete them. */
  async deleteDispatchedBefore(days: number): Promise<number> {
    const rows = await this.db.delete(domainEvents)
      .where(and(isNotNull(domainEvents.dispatchedAt), lt(domainEvents.dispatchedAt, sql`now() - make_interval(days => ${days})`)))
      .returning({ id: domainEvents.id });
    return rows.length;
  }

  async pendingCount(): Promise<number> {
    const [r] = await this.db.select({ n: count() }).from(domainEvents).where(and(isNull(domainEvents.dispatchedAt), isNull(domainEvents.failedAt)));
    return r.n;
  }

  /** Events of a user, newest first (tests and diagnostics). */
  listForUser(userId: string, limit = 100) {
    return this.db.select({ id: domainEvents.id, type: domainEvents.type, data: domainEvents.data, dispatchedAt: domainEvents.dispatchedAt, failedAt: domainEvents.failedAt })
      .from(domainEvents).where(sql`${domainEvents.userId} = ${userId}`).orderBy(sql`${domainEvents.id} desc`).limit(limit);
  }
}
