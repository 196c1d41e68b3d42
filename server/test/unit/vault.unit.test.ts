// The vault's services alone, with strict fakes: batch answers, what a batch records, the folder
// name conflict, and which near-duplicate wins. No database: these run in milliseconds.
import { describe, expect, test } from 'vitest';
import type { AssetStatus } from '../../src/db/schema.ts';
import type { UserReadCache } from '../../src/infra/read-cache.ts';
import type { AssetRepository } from '../../src/repositories/asset.repository.ts';
import { hammingDistance, nearestDuplicate, phashBandProbes, phashBands } from '../../src/media/hash.ts';
import { AssetService } from '../../src/services/vault/asset.service.ts';
import { FolderService } from '../../src/services/vault/folder.service.ts';
import { recordingTransactor, strictFake } from './fakes.ts';

const U = 'user-1';

function assetService(statuses: Record<string, AssetStatus>) {
  const state = new Map(Object.entries(statuses));
  const repo = strictFake<AssetRepository>('assets', {
    statusOf: async (_u: string, ids: string[]) => ids.filter((i) => state.has(i)).map((id) => ({ id, status: state.get(id)! })),
    decide: async (_u: string, ids: string[], status: 'approved' | 'rejected') => {
      for (const i of ids) state.set(i, status);
      return ids;
    },
    delete: async (_u: string, ids: string[]) => ids.filter((i) => state.delete(i))
      .map((id) => ({ id, incomingKey: null, storageKey: `k/${id}/original.jpg`, thumbnailKey: `k/${id}/thumb.webp`, previewKey: null, posterKey: null })),
  });
  const { transactor, emitted } = recordingTransactor({ assets: repo });
  return { svc: new AssetService({ assets: repo, tx: transactor, cache: strictFake<UserReadCache>('cache') }), state, emitted };
}

describe('batch decisions', () => {
  test('say per id why it was skipped, decide the rest, and record one event per change', async () => {
    const { svc, state, emitted } = assetService({ a: 'pending', b: 'blocked', c: 'processing', d: 'failed', e: 'rejected' });
    const res = await svc.batch(U, { ids: ['a', 'b', 'c', 'd', 'e', 'missing', 'a'], action: 'approve' });
    expect(res.updated).toEqual(['a', 'e']);
    expect(res.skipped).toEqual([
      { id: 'missing', reason: 'not found' }, { id: 'b', reason: 'blocked by safety rules' },
      { id: 'c', reason: 'still processing' }, { id: 'd', reason: 'a failed asset cannot be decided' },
    ]);
    expect([state.get('a'), state.get('b'), state.get('e')]).toEqual(['approved', 'blocked', 'approved']);
    expect(emitted.map((e) => e.event)).toEqual([
      { type: 'AssetApproved', data: { assetId: 'a', by: 'user' } }, { type: 'AssetApproved', data: { assetId: 'e', by: 'user' } },
    ]);
  });

  test('delete records every stored file of the deleted assets in one event, for the purge job', async () => {
    const { svc, emitted } = assetService({ a: 'approved', b: 'blocked' });
    expect(await svc.batch(U, { ids: ['a', 'b', 'zz'], action: 'delete' })).toEqual({ updated: ['a', 'b'], skipped: [{ id: 'zz', reason: 'not found' }] });
    expect(emitted).toEqual([{ userId: U, event: { type: 'AssetsDeleted', data: { assetIds: ['a', 'b'], storageKeys: ['k/a/original.jpg', 'k/a/thumb.webp', 'k/b/original.jpg', 'k/b/thumb.webp'] } } }]);
  });
});

describe('folders', () => {
  test('a second folder of the same name is a conflict naming it; renaming a folder that is gone is not found', async () => {
    const unique = Object.assign(new Error('duplicate key'), { cause: { code: '23505' } });
    const repo = strictFake<AssetRepository>('assets', {
      createFolder: async () => { throw unique; },
      renameFolder: async () => null,
    });
    const svc = new FolderService({ assets: repo, tx: recordingTransactor({ assets: repo }).transactor });
    await expect(svc.create(U, 'Launch')).rejects.toMatchObject({ statusCode: 409, message: 'You already have a folder named "Launch".' });
    await expect(svc.rename(U, 'f1', 'Other')).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('nearest near-duplicate', () => {
  const base = 'f0f0f0f0a5a5a5a5';
  const flip = (hex: string, bits: number) => (BigInt(`0x${hex}`) ^ ((1n << BigInt(bits)) - 1n)).toString(16).padStart(16, '0');
  test('picks the closest flagged candidate, ignores ones past the threshold and assets without a hash', () => {
    expect(nearestDuplicate(base, [{ id: 'far', phash: flip(base, 11) }, { id: 'none', phash: null }, { id: 'near', phash: flip(base, 6) }, { id: 'nearer', phash: flip(base, 2) }])).toBe('nearer');
    expect(nearestDuplicate(base, [{ id: 'far', phash: flip(base, 11) }])).toBeNull();
    expect(nearestDuplicate(base, [])).toBeNull();
  });
});

describe('pHash bands', () => {
  test('every hash within 10 bits shares a band with the probes of the other (1,000 random pairs); 548 probes', () => {
    let seed = 7;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    const hex = () => Array.from({ length: 16 }, () => Math.floor(rnd() * 16).toString(16)).join('');
    for (let n = 0; n < 1000; n++) {
      const a = hex();
      let b = BigInt(`0x${a}`);
      const bits = new Set<number>();
      while (bits.size < 1 + Math.floor(rnd() * 10)) bits.add(Math.floor(rnd() * 64));
      for (const bit of bits) b ^= 1n << BigInt(bit);
      const near = b.toString(16).padStart(16, '0');
      expect(hammingDistance(a, near)).toBe(bits.size);
      const probes = new Set(phashBandProbes(a));
      expect(probes.size).toBe(548);
      expect(phashBands(near).some((v) => probes.has(v)), `${a} ${near}`).toBe(true);
    }
  });
});
