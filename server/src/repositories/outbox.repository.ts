import { and, desc, eq, gte, inArray } from 'drizzle-orm';
import { outbox } from '../db/schema.ts';
import type { Db } from '../infra/database.ts';

export class OutboxRepository {
  private readonly db: Db;
  constructor(db: Db) { this.db = db; }

  async insert(m: {
    to: string; subject: string; text: string; html?: string; kind: string; userId?: string | null;
    status: 'logged' | 'sent' | 'failed'; error?: string;
  }): Promise<void> {
    await this.db.insert(outbox).values({
      to: m.to, subject: m.subject, text: m.text, html: m.html ?? null, kind: m.kind, userId: m.userId ?? null,
      status: m.status, error: m.error ?? null, sentAt: m.status === 'sent' ? new Date() : null,
    });
  }

  listRecent(limit = 100) {
    return this.db
      .select({ id: outbox.id, to: outbox.to, subject: outbox.subject, text: outbox.text, kind: outbox.kind, status: outbox.status, error: outbox.error, createdAt: outbox.createdAt })
      .from(outbox).orderBy(desc(outbox.createdAt)).limit(limit);
  }

  /** Whether an email of this kind reached the outbox (logged or sent, not failed) since `since`. */
  async deliveredSince(to: string, kind: string, since: Date): Promise<boolean> {
    const [row] = await this.db.select({ id: outbox.id }).from(outbox)
      .where(and(eq(outbox.to, to), eq(outbox.kind, kind), gte(outbox.createdAt, since), inArray(outbox.status, ['logged', 'sent'])))
      .limit(1);
    return row !== undefined;
  }

  listForRecipient(to: string) {
    return this.db
      .select({ id: outbox.id, subject: outbox.subject, text: outbox.text, kind: outbox.kind, createdAt: outbox.createdAt })
      .from(outbox).where(eq(outbox.to, to)).orderBy(desc(outbox.createdAt));
  }
}
