// The abuse signal (issue 8): every refusal by the safety screen is recorded with the user, where
// it happened and which rule fired; repeated refusals flag the account for an administrator's
// review. A block never has an override — the user sees what triggered it and can rephrase a
// legitimate text; the administrator sees the pattern.
import type { Logger } from 'pino';
import { UnsafeContentError } from '../../errors.ts';
import type { Transactor, Tx } from '../../infra/transactions.ts';
import type { SafetyBlockRepository } from '../../repositories/safety-block.repository.ts';

/** This many blocks within FLAG_WINDOW_HOURS flag the account. */
const FLAG_AFTER_BLOCKS = 3;
const FLAG_WINDOW_HOURS = 24;
const EXCERPT_CHARS = 500;

/** What a refusal records: where in the text, which rule, which terms, and the text itself. */
export interface SafetyBlock {
  field: string | null;
  rule: string;
  terms: string[];
  text: string;
}

export class SafetyReviewService {
  private readonly blocks: SafetyBlockRepository;
  private readonly tx: Transactor<{ safetyBlocks: SafetyBlockRepository }>;
  private readonly log: Logger;
  private readonly now: () => Date;

  constructor(deps: { blocks: SafetyBlockRepository; tx: Transactor<{ safetyBlocks: SafetyBlockRepository }>; log: Logger; now?: () => Date }) {
    this.blocks = deps.blocks;
    this.tx = deps.tx;
    this.log = deps.log;
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * Runs `fn` (a check that may throw UnsafeContentError) and records a refusal before passing it
   * on. The record has its own transaction: the refused request's rollback does not undo it.
   */
  async guard<T>(userId: string, source: string, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof UnsafeContentError) await this.record(userId, source, err);
      throw err;
    }
  }

  async record(userId: string, source: string, block: SafetyBlock): Promise<{ flagged: boolean }> {
    const flagged = await this.tx.run((t) => this.recordIn(t, userId, source, block));
    return { flagged };
  }

  /**
   * Records a refusal inside the caller's transaction (an ingest that blocks an asset records the
   * block with the asset's own update: both or neither). Answers whether the account was flagged.
   */
  async recordIn(t: Tx<{ safetyBlocks: SafetyBlockRepository }>, userId: string, source: string, block: SafetyBlock): Promise<boolean> {
    const windowStart = new Date(this.now().getTime() - FLAG_WINDOW_HOURS * 3600_000);
    const row = await t.repos.safetyBlocks.insert({
      userId, source, field: block.field, rule: block.rule, terms: block.terms.slice(0, 20), excerpt: block.text.slice(0, EXCERPT_CHARS),
    });
    await t.events.emit(userId, { type: 'SafetyBlocked', data: { blockId: row.id, source, rule: block.rule } });
    let flagged = false;
    if ((await t.repos.safetyBlocks.countSince(userId, windowStart)) >= FLAG_AFTER_BLOCKS) {
      const reason = `${FLAG_AFTER_BLOCKS} or more safety blocks within ${FLAG_WINDOW_HOURS} hours`;
      flagged = await t.repos.safetyBlocks.flag(userId, reason);
      if (flagged) await t.events.emit(userId, { type: 'AccountFlagged', data: { reason } });
    }
    t.afterCommit(() => {
      this.log.warn({ userId, source, rule: block.rule, field: block.field, flagged }, flagged ? 'safety block; account flagged for review' : 'safety block');
    });
    return flagged;
  }

  /** For the admin page: accounts with blocks (flagged first) and the latest blocks. */
  async overview(userId?: string) {
    const since = new Date(this.now().getTime() - FLAG_WINDOW_HOURS * 3600_000);
    const [accounts, blocks] = await Promise.all([this.blocks.accounts(since), this.blocks.list({ userId, limit: 200 })]);
    return {
      flagAfter: { blocks: FLAG_AFTER_BLOCKS, withinHours: FLAG_WINDOW_HOURS },
      accounts: accounts.map((a) => ({ ...a, flaggedAt: a.flaggedAt?.toISOString() ?? null, lastBlockAt: a.lastBlockAt ? new Date(a.lastBlockAt).toISOString() : null })),
      blocks: blocks.map((b) => ({ id: b.id, userId: b.userId, source: b.source, field: b.field, rule: b.rule, terms: b.terms, excerpt: b.excerpt, createdAt: b.createdAt.toISOString() })),
    };
  }

  /** The administrator reviewed the account: the flag goes; the records stay. */
  async clearFlag(userId: string): Promise<boolean> {
    return this.blocks.clearFlag(userId);
  }
}
