// Characters: business rules for create/edit/status/delete, dashboard listing and prompt
// export. Every method takes the acting user's id; repositories scope every query by it.
import type { CharacterStatus } from '../db/schema.ts';
import { ConflictError, NotFoundError, UserError, findPgError } from '../errors.ts';
import type { Transactor } from '../infra/transactions.ts';
import type { CharacterRepository, CharacterRow, CharacterSummaryRow } from '../repositories/character.repository.ts';
import type {
  CharacterDto, CharacterSummaryDto, CreateCharacterInput, ListCharactersQuery, UpdateCharacterInput,
} from '../schemas/character.schemas.ts';
import { assertAdultLooks, assertPromptsScreened, exportPrompts } from './prompt-builder.ts';
import type { UserReadCache } from '../infra/read-cache.ts';
import { characterGates } from '../schemas/asset.schemas.ts';
import type { SafetyReviewService } from './safety/safety-review.service.ts';

/** Records a safety refusal before passing it on (SafetyReviewService). */
type SafetyGuard = Pick<SafetyReviewService, 'guard'>;

type StatusAction = 'pause' | 'resume' | 'archive' | 'unarchive';
type BulkAction = 'pause' | 'resume' | 'archive' | 'delete';

const transitions: Record<StatusAction, { from: CharacterStatus[]; to: CharacterStatus; verb: string }> = {
  pause: { from: ['active', 'error'], to: 'paused', verb: 'paused' },
  resume: { from: ['paused', 'error'], to: 'active', verb: 'resumed' },
  archive: { from: ['active', 'paused', 'error'], to: 'archived', verb: 'archived' },
  unarchive: { from: ['archived'], to: 'paused', verb: 'restored' },
};

export function photoUrls(photoId: string) {
  return { url: `/api/photos/${photoId}/original`, thumbnailUrl: `/api/photos/${photoId}/thumbnail` };
}

function toSummary(r: CharacterSummaryRow): CharacterSummaryDto {
  return {
    id: r.id, name: r.name, handle: r.handle, bio: r.bio, age: r.age, location: r.location,
    status: r.status, statusReason: r.statusReason, timezone: r.timezone,
    avatarUrl: r.avatarPhotoId ? photoUrls(r.avatarPhotoId).thumbnailUrl : null,
    counts: { referencePhotos: r.photoCount, variations: r.variationCount },
    createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
  };
}

/** Turns a unique-index violation into a 409 that names the field. */
function conflictFor(err: unknown, input: { name?: string; handle?: string }): never {
  const pg = findPgError(err);
  if (pg?.code === '23505') {
    const handle = `${pg.constraint ?? ''} ${pg.detail ?? ''}`.includes('handle');
    throw handle
      ? new ConflictError(`You already have a character with the handle @${input.handle}.`, { field: 'handle' })
      : new ConflictError(`You already have a character named "${input.name}".`, { field: 'name' });
  }
  if (pg?.code === '23514') throw new UserError(400, 'validation_failed', 'Characters must be adults: age must be 18 or older.');
  throw err;
}

/** The storage folder of a character's files (photos, vault assets). */
const characterFolder = (userId: string, characterId: string) => `users/${userId}/characters/${characterId}`;

export class CharacterService {
  private readonly characters: CharacterRepository;
  private readonly tx: Transactor<{ characters: CharacterRepository }>;
  private readonly cache: UserReadCache;

  private readonly safety: SafetyGuard;

  constructor(deps: { characters: CharacterRepository; tx: Transactor<{ characters: CharacterRepository }>; cache: UserReadCache; safety: SafetyGuard }) {
    this.characters = deps.characters;
    this.safety = deps.safety;
    this.tx = deps.tx;
    this.cache = deps.cache;
  }

  /** Dashboard list; served from the per-user read cache, which every change event clears. */
  list(userId: string, q: ListCharactersQuery) {
    return this.cache.get(userId, `list:${q.status}:${q.sort}:${q.limit}:${q.offset}:${q.q ?? ''}`, () => this.loadList(userId, q));
  }

  get(userId: string, id: string): Promise<CharacterDto> {
    return this.cache.get(userId, `character:${id}`, () => this.load(userId, id));
  }

  private async loadList(userId: string, q: ListCharactersQuery) {
    const [items, statusCounts] = await Promise.all([
      this.characters.listPage(userId, q),
      this.characters.statusCounts(userId),
    ]);
    // Without a search the status counts already give the total; only a search needs a count.
    const total = q.q
      ? await this.characters.countMatching(userId, q)
      : q.status === 'all' ? Object.values(statusCounts).reduce((a, b) => a + b, 0) : (statusCounts[q.status] ?? 0);
    return { items: items.map(toSummary), total, statusCounts };
  }

  private async load(userId: string, id: string): Promise<CharacterDto> {
    const row = await this.characters.get(userId, id);
    if (!row) throw new NotFoundError('Character');
    return {
      ...this.toDto(row, row),
      avatarPhotoId: row.avatarPhotoId,
      avatarChosen: row.chosenAvatarId !== null && row.chosenAvatarId === row.avatarPhotoId,
    };
  }

