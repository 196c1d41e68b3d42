import { eq } from 'drizzle-orm';
import { settings } from '../db/schema.ts';
import type { Db } from '../infra/database.ts';

export class SettingsRepository {
  private readonly db: Db;
  constructor(db: Db) { this.db = db; }

  async get<T>(key: string): Promise<T | null> {
    const [row] = await this.db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
    return (row?.value as T | undefined) ?? null;
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.db.insert(settings).values({ key, value: value as object }).onConflictDoUpdate({ target: settings.key, set: { value: value as object, updatedAt: new Date() } });
  }

  /** Stores value unless the key already exists; returns whichever value won. */
  async getOrInit<T>(key: string, make: () => T): Promise<T> {
    await this.db.insert(settings).values({ key, value: make() as object }).onConflictDoNothing();
    return (await this.get<T>(key)) as T;
  }
}
