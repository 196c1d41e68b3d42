// Credits: an append-only ledger per account. A generation's price is spent up front in the same
// transaction that queues it (402 when the balance cannot cover it, nothing queued), and refunded
// — all of it, or the difference when a cheaper engine did the work — when it ends. Each account
// receives the monthly allowance once per calendar month (UTC), on its first credit activity of
// the month. With credits switched off nothing is charged and the balance is not shown.
import type { CreditSettings } from '../../config/runtime-settings.ts';
import { InsufficientCreditsError, NotFoundError } from '../../errors.ts';
import type { Transactor, Tx } from '../../infra/transactions.ts';
import type { CreditRepository } from '../../repositories/credit.repository.ts';
import type { UserRepository } from '../../repositories/user.repository.ts';
import type { GenerationKind } from '../../engines/engine.ts';
import { randomUUID } from 'node:crypto';

type CreditRepos = { credits: CreditRepository };

export class CreditService {
  private readonly credits: CreditRepository;
  private readonly users: Pick<UserRepository, 'getById'>;
  private readonly tx: Transactor<CreditRepos>;
  private readonly settings: () => Promise<CreditSettings>;
  private readonly now: () => Date;

  constructor(deps: { credits: CreditRepository; users: Pick<UserRepository, 'getById'>; tx: Transactor<CreditRepos>; settings: () => Promise<CreditSettings>; now?: () => Date }) {
    this.credits = deps.credits;
    this.users = deps.users;
    this.tx = deps.tx;
    this.settings = deps.settings;
    this.now = deps.now ?? (() => new Date());
  }

  async config(): Promise<CreditSettings> {
    return this.settings();
  }

  /** The default price of one unit of a kind (an engine's own price wins when it has one). */
  async unitPrice(kind: GenerationKind, enginePrice: number | null): Promise<number> {
    const s = await this.settings();
    if (!s.enabled) return 0;
    return enginePrice ?? s.prices[kind];
  }

  private monthKey(): string {
    return `allowance:${this.now().toISOString().slice(0, 7)}`;
  }

  /** Gives this month's allowance if the account has not had it yet. Inside the caller's transaction. */
  private async allowanceIn(t: Tx<CreditRepos>, userId: string, s: CreditSettings): Promise<void> {
    if (s.monthlyAllowance <= 0) return;
    const key = this.monthKey();
    if (await t.repos.credits.hasEntry(userId, key)) return;
    const r = await t.repos.credits.apply(userId, { delta: s.monthlyAllowance, reason: 'allowance', key, note: `Monthly allowance ${key.slice(10)}` });
    if (r.status === 'applied') await t.events.emit(userId, { type: 'CreditsChanged', data: { balance: r.balance, delta: s.monthlyAllowance, reason: 'allowance' } });
  }

  /**
   * Spends `amount` for a generation inside the caller's transaction; throws 402 (and the caller's
   * transaction rolls back) when the balance cannot cover it. Spending twice for one generation is
   * a no-op. `s` is read before the transaction (`config()`): on the embedded database a read
   * outside the transaction would wait for it to end.
   */
  async spendIn(t: Tx<CreditRepos>, s: CreditSettings, userId: string, generationId: string, amount: number, note: string): Promise<void> {
    if (!s.enabled || amount <= 0) return;
    await this.allowanceIn(t, userId, s);
    const r = await t.repos.credits.apply(userId, { delta: -amount, reason: 'spend', key: `spend:${generationId}`, generationId, note });
    if (r.status === 'insufficient') {
      throw new InsufficientCreditsError(
        `This needs ${amount} credit${amount === 1 ? '' : 's'} and your balance is ${r.balance}. Ask an administrator for credits, or generate fewer at once.`,
        { needed: amount, balance: r.balance },
      );
    }
    if (r.status === 'applied') await t.events.emit(userId, { type: 'CreditsChanged', data: { balance: r.balance, delta: -amount, reason: 'spend' } });
  }

  /** Gives back `amount` of a generation's spend, once (keyed by the generation). */
  async refundIn(t: Tx<CreditRepos>, userId: string, generationId: string, amount: number, note: string): Promise<void> {
    if (amount <= 0) return;
    if (!(await t.repos.credits.hasEntry(userId, `spend:${generationId}`))) return; // nothing was spent (credits were off)
    const r = await t.repos.credits.apply(userId, { delta: amount, reason: 'refund', key: `refund:${generationId}`, generationId, note });
    if (r.status === 'applied') await t.events.emit(userId, { type: 'CreditsChanged', data: { balance: r.balance, delta: amount, reason: 'refund' } });
  }

  /** An administrator's grant. */
  async grant(userId: string, amount: number, note: string): Promise<{ balance: number }> {
    if (!(await this.users.getById(userId))) throw new NotFoundError('Account');
    return this.tx.run(async (t) => {
      const r = await t.repos.credits.apply(userId, { delta: amount, reason: 'grant', key: `grant:${randomUUID()}`, note: note || 'Granted by an administrator' });
      await t.events.emit(userId, { type: 'CreditsChanged', data: { balance: r.balance, delta: amount, reason: 'grant' } });
      return { balance: r.balance };
    });
  }

  async summary(userId: string, q: { before?: number; limit?: number } = {}) {
    const s = await this.settings();
    if (s.enabled) await this.tx.run((t) => this.allowanceIn(t, userId, s));
    const [balance, entries] = await Promise.all([this.credits.balance(userId), this.credits.ledger(userId, { before: q.before, limit: q.limit ?? 50 })]);
    return {
      enabled: s.enabled, balance, monthlyAllowance: s.monthlyAllowance, prices: s.prices,
      entries: entries.map((e) => ({ id: e.id, delta: e.delta, reason: e.reason, note: e.note, generationId: e.generationId, balanceAfter: e.balanceAfter, createdAt: e.createdAt.toISOString() })),
    };
  }
}