  /** Chooses one of the character's ready reference photos as its avatar, or (null) goes back to the automatic choice. */
  async setAvatar(userId: string, id: string, photoId: string | null): Promise<CharacterDto> {
    if (photoId !== null) {
      const status = await this.characters.photoStatus(userId, id, photoId);
      if (status === null) {
        if ((await this.characters.statusOf(userId, [id])).size === 0) throw new NotFoundError('Character');
        throw new NotFoundError('Photo');
      }
      if (status !== 'ready') throw new ConflictError(status === 'failed' ? 'This photo could not be processed, so it cannot be the avatar.' : 'This photo is still being processed; choose it once it is ready.');
    }
    await this.tx.run(async (t) => {
      try {
        if (!(await t.repos.characters.setAvatar(userId, id, photoId))) throw new NotFoundError('Character');
      } catch (err) {
        if (findPgError(err)?.code === '23503') throw new NotFoundError('Photo'); // deleted meanwhile
        throw err;
      }
      const status = (await t.repos.characters.statusOf(userId, [id])).get(id) ?? 'active';
      await t.events.emit(userId, { type: 'CharacterUpdated', data: { characterId: id, status } });
    });
    return this.load(userId, id);
  }

  async create(userId: string, input: CreateCharacterInput): Promise<CharacterDto> {
    assertAdultLooks(input.appearance);
    await this.safety.guard(userId, 'character.create', () => assertPromptsScreened(input));
    const id = await this.tx.run(async (t) => {
      let newId: string;
      try {
        newId = await t.repos.characters.create(userId, input);
      } catch (err) {
        conflictFor(err, input);
      }
      await t.events.emit(userId, { type: 'CharacterCreated', data: { characterId: newId, status: 'active' } });
      return newId;
    });
    return this.get(userId, id);
  }

  async update(userId: string, id: string, patch: UpdateCharacterInput): Promise<CharacterDto> {
    // Screened as it will be after the patch (the row's fields, overridden by the patch's).
    const current = await this.characters.get(userId, id);
    if (!current) throw new NotFoundError('Character');
    // Only what is being written: an older stored look does not block unrelated edits.
    if (patch.appearance) assertAdultLooks(patch.appearance);
    await this.safety.guard(userId, 'character.update', () => assertPromptsScreened({ ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) }));
    await this.tx.run(async (t) => {
      let found: boolean;
      try {
        found = await t.repos.characters.update(userId, id, patch);
      } catch (err) {
        conflictFor(err, patch);
      }
      if (!found) throw new NotFoundError('Character');
      await t.events.emit(userId, { type: 'CharacterUpdated', data: { characterId: id, status: current.status } });
    });
    return this.get(userId, id);
  }

  async changeStatus(userId: string, id: string, action: StatusAction): Promise<CharacterDto> {
    const t = transitions[action];
    const changed = await this.transition(userId, [id], t, await this.characters.statusOf(userId, [id]));
    if (changed.length === 0) {
      const current = (await this.characters.statusOf(userId, [id])).get(id);
      if (!current) throw new NotFoundError('Character');
      if (current !== t.to) {
        throw new ConflictError(`A ${current} character cannot be ${t.verb}.`, { status: current });
      }
      // already in the target state: idempotent
    }
    return this.get(userId, id);
  }

  async delete(userId: string, id: string): Promise<void> {
    const deleted = await this.deleteAll(userId, [id]);
    if (deleted.length === 0) throw new NotFoundError('Character');
  }

  async bulk(userId: string, ids: string[], action: BulkAction) {
    const unique = [...new Set(ids)];
    const before = await this.characters.statusOf(userId, unique);
    const skipped: { id: string; reason: string }[] = unique
      .filter((id) => !before.has(id))
      .map((id) => ({ id, reason: 'not found' }));
    const owned = unique.filter((id) => before.has(id));
    let updated: string[];
    if (action === 'delete') {
      updated = await this.deleteAll(userId, owned);
    } else {
      const t = transitions[action];
      updated = await this.transition(userId, owned, t, before);
      const done = new Set(updated);
      for (const id of owned) {
        if (!done.has(id)) skipped.push({ id, reason: before.get(id) === t.to ? `already ${t.to}` : `a ${before.get(id)} character cannot be ${t.verb}` });
      }
    }
    return { updated, skipped };
  }

  async exportPrompt(userId: string, id: string) {
    const row = await this.characters.getForPrompt(userId, id);
    if (!row) throw new NotFoundError('Character');
    return exportPrompts(row);
  }

  async previewPrompt(userId: string, input: CreateCharacterInput) {
    assertAdultLooks(input.appearance);
    await this.safety.guard(userId, 'character.preview', () => assertPromptsScreened(input));
    return exportPrompts({ ...input, handle: input.handle });
  }

  /** One statement and its events in one transaction; the files go by a job (CharacterDeleted). */
  private deleteAll(userId: string, ids: string[]): Promise<string[]> {
    return this.tx.run(async (t) => {
      const deleted = await t.repos.characters.delete(userId, ids);
      for (const id of deleted) {
        await t.events.emit(userId, { type: 'CharacterDeleted', data: { characterId: id, storagePrefix: characterFolder(userId, id) } });
      }
      return deleted;
    });
  }

  private transition(userId: string, ids: string[], t: (typeof transitions)[StatusAction], before: Map<string, CharacterStatus>): Promise<string[]> {
    return this.tx.run(async (x) => {
      const changed = await x.repos.characters.transitionStatus(userId, ids, t.from, t.to);
      for (const id of changed) {
        await x.events.emit(userId, { type: 'CharacterStatusChanged', data: { characterId: id, from: before.get(id) ?? 'unknown', to: t.to } });
      }
      return changed;
    });
  }

  private toDto(row: CharacterRow, summary: CharacterSummaryRow): Omit<CharacterDto, 'avatarPhotoId' | 'avatarChosen'> {
    return {
      ...toSummary(summary),
      interests: row.interests,
      activeHours: row.activeHours,
      persona: row.persona,
      appearance: row.appearance,
      gates: characterGates.parse(row.gates ?? {}),
    };
  }
}
