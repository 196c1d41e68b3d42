import { sql } from 'drizzle-orm';
import type { Db } from '../infra/database.ts';

export class MaintenanceRepository {
  private readonly db: Db;
  constructor(db: Db) { this.db = db; }

  /** Refreshes planner statistics. The embedded database has no autovacuum to do it. */
  async analyze(): Promise<void> {
    await this.db.execute(sql`analyze`);
  }
}
