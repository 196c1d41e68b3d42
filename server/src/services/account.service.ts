// The signed-in user's own account settings.
import { UserError } from '../errors.ts';
import type { UserRepository } from '../repositories/user.repository.ts';

export interface AccountSettingsDto { adultContent: boolean; adultContentAt: string | null }

export class AccountService {
  private readonly users: UserRepository;

  constructor(deps: { users: UserRepository }) {
    this.users = deps.users;
  }

  async settings(userId: string): Promise<AccountSettingsDto> {
    return view(await this.users.getAdultContent(userId));
  }

  /** Opting in needs an explicit confirmation that the user is an adult; the first date is kept. */
  async updateSettings(userId: string, input: { adultContent: boolean; confirmAdult?: boolean }): Promise<AccountSettingsDto> {
    if (input.adultContent && input.confirmAdult !== true) {
      throw new UserError(400, 'confirmation_required', 'To allow adult content, confirm that you are an adult (confirmAdult: true).', [{ path: ['confirmAdult'], message: 'must be true' }]);
    }
    const at = input.adultContent ? ((await this.users.getAdultContent(userId)) ?? new Date()) : null;
    await this.users.setAdultContent(userId, at);
    return view(at);
  }
}

function view(at: Date | null): AccountSettingsDto {
  return { adultContent: at !== null, adultContentAt: at?.toISOString() ?? null };
}
