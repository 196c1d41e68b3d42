import { eq } from 'drizzle-orm';
import { settings } from '../db/schema.ts';
import type { Db } from '../infra/database.ts';

export class SettingsRepository {
  private readonly db: Db;
  constructor(db: Db) { this.db = db; }

  /** The stored JSON value (unknown: callers validate it, see config/runtime-settings.ts). */
  async get(key: string): Promise<unknown> {
    const [row] = await this.db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
    return row?.value ?? null;
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.db.insert(settings).values({ key, value: value as object }).onConflictDoUpdate({ target: settings.key, set: { value: value as object, updatedAt: new Date() } });
  }

  /** Stores value unless the key already exists; returns whichever value won. */
  async getOrInit(key: string, make: () => unknown): Promise<unknown> {
    await this.db.insert(settings).values({ key, value: make() as object }).onConflictDoNothing();
    return this.get(key);
  }
}
