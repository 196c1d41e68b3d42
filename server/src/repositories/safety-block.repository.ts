// The abuse signal's records: safety blocks per account and the review flag on the account.
// Reads are for administrators (every account); writes are for the acting user's own account.
import { and, count, desc, eq, gte, max, sql } from 'drizzle-orm';
import { safetyBlocks, users } from '../db/schema.ts';
import type { Db } from '../infra/database.ts';

export type SafetyBlockRow = typeof safetyBlocks.$inferSelect;

export class SafetyBlockRepository {
  private readonly db: Db;
  constructor(db: Db) { this.db = db; }

  async insert(b: { userId: string; source: string; field: string | null; rule: string; terms: string[]; excerpt: string }): Promise<SafetyBlockRow> {
    const [r] = await this.db.insert(safetyBlocks).values(b).returning();
    return r;
  }

  async countSince(userId: string, since: Date): Promise<number> {
    const [r] = await this.db.select({ n: count() }).from(safetyBlocks).where(and(eq(safetyBlocks.userId, userId), gte(safetyBlocks.createdAt, since)));
    return r.n;
  }

  /** Flags the account unless it already is; true when this call flagged it. */
  async flag(userId: string, reason: string): Promise<boolean> {
    const rows = await this.db.update(users).set({ flaggedAt: new Date(), flagReason: reason })
      .where(and(eq(users.id, userId), sql`${users.flaggedAt} is null`)).returning({ id: users.id });
    return rows.length > 0;
  }

  async clearFlag(userId: string): Promise<boolean> {
    const rows = await this.db.update(users).set({ flaggedAt: null, flagReason: null }).where(eq(users.id, userId)).returning({ id: users.id });
    return rows.length > 0;
  }

  /** Accounts with at least one block, or flagged: flagged first, then by their latest block. */
  accounts(since: Date) {
    const recent = sql<number>`count(*) filter (where ${safetyBlocks.createdAt} >= ${since.toISOString()}::timestamptz)::int`;
    return this.db.select({
      userId: users.id, name: users.name, email: users.email, flaggedAt: users.flaggedAt, flagReason: users.flagReason,
      blocks: sql<number>`count(${safetyBlocks.id})::int`, recentBlocks: recent, lastBlockAt: max(safetyBlocks.createdAt),
    }).from(users).leftJoin(safetyBlocks, eq(safetyBlocks.userId, users.id))
      .groupBy(users.id)
      .having(sql`count(${safetyBlocks.id}) > 0 or ${users.flaggedAt} is not null`)
      .orderBy(sql`${users.flaggedAt} is null`, desc(max(safetyBlocks.createdAt)))
      .limit(500);
  }

  list(q: { userId?: string; limit: number }) {
    return this.db.select().from(safetyBlocks)
      .where(q.userId ? eq(safetyBlocks.userId, q.userId) : undefined)
      .orderBy(desc(safetyBlocks.createdAt), desc(safetyBlocks.id)).limit(q.limit);
  }
}
