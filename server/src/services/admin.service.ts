// Instance administration: vault safety settings and the email outbox. Callers are checked as
// administrators by the route's declared access.
import type { RuntimeSettings, VaultSettings } from '../config/runtime-settings.ts';
import type { OutboxRepository } from '../repositories/outbox.repository.ts';

export class AdminService {
  private readonly settings: RuntimeSettings;
  private readonly outbox: OutboxRepository;

  constructor(deps: { settings: RuntimeSettings; outbox: OutboxRepository }) {
    this.settings = deps.settings;
    this.outbox = deps.outbox;
  }

  vaultSettings(): Promise<VaultSettings> {
    return this.settings.get('vault');
  }

  /** Applies to assets ingested from now on. */
  setVaultSettings(value: VaultSettings): Promise<VaultSettings> {
    return this.settings.set('vault', value);
  }

  async recentEmails(limit = 200) {
    const rows = await this.outbox.listRecent(limit);
    return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
  }
}
