// Characters: business rules for create/edit/status/delete, dashboard listing and prompt
// export. Every method takes the acting user's id; repositories scope every query by it.
import type { CharacterStatus } from '../db/schema.ts';
import { ConflictError, NotFoundError, UserError, findPgError } from '../errors.ts';
import type { EventBus } from '../infra/events.ts';
import type { Storage } from '../infra/storage/storage.ts';
import type { CharacterRepository, CharacterRow, CharacterSummaryRow } from '../repositories/character.repository.ts';
import type {
  CharacterDto, CharacterSummaryDto, CreateCharacterInput, ListCharactersQuery, UpdateCharacterInput,
} from '../schemas/character.schemas.ts';
import { assertPromptsScreened, exportPrompts } from './prompt-builder.ts';
import type { UserReadCache } from '../infra/read-cache.ts';
import { characterGates } from '../schemas/asset.schemas.ts';

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

export class CharacterService {
  private readonly characters: CharacterRepository;
  private readonly events: EventBus;
  private readonly storage: Storage;
  private readonly cache: UserReadCache;

  constructor(deps: { characters: CharacterRepository; events: EventBus; storage: Storage; cache: UserReadCache }) {
    this.characters = deps.characters;
    this.events = deps.events;
    this.storage = deps.storage;
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
    try {
      if (!(await this.characters.setAvatar(userId, id, photoId))) throw new NotFoundError('Character');
    } catch (err) {
      if (findPgError(err)?.code === '23503') throw new NotFoundError('Photo'); // deleted meanwhile
      throw err;
    }
    const updated = await this.load(userId, id);
    await this.events.publish(userId, { type: 'character.updated', data: { id, status: updated.status } });
    return updated;
  }

  async create(userId: string, input: CreateCharacterInput): Promise<CharacterDto> {
    assertPromptsScreened(input);
    let id: string;
    try {
      id = await this.characters.create(userId, input);
    } catch (err) {
      conflictFor(err, input);
    }
    const created = await this.get(userId, id);
    await this.events.publish(userId, { type: 'character.updated', data: { id, status: created.status } });
    return created;
  }

  async update(userId: string, id: string, patch: UpdateCharacterInput): Promise<CharacterDto> {
    // Screened as it will be after the patch (the row's fields, overridden by the patch's).
    const current = await this.characters.get(userId, id);
    if (!current) throw new NotFoundError('Character');
    assertPromptsScreened({ ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) });
    let found: boolean;
    try {
      found = await this.characters.update(userId, id, patch);
    } catch (err) {
      conflictFor(err, patch);
    }
    if (!found) throw new NotFoundError('Character');
    const updated = await this.get(userId, id);
    await this.events.publish(userId, { type: 'character.updated', data: { id, status: updated.status } });
    return updated;
  }

  async changeStatus(userId: string, id: string, action: StatusAction): Promise<CharacterDto> {
    const t = transitions[action];
    const changed = await this.characters.transitionStatus(userId, [id], t.from, t.to);
    if (changed.length === 0) {
      const current = (await this.characters.statusOf(userId, [id])).get(id);
      if (!current) throw new NotFoundError('Character');
      if (current !== t.to) {
        throw new ConflictError(`A ${current} character cannot be ${t.verb}.`, { status: current });
      }
      // already in the target state: idempotent
    } else {
      await this.events.publish(userId, { type: 'character.updated', data: { id, status: t.to } });
    }
    return this.get(userId, id);
  }

  async delete(userId: string, id: string): Promise<void> {
    const deleted = await this.characters.delete(userId, [id]);
    if (deleted.length === 0) throw new NotFoundError('Character');
    await this.afterDelete(userId, deleted);
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
      updated = await this.characters.delete(userId, owned);
      await this.afterDelete(userId, updated);
    } else {
      const t = transitions[action];
      updated = await this.characters.transitionStatus(userId, owned, t.from, t.to);
      const done = new Set(updated);
      for (const id of owned) {
        if (!done.has(id)) skipped.push({ id, reason: before.get(id) === t.to ? `already ${t.to}` : `a ${before.get(id)} character cannot be ${t.verb}` });
      }
      for (const id of updated) await this.events.publish(userId, { type: 'character.updated', data: { id, status: t.to } });
    }
    return { updated, skipped };
  }

  async exportPrompt(userId: string, id: string) {
    const row = await this.characters.getForPrompt(userId, id);
    if (!row) throw new NotFoundError('Character');
    return exportPrompts(row);
  }

  previewPrompt(input: CreateCharacterInput) {
    assertPromptsScreened(input);
    return exportPrompts({ ...input, handle: input.handle });
  }

  private async afterDelete(userId: string, ids: string[]) {
    for (const id of ids) {
      await this.storage.deletePrefix(`users/${userId}/characters/${id}`);
      await this.events.publish(userId, { type: 'character.deleted', data: { id } });
    }
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
