// Every repository, bound to one executor: the database, or a transaction (infra/transactions.ts
// builds a set per transaction, so services write through the same repositories either way).
import type { Db } from '../infra/database.ts';
import { AccountRepository } from './account.repository.ts';
import { AssetRepository } from './asset.repository.ts';
import { CharacterRepository } from './character.repository.ts';
import { CreditRepository } from './credit.repository.ts';
import { DomainEventRepository } from './domain-event.repository.ts';
import { EngineConfigRepository } from './engine-config.repository.ts';
import { GenerationRepository } from './generation.repository.ts';
import { LoginThrottleRepository } from './login-throttle.repository.ts';
import { MaintenanceRepository } from './maintenance.repository.ts';
import { OutboxRepository } from './outbox.repository.ts';
import { ReferencePhotoRepository } from './reference-photo.repository.ts';
import { SafetyBlockRepository } from './safety-block.repository.ts';
import { SettingsRepository } from './settings.repository.ts';
import { UserRepository } from './user.repository.ts';

export function makeRepositories(db: Db) {
  return {
    characters: new CharacterRepository(db),
    photos: new ReferencePhotoRepository(db),
    outbox: new OutboxRepository(db),
    settings: new SettingsRepository(db),
    users: new UserRepository(db),
    maintenance: new MaintenanceRepository(db),
    assets: new AssetRepository(db),
    domainEvents: new DomainEventRepository(db),
    loginThrottle: new LoginThrottleRepository(db),
    accounts: new AccountRepository(db),
    safetyBlocks: new SafetyBlockRepository(db),
    engineConfigs: new EngineConfigRepository(db),
    generations: new GenerationRepository(db),
    credits: new CreditRepository(db),
  };
}
export type Repositories = ReturnType<typeof makeRepositories>;
