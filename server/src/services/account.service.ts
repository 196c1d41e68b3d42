// The signed-in user's own account: settings, a download of all its data, and deleting it.
import path from 'node:path';
import { PassThrough } from 'node:stream';
import yazl from 'yazl';
import { ConflictError, UserError, ValidationError } from '../errors.ts';
import type { Auth } from '../infra/auth.ts';
import type { Queue } from '../infra/queue.ts';
import type { Transactor } from '../infra/transactions.ts';
import { StorageNotFoundError, type Storage } from '../infra/storage/storage.ts';
import { JobName, type JobPayloads, type JobResult } from '../jobs/jobs.ts';
import type { AccountRepository } from '../repositories/account.repository.ts';
import type { UserRepository } from '../repositories/user.repository.ts';
import { throttleKey, type CurrentSession } from './auth.service.ts';
import { safeFileName } from './file-names.ts';

export interface AccountSettingsDto { adultContent: boolean; adultContentAt: string | null }

/** Every stored file of a user lives under this folder (reference photos, vault files, derivatives). */
const userStoragePrefix = (userId: string) => `users/${userId}`;


export class AccountService {
  private readonly users: UserRepository;
  private readonly accounts: AccountRepository;
  private readonly auth: Auth;
  private readonly storage: Storage;
  private readonly queue: Queue;
  private readonly tx: Transactor<{ accounts: AccountRepository }>;
  private readonly invalidate: (userId: string) => Promise<void>;

  constructor(deps: {
    users: UserRepository;
    accounts: AccountRepository;
    auth: Auth;
    storage: Storage;
    queue: Queue;
    tx: Transactor<{ accounts: AccountRepository }>;
    /** Tells every API process to forget the user's cached sessions. */
    invalidate: (userId: string) => Promise<void>;
  }) {
    this.users = deps.users;
    this.accounts = deps.accounts;
    this.auth = deps.auth;
    this.storage = deps.storage;
    this.queue = deps.queue;
    this.tx = deps.tx;
    this.invalidate = deps.invalidate;
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

  /**
   * A zip of everything the account holds, streamed entry by entry: `account.json` (profile,
   * settings, sessions), per character its JSON (persona, appearance, vault rules) and its
   * reference photos, and the vault (`vault/assets.json` plus every processed original).
   */
  async export(userId: string): Promise<{ stream: NodeJS.ReadableStream; filename: string }> {
    const data = await this.accounts.getForExport(userId);
    if (!data) throw new UserError(404, 'not_found', 'Account was not found.');
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    const zip = new yazl.ZipFile();
    const out = new PassThrough();
    zip.outputStream.pipe(out);
    const json = (name: string, value: unknown) => zip.addBuffer(Buffer.from(`${JSON.stringify(value, null, 2)}\n`), name);
    const { user } = data;
    json('account.json', {
      exportedAt: new Date().toISOString(),
      user: { ...user, adultContentAt: iso(user.adultContentAt), createdAt: iso(user.createdAt), updatedAt: iso(user.updatedAt) },
      settings: { adultContent: user.adultContentAt !== null },
      sessions: data.sessions.map((s) => ({ ...s, createdAt: iso(s.createdAt), expiresAt: iso(s.expiresAt) })),
    });
    const folderOf = new Map<string, string>();
    for (const c of data.characters) {
      const folder = `characters/${safeFileName(c.handle)}`;
      folderOf.set(c.id, folder);
      json(`${folder}/character.json`, {
        ...c, createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt),
        referencePhotos: data.photos.filter((p) => p.characterId === c.id).map(({ storageKey, ...p }) => ({
          ...p, file: `photos/${p.id}${path.extname(storageKey)}`, createdAt: iso(p.createdAt),
        })),
      });
    }
    json('vault/assets.json', {
      folders: data.folders.map((f) => ({ ...f, createdAt: iso(f.createdAt) })),
      assets: data.assets.map(({ storageKey, ...a }) => ({
        ...a, file: storageKey ? `${a.id}-${safeFileName(a.originalName || 'file').replace(/\.[^.]+$/, '')}${path.extname(storageKey)}` : null, createdAt: iso(a.createdAt),
      })),
    });
    const files = [
      ...data.photos.map((p) => ({ key: p.storageKey, name: `${folderOf.get(p.characterId)}/photos/${p.id}${path.extname(p.storageKey)}` })),
      ...data.assets.filter((a) => a.storageKey).map((a) => ({
        key: a.storageKey!, name: `vault/${a.id}-${safeFileName(a.originalName || 'file').replace(/\.[^.]+$/, '')}${path.extname(a.storageKey!)}`,
      })),
    ];
    (async () => {
      const missing: string[] = [];
      for (const f of files) {
        try {
          const { body } = await this.storage.get(f.key);
          zip.addReadStream(body, f.name, { compress: false });
        } catch (err) {
          if (!(err instanceof StorageNotFoundError)) throw err;
          missing.push(f.name); // deleted meanwhile
        }
      }
      if (missing.length) json('missing-files.json', { note: 'These files were deleted while the export was being made.', files: missing });
      zip.end();
    })().catch((err) => out.destroy(err as Error));
    return { stream: out, filename: `ainfluencer-account-${new Date().toISOString().slice(0, 10)}.zip` };
  }

