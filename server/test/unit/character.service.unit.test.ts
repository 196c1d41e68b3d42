// CharacterService alone, with strict fakes: the status rules, bulk answers and what a change
// records (domain events, in one unit of work). No database: these run in milliseconds.
import { describe, expect, test } from 'vitest';
import type { CharacterStatus } from '../../src/db/schema.ts';
import type { UserReadCache } from '../../src/infra/read-cache.ts';
import type { CharacterRepository } from '../../src/repositories/character.repository.ts';
import { CharacterService } from '../../src/services/character.service.ts';
import { recordingTransactor, strictFake } from './fakes.ts';

const U = 'user-1';

function service(statuses: Record<string, CharacterStatus>, extra: Partial<CharacterRepository> = {}, cacheImpl: Partial<UserReadCache> = {}) {
  const state = new Map(Object.entries(statuses));
  const repo = strictFake<CharacterRepository>('characters', {
    statusOf: async (_u: string, ids: string[]) => new Map(ids.filter((i) => state.has(i)).map((i) => [i, state.get(i)!])),
    transitionStatus: async (_u: string, ids: string[], from: CharacterStatus[], to: CharacterStatus) => {
      const changed = ids.filter((i) => state.has(i) && from.includes(state.get(i)!));
      for (const i of changed) state.set(i, to);
      return changed;
    },
    delete: async (_u: string, ids: string[]) => ids.filter((i) => state.delete(i)),
    ...extra,
  });
  const { transactor, emitted, sent } = recordingTransactor({ characters: repo });
  const cache = strictFake<UserReadCache>('cache', cacheImpl);
  const safety = strictFake<ConstructorParameters<typeof CharacterService>[0]['safety']>('safety');
  return { svc: new CharacterService({ characters: repo, tx: transactor, cache, safety }), state, emitted, sent };
}

describe('bulk actions', () => {
  test('say per id why it was skipped, change the rest, and record one event per change', async () => {
    const { svc, state, emitted } = service({ a: 'active', b: 'paused', c: 'archived' });
    const res = await svc.bulk(U, ['a', 'b', 'c', 'missing', 'a'], 'pause');
    expect(res.updated).toEqual(['a']);
    expect(res.skipped).toEqual([{ id: 'missing', reason: 'not found' }, { id: 'b', reason: 'already paused' }, { id: 'c', reason: 'a archived character cannot be paused' }]);
    expect(state.get('a')).toBe('paused');
    expect(emitted).toEqual([{ userId: U, event: { type: 'CharacterStatusChanged', data: { characterId: 'a', from: 'active', to: 'paused' } } }]);
  });

  test('delete records each character with the folder its files are purged from', async () => {
    const { svc, emitted } = service({ a: 'active', b: 'archived' });
    const res = await svc.bulk(U, ['a', 'b', 'zz'], 'delete');
    expect(res).toEqual({ updated: ['a', 'b'], skipped: [{ id: 'zz', reason: 'not found' }] });
    expect(emitted.map((e) => e.event)).toEqual([
      { type: 'CharacterDeleted', data: { characterId: 'a', storagePrefix: `users/${U}/characters/a` } },
      { type: 'CharacterDeleted', data: { characterId: 'b', storagePrefix: `users/${U}/characters/b` } },
    ]);
  });
});

describe('single status changes', () => {
  test('a change into the state it is already in is accepted without recording anything', async () => {
    const current = { id: 'a', status: 'paused' };
    const { svc, emitted } = service({ a: 'paused' }, {}, { get: (async () => current) as UserReadCache['get'] });
    expect(await svc.changeStatus(U, 'a', 'pause')).toBe(current);
    expect(emitted).toEqual([]);
  });

  test('an impossible change is a 409 naming the current status, and nothing is recorded', async () => {
    const { svc, emitted } = service({ a: 'archived' });
    await expect(svc.changeStatus(U, 'a', 'pause')).rejects.toMatchObject({ statusCode: 409, details: { status: 'archived' } });
    expect(emitted).toEqual([]);
  });

  test('an unknown character is a 404', async () => {
    const { svc } = service({});
    await expect(svc.changeStatus(U, 'nope', 'resume')).rejects.toMatchObject({ statusCode: 404 });
  });
});
