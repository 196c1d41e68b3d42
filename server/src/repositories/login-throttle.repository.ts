// Failed sign-ins per account, shared by every API process through the database. Rows are keyed
// by a hash of the normalised email (the service hashes), exist only after a failure, and are
// deleted by a success or, once stale, by the maintenance job.
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import { loginThrottle } from '../db/schema.ts';
import type { Db } from '../infra/database.ts';

export class LoginThrottleRepository {
  private readonly db: Db;
  constructor(db: Db) { this.db = db; }

  /** When the account's lock ends, or null when it may try now. */
  async lockedUntil(key: string): Promise<Date | null> {
    const [row] = await this.db.select({ until: loginThrottle.lockedUntil }).from(loginThrottle)
      .where(and(eq(loginThrottle.key, key), gt(loginThrottle.lockedUntil, sql`now()`)));
    return row?.until ?? null;
  }

  /**
   * Counts one failure in the current fixed window (a new window starts when the old one is
   * over) and locks the key until the window ends once `max` failures are reached. One atomic
   * statement, so concurrent failures on several processes all count.
   */
  async recordFailure(key: string, max: number, windowSeconds: number): Promise<{ failures: number; lockedUntil: Date | null }> {
    const window = sql`make_interval(secs => ${windowSeconds})`;
    const expired = sql`${loginThrottle.windowStartedAt} <= now() - ${window}`;
    const failures = sql`(case when ${expired} then 1 else ${loginThrottle.failures} + 1 end)`;
    const started = sql`(case when ${expired} then now() else ${loginThrottle.windowStartedAt} end)`;
    const [row] = await this.db.insert(loginThrottle)
      .values({ key, failures: 1, windowStartedAt: sql`now()`, lockedUntil: max <= 1 ? sql`now() + ${window}` : null })
      .onConflictDoUpdate({
        target: loginThrottle.key,
        set: {
          failures,
          windowStartedAt: started,
          lockedUntil: sql`case when ${failures} >= ${max} then ${started} + ${window} else null end`,
        },
      })
      .returning({ failures: loginThrottle.failures, lockedUntil: loginThrottle.lockedUntil });
    return row;
  }

  async reset(key: string): Promise<void> {
    await this.db.delete(loginThrottle).where(eq(loginThrottle.key, key));
  }

  /** Forgets windows that ended (and locks that expired) more than a window ago. */
  async prune(windowSeconds: number): Promise<number> {
    const rows = await this.db.delete(loginThrottle)
      .where(and(
        lt(loginThrottle.windowStartedAt, sql`now() - make_interval(secs => ${windowSeconds * 2})`),
        sql`coalesce(${loginThrottle.lockedUntil}, '-infinity') < now()`,
      ))
      .returning({ key: loginThrottle.key });
    return rows.length;
  }
}