  /**
   * Deletes the caller's account once they confirmed with their password or by typing their
   * email. In one transaction the account is marked and every session ends; the AccountDelete
   * job then removes the files and rows, retried until done (and re-queued by the reconciler), so a
   * failure halfway never leaves a usable, half-deleted account.
   */
  async requestDeletion(current: CurrentSession, confirm: { password?: string; email?: string }, headers: Headers): Promise<{ setCookies: string[] }> {
    if (confirm.password !== undefined) {
      try {
        await this.auth.api.verifyPassword({ body: { password: confirm.password }, headers });
      } catch (err) {
        const code = (err as { body?: { code?: string } }).body?.code;
        if (code === 'INVALID_PASSWORD' || code === 'CREDENTIAL_ACCOUNT_NOT_FOUND') {
          throw new ValidationError('The password is incorrect.', [{ path: ['password'], message: 'is incorrect' }]);
        }
        throw err;
      }
    } else if (confirm.email !== undefined) {
      if (confirm.email.trim().toLowerCase() !== current.user.email.toLowerCase()) {
        throw new ValidationError('Type your email address exactly to confirm.', [{ path: ['email'], message: 'does not match your email' }]);
      }
    } else {
      throw new ValidationError('Confirm with your password or by typing your email address.', [{ path: ['password'], message: 'is required (or email)' }]);
    }
    if (current.user.role === 'admin') {
      const others = await this.accounts.othersThan(current.user.id);
      if (others.admins === 0 && others.users > 0) {
        throw new ConflictError('You are the only administrator. Make another account an administrator first (ainfluencer create-admin --email …), then delete this one.');
      }
    }
    // Sign this browser out first (better-auth expires its cookies); the transaction below ends
    // every other session. Should it fail, the user is merely signed out and can try again.
    const signedOut = await this.auth.api.signOut({ headers, returnHeaders: true });
    // The mark, the end of every session and the deletion job commit together.
    await this.tx.run(async (t) => {
      await t.repos.accounts.markDeleting(current.user.id);
      await t.jobs.send(JobName.AccountDelete, { userId: current.user.id }, { singletonKey: current.user.id });
    });
    await this.invalidate(current.user.id);
    return { setCookies: signedOut.headers?.getSetCookie?.() ?? [] };
  }

  /**
   * Job: removes every stored file of the account, then its rows (one transaction), then looks
   * once more for files an in-flight job wrote meanwhile. Safe to run twice; an account that is
   * not marked for deletion is never touched.
   */
  async handleDelete({ userId }: JobPayloads[typeof JobName.AccountDelete]): Promise<JobResult> {
    const state = await this.accounts.getDeletionState(userId);
    if (state && !state.deletingAt) return { status: 'skipped', reason: 'account is not marked for deletion' };
    await this.storage.deletePrefix(userStoragePrefix(userId));
    if (state) await this.accounts.deleteRows(userId, state.email, throttleKey(state.email));
    await this.storage.deletePrefix(userStoragePrefix(userId));
    return state ? { status: 'success' } : { status: 'skipped', reason: 'already deleted' };
  }

  /** Reconciler: deletions that were asked for but have no job to finish them (a lost job, retries used up). */
  async reconcile(_olderThan: Date): Promise<{ requeued: number; failed: number }> {
    let requeued = 0;
    for (const userId of await this.accounts.listDeleting()) {
      if (await this.queue.hasLiveJob(JobName.AccountDelete, userId)) continue;
      await this.tx.run((t) => t.jobs.send(JobName.AccountDelete, { userId }, { singletonKey: userId }));
      requeued++;
    }
    return { requeued, failed: 0 };
  }
}

function view(at: Date | null): AccountSettingsDto {
  return { adultContent: at !== null, adultContentAt: at?.toISOString() ?? null };
}
