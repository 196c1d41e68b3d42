// The credits ledger. A balance changes only in the statement that also proves it may: a spend
// is `UPDATE … SET balance = balance - n WHERE balance >= n`, so concurrent spends serialise on
// the account row and can never take it below zero (the check constraint backs it). Every change
// writes an append-only ledger row with a key (spend:<generation>, refund:<generation>,
// allowance:<month>), so retrying a job never spends or refunds twice.
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { creditAccounts, creditLedger, creditReasons } from '../db/schema.ts';
import type { Db } from '../infra/database.ts';

export type CreditReason = (typeof creditReasons)[number];
export type CreditEntry = typeof creditLedger.$inferSelect;

export class CreditRepository {
  private readonly db: Db;
  constructor(db: Db) { this.db = db; }

  async balance(userId: string): Promise<number> {
    const [r] = await this.db.select({ balance: creditAccounts.balance }).from(creditAccounts).where(eq(creditAccounts.userId, userId));
    return r?.balance ?? 0;
  }

  async hasEntry(userId: string, key: string): Promise<boolean> {
    const [r] = await this.db.select({ id: creditLedger.id }).from(creditLedger).where(and(eq(creditLedger.userId, userId), eq(creditLedger.key, key)));
    return Boolean(r);
  }

  /**
   * Applies `delta` and records it, once per key. A negative delta only when the balance covers it.
   * Answers 'applied' with the balance after, 'duplicate' when the key was already recorded (nothing
   * changes), or 'insufficient' (nothing changes). Run inside a transaction.
   */
  async apply(userId: string, e: { delta: number; reason: CreditReason; key: string; generationId?: string | null; note?: string }):
    Promise<{ status: 'applied'; balance: number } | { status: 'duplicate' | 'insufficient'; balance: number }> {
    await this.db.insert(creditAccounts).values({ userId, balance: 0 }).onConflictDoNothing();
    // Lock the account row first: the duplicate check and the change are then one step per user.
    const [acct] = await this.db.select({ balance: creditAccounts.balance }).from(creditAccounts).where(eq(creditAccounts.userId, userId)).for('update');
    if (await this.hasEntry(userId, e.key)) return { status: 'duplicate', balance: acct!.balance };
    const rows = await this.db.update(creditAccounts)
      .set({ balance: sql`${creditAccounts.balance} + ${e.delta}`, updatedAt: new Date() })
      .where(and(eq(creditAccounts.userId, userId), sql`${creditAccounts.balance} + ${e.delta} >= 0`))
      .returning({ balance: creditAccounts.balance });
    if (rows.length === 0) return { status: 'insufficient', balance: acct!.balance };
    const balance = rows[0]!.balance;
    await this.db.insert(creditLedger).values({ userId, delta: e.delta, reason: e.reason, key: e.key, generationId: e.generationId ?? null, note: e.note ?? '', balanceAfter: balance });
    return { status: 'applied', balance };
  }

  async ledger(userId: string, q: { before?: number; limit: number }): Promise<CreditEntry[]> {
    return this.db.select().from(creditLedger)
      .where(and(eq(creditLedger.userId, userId), q.before ? lt(creditLedger.id, q.before) : undefined))
      .orderBy(desc(creditLedger.id)).limit(q.limit);
  }

  /** Spent per kind/engine comes from generations; this is the ledger's sum per reason (for the summary). */
  totals(userId: string) {
    return this.db.select({ reason: creditLedger.reason, total: sql<number>`coalesce(sum(${creditLedger.delta}), 0)::int` })
      .from(creditLedger).where(eq(creditLedger.userId, userId)).groupBy(creditLedger.reason);
  }
}
