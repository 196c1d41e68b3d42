// The media vault end to end on real components: uploads and generated assets go through the
// one ingest pipeline (real sharp, real ffmpeg, real NSFW and face models from npm packages),
// the gates decide, safety blocks cannot be overridden through the API.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomUUID } from 'node:crypto';
import { resolveFfmpeg } from '../src/media/ffmpeg.ts';
import { nearestDuplicate, phashBandProbes, phashBands } from '../src/media/hash.ts';
import { metadataReport, readProvenance } from '../src/media/provenance.ts';
import { createTestApp, signUp, validCharacter, type TestApp, type TestUser } from './harness.ts';
import { readZip } from './support/zip.ts';
import { multipart, phonePhoto, photo, uploadPhotos, waitForPhotoStatus } from './support/uploads.ts';

const require = createRequire(import.meta.url);
const humanAssets = path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..', 'assets');

let t: TestApp;
let u: TestUser;
let facematch: Buffer;
beforeAll(async () => {
  t = await createTestApp();
  u = await signUp(t);
  facematch = fs.readFileSync(path.join(humanAssets, 'screenshot-facematch.jpg'));
}, 120_000);
afterAll(async () => { await t?.close(); });

/** Crops of the face-model package's own sample screenshot: row 1 tiles are one man, row 2 others. */
async function crop(left: number, top: number, width: number, height: number, scale: number, pad: number) {
  return sharp(facematch)
    .extract({ left: Math.round(left), top: Math.round(top), width: Math.round(width), height: Math.round(height) })
    .resize(Math.round(width * scale))
    .extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#000000' })
    .jpeg({ quality: 90 })
    .toBuffer();
}
const TILE = 1920 / 18;
const tile = (row: 1 | 2, i: number) => crop(i * TILE + 1, row === 1 ? 284 : 394, TILE - 3, 104, 2, 40);

const get = (url: string, user = u) => t.app.inject({ method: 'GET', url, headers: { cookie: user.cookie } });
const post = (url: string, payload: unknown, user = u) => t.app.inject({ method: 'POST', url, payload: payload as object, headers: { cookie: user.cookie } });

async function uploadAsset(files: Array<{ name: string; data: Buffer; type?: string }>, fields: Record<string, string> = {}, user = u) {
  const body = multipart(files);
  const extra = Object.entries(fields).map(([k, v]) => Buffer.from(`Content-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  // put fields before the files: same boundary
  const boundary = body.headers['content-type'].split('boundary=')[1];
  const payload = Buffer.concat([...extra.map((e) => Buffer.concat([Buffer.from(`--${boundary}\r\n`), e])), body.payload]);
  return t.app.inject({ method: 'POST', url: '/api/assets', payload, headers: { ...body.headers, cookie: user.cookie } });
}

async function waitProcessed(id: string, user = u) {
  for (let i = 0; i < 300; i++) {
    const a = (await get(`/api/assets/${id}`, user)).json();
    if (a.status !== 'processing') return a;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`asset ${id} still processing`);
}

async function characterWithReferences() {
  const c = (await post('/api/characters', validCharacter({ name: 'Face Ref' }))).json();
  const files = await Promise.all([1, 2, 3, 4].map(async (i) => ({ name: `ref${i}.jpg`, data: await tile(1, i) })));
  const res = await uploadPhotos(t, u, c.id, files);
  expect(res.statusCode, res.body).toBe(201);
  for (const p of res.json().items) await waitForPhotoStatus(t, u, c.id, p.id, 'ready');
  return c.id as string;
}

describe('ingest', () => {
  test('an upload is stored without EXIF/GPS, marked as an upload, thumbnailed, rated and measured', async () => {
    const res = await uploadAsset([{ name: 'beach.jpg', data: await phonePhoto() }], { tags: 'summer, beach' });
    expect(res.statusCode, res.body).toBe(201);
    const [created] = res.json().items;
    expect(created).toMatchObject({ status: 'processing', kind: 'image', source: 'upload', tags: ['beach', 'summer'] });
    const a = await waitProcessed(created.id);
    expect(a.status).toBe('pending'); // no character: never auto-approved
    expect(a.rating).toBe('safe');
    expect(a.nsfwScores.neutral + a.nsfwScores.drawing).toBeGreaterThan(0.5);
    expect(a.ratingThresholds).toEqual({ explicit: 0.5, suggestive: 0.4 });
    expect(a.faceCount).toBe(0);
    expect(a.phash).toMatch(/^[0-9a-f]{16}$/);
    const original = (await get(a.urls.original)).rawPayload;
    const report = await metadataReport(original);
    expect(report).toMatchObject({ exif: false, gps: false });
    expect(original.includes(Buffer.from('Jane Roe'))).toBe(false);
    expect((await readProvenance(original))?.origin).toBe('upload');
    const thumb = await get(a.urls.thumbnail);
    expect(thumb.headers['content-type']).toBe('image/webp');
  });

  test('a generated asset enters through the same pipeline and carries IPTC trainedAlgorithmicMedia', async () => {
    const created = await t.ctx.services.ingest.ingest({
      userId: u.id, source: 'generated', filename: 'card.png', data: await photo('png'),
      prompt: 'a sunny text card that says hello', engine: 'card-compositor',
    });
    const a = await waitProcessed(created.id);
    expect(a).toMatchObject({ source: 'generated', engine: 'card-compositor', prompt: 'a sunny text card that says hello' });
    const original = (await get(a.urls.original)).rawPayload;
    const prov = await readProvenance(original);
    expect(prov?.digitalSourceType).toBe('http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia');
  });

  test('generated media can be added over HTTP too, and a screened prompt is blocked there as well', async () => {
    const ok = await uploadAsset([{ name: 'gen.png', data: await photo('png') }], { source: 'generated', prompt: 'a red balloon over a lake', engine: 'comfyui', caption: 'Weekend vibes' });
    expect(ok.statusCode, ok.body).toBe(201);
    const a = await waitProcessed(ok.json().items[0].id);
    expect(a).toMatchObject({ source: 'generated', engine: 'comfyui', caption: 'Weekend vibes' });
    expect((await readProvenance((await get(a.urls.original)).rawPayload))?.digitalSourceType).toMatch(/trainedAlgorithmicMedia$/);
    expect((await get('/api/assets?q=balloon')).json().items.map((x: { id: string }) => x.id)).toContain(a.id);
    const bad = await uploadAsset([{ name: 'gen2.png', data: await photo('png') }], { source: 'generated', prompt: 'nude photo of a 15 yo' });
    const blocked = await waitProcessed(bad.json().items[0].id);
    expect(blocked).toMatchObject({ status: 'blocked', decidedBy: 'safety' });
  });

  test('exact duplicates are reported per file with the existing id, not stored twice', async () => {
    const data = await photo();
    const first = await uploadAsset([{ name: 'a.jpg', data }]);
    expect(first.statusCode).toBe(201);
    const firstId = first.json().results[0].assetId;
    expect(first.json().results).toEqual([{ filename: 'a.jpg', status: 'created', assetId: firstId, asset: first.json().items[0] }]);
    const again = await uploadAsset([{ name: 'a-copy.jpg', data }]);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ results: [{ filename: 'a-copy.jpg', status: 'exists', assetId: firstId }], items: [] });
    // the same new file twice at the same moment: one wins, the other names it
    const twin = await photo();
    const [x, y] = await Promise.all([uploadAsset([{ name: 'twin-1.jpg', data: twin }]), uploadAsset([{ name: 'twin-2.jpg', data: twin }])]);
    expect([x.statusCode, y.statusCode].sort()).toEqual([200, 201]);
    const [won, lost] = x.statusCode === 201 ? [x, y] : [y, x];
    expect(lost.json().results[0]).toMatchObject({ status: 'exists', assetId: won.json().items[0].id });
    expect((await get('/api/assets?q=twin')).json().items).toHaveLength(1);
  });

  test('a batch answers every file in order; sending it again reports which files already exist', async () => {
    const one = await photo();
    const files = [
      { name: 'b-1.jpg', data: one },
      { name: 'b-notes.mp4', data: Buffer.from('just some text, not a video') },
      { name: 'b-2.png', data: await photo('png') },
      { name: 'b-1-again.jpg', data: one }, // the same bytes again within the batch
    ];
    const res = await uploadAsset(files);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.results.map((r: { filename: string; status: string }) => [r.filename, r.status])).toEqual([
      ['b-1.jpg', 'created'], ['b-notes.mp4', 'refused'], ['b-2.png', 'created'], ['b-1-again.jpg', 'exists'],
    ]);
    expect(body.results[1].error).toEqual({ code: 'unsupported_media_type', message: '"b-notes.mp4" is not an image, video or audio file we can read.' });
    expect(body.results[3].assetId).toBe(body.results[0].assetId);
    expect(body.items.map((a: { id: string }) => a.id)).toEqual([body.results[0].assetId, body.results[2].assetId]);
    // The client lost that answer and sends the batch again: nothing new is stored, each file says what it is.
    const again = await uploadAsset(files);
    expect(again.statusCode).toBe(200);
    expect(again.json().results).toEqual([
      { filename: 'b-1.jpg', status: 'exists', assetId: body.results[0].assetId },
      { filename: 'b-notes.mp4', status: 'refused', error: body.results[1].error },
      { filename: 'b-2.png', status: 'exists', assetId: body.results[2].assetId },
      { filename: 'b-1-again.jpg', status: 'exists', assetId: body.results[0].assetId },
    ]);
    expect(again.json().items).toEqual([]);
  });

  test('a near-duplicate of an approved asset is flagged and waits for review', async () => {
    const base = await crop(600, 0, 500, 280, 1, 0);
    const a = (await uploadAsset([{ name: 'scene.jpg', data: base }])).json().items[0];
    await waitProcessed(a.id);
    expect((await post(`/api/assets/${a.id}/decision`, { action: 'approve' })).json().status).toBe('approved');
    const near = await sharp(base).resize(420).jpeg({ quality: 70 }).toBuffer();
    const b = (await uploadAsset([{ name: 'scene-small.jpg', data: near }])).json().items[0];
    const measured = await waitProcessed(b.id);
    expect(measured.nearDuplicateOfId).toBe(a.id);
    expect(measured.status).toBe('pending');
  });

  test('the near-duplicate lookup reads only the approved assets sharing a pHash band', async () => {
    const owner = await signUp(t, 'Many approved');
    let seed = 11;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    const hex = () => Array.from({ length: 16 }, () => Math.floor(rnd() * 16).toString(16)).join('');
    const target = 'a5c3f00f9e1b2d4c';
    const near = (BigInt(`0x${target}`) ^ 0x8000_0400_0020_0001n ^ 0x0100_0010_0000_1000n).toString(16).padStart(16, '0'); // 6 bits apart
    const hashes = [...Array.from({ length: 400 }, hex), near];
    for (const [i, phash] of hashes.entries()) {
      await t.ctx.repos.assets.insert({
        userId: owner.id, kind: 'image', source: 'upload', status: 'approved', originalName: `h${i}.jpg`, mimeType: 'image/jpeg',
        bytes: 1, sha256: `${i}`.padStart(64, '0'), phash, tags: [],
      });
    }
    const probes = phashBandProbes(target);
    const found = await t.ctx.repos.assets.nearDuplicateCandidates(owner.id, randomUUID(), probes);
    const sharing = hashes.filter((h) => phashBands(h).some((b) => probes.includes(b)));
    console.log(`[vault] pHash candidates: ${found.length} of ${hashes.length} approved assets`);
    expect(found.map((f) => f.phash).sort()).toEqual(sharing.sort());
    expect(found.length).toBeLessThan(hashes.length / 10);
    expect(nearestDuplicate(target, found)).toBe(found.find((f) => f.phash === near)!.id);
  });

  test('files that are not media are refused with a clear message', async () => {
    const res = await uploadAsset([{ name: 'notes.mp4', data: Buffer.from('just some text, not a video') }]);
    expect(res.statusCode).toBe(200);
    expect(res.json().results).toEqual([{ filename: 'notes.mp4', status: 'refused', error: { code: 'unsupported_media_type', message: '"notes.mp4" is not an image, video or audio file we can read.' } }]);
  });
});

describe('identity and gates', () => {
  test('the same face as the references is auto-approved; a different person waits with the numbers', async () => {
    const characterId = await characterWithReferences();
    const same = (await uploadAsset([{ name: 'same.jpg', data: await crop(0, 0, 300, 260, 2, 0) }], { characterId })).json().items[0];
    const other = (await uploadAsset([{ name: 'other.jpg', data: await tile(2, 6) }], { characterId })).json().items[0];
    const s = await waitProcessed(same.id);
    const o = await waitProcessed(other.id);
    console.log('[vault] identity same', s.identityScore, 'other', o.identityScore, 'threshold', s.identityThreshold);
    expect(s.identityThreshold).toBeGreaterThan(0.5);
    const cal = (await get(`/api/characters/${characterId}/identity`)).json();
    expect(cal).toMatchObject({ referencePhotos: 4, withFace: 4, calibratedThreshold: s.identityThreshold, effectiveThreshold: s.identityThreshold });
    expect(cal.calibratedThreshold).toBeCloseTo(0.9 * cal.leaveOneOutSimilarity, 6);
    // Scoped by user: another user naming this character learns nothing of it, references included.
    const stranger = await signUp(t, 'Stranger');
    expect(await t.ctx.repos.assets.gateContext(stranger.id, characterId)).toEqual({ accountAdult: false, gates: null, references: [] });
    expect((await t.ctx.repos.assets.gateContext(u.id, characterId)).references).toHaveLength(4);
    expect((await get(`/api/characters/${characterId}/identity`, stranger)).statusCode).toBe(404);
    expect(s.identityScore).toBeGreaterThanOrEqual(s.identityThreshold);
    expect(s).toMatchObject({ status: 'approved', decidedBy: 'rules' });
    expect(o.identityScore).toBeLessThan(o.identityThreshold);
    expect(o.status).toBe('pending');
    const reason = o.decisionReasons.find((r: { code: string }) => /identity/.test(r.code));
    expect(reason).toMatchObject({ value: o.identityScore, threshold: o.identityThreshold });
    expect(o.minFaceAge).toBeGreaterThan(18);
  });

  test('a prompt pairing sexual and minor terms is blocked, and nobody can approve it', async () => {
    const created = await t.ctx.services.ingest.ingest({
      userId: u.id, source: 'generated', filename: 'x.png', data: await photo('png'),
      prompt: 'nude teen girl', engine: 'test',
    });
    const a = await waitProcessed(created.id);
    expect(a).toMatchObject({ status: 'blocked', decidedBy: 'safety' });
    const approve = await post(`/api/assets/${a.id}/decision`, { action: 'approve' });
    expect(approve.statusCode).toBe(403);
    expect(approve.json().error.message).toMatch(/blocked by the safety rules/);
    const reject = await post(`/api/assets/${a.id}/decision`, { action: 'reject' });
    expect(reject.statusCode).toBe(403);
    const batch = (await post('/api/assets/batch', { ids: [a.id], action: 'approve' })).json();
    expect(batch).toEqual({ updated: [], skipped: [{ id: a.id, reason: 'blocked by safety rules' }] });
    expect((await get(`/api/assets/${a.id}`)).json().status).toBe('blocked');
  });
});

describe('vault operations', () => {
  test('cursor pages return every asset exactly once, also when several were created in the same millisecond', async () => {
    const owner = await signUp(t);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const data = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 40 * i, g: 90, b: 200 - 30 * i } } }).png().toBuffer();
      ids.push((await uploadAsset([{ name: `same-ms-${i}.png`, data }], {}, owner)).json().items[0].id);
    }
    for (const id of ids) await waitProcessed(id, owner);
    // Postgres keeps microseconds; put all four inside one millisecond, 100 µs apart.
    for (const [i, id] of ids.entries()) {
      await t.ctx.database.db.execute(sql`update assets set created_at = ${`2026-01-01T00:00:00.000${i + 1}00Z`}::timestamptz where id = ${id}`);
    }
    const walk = async (sort: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 10; page++) {
        const res = await get(`/api/assets?limit=1&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`, owner);
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json();
        seen.push(...body.items.map((a: { id: string }) => a.id));
        cursor = body.nextCursor;
        if (!cursor) break;
      }
      return seen;
    };
    expect(await walk('oldest')).toEqual(ids);
    expect(await walk('newest')).toEqual([...ids].reverse());
    // a cursor that was not made by the server is a 400, not a 500
    for (const bad of ['nope', Buffer.from('2026-01-01T00:00:00.000Z|x').toString('base64url'), Buffer.from(`2026-13-45T00:00:00.000000Z|${ids[0]}`).toString('base64url')]) {
      const res = await get(`/api/assets?cursor=${bad}`, owner);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.message).toMatch(/cursor/);
    }
  });

  test('decisions, tags, folders, search, filters and cursor pages', async () => {
    const owner = await signUp(t);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await uploadAsset([{ name: `img-${i}.png`, data: await photo('png') }], {}, owner);
      ids.push(res.json().items[0].id);
    }
    for (const id of ids) await waitProcessed(id, owner);
    const folder = (await post('/api/folders', { name: 'Launch week' }, owner)).json();
    expect((await post('/api/folders', { name: 'launch WEEK' }, owner)).statusCode).toBe(409);
    expect((await post('/api/assets/batch', { ids: ids.slice(0, 2), action: 'tag', tags: ['hero', 'blue'] }, owner)).json().updated).toHaveLength(2);
    expect((await post('/api/assets/batch', { ids: [ids[0]], action: 'untag', tags: ['blue'] }, owner)).json().updated).toEqual([ids[0]]);
    await post('/api/assets/batch', { ids: ids.slice(2, 4), action: 'move', folderId: folder.id }, owner);
    await post('/api/assets/batch', { ids: [ids[4]], action: 'reject', reason: 'off-brand' }, owner);
    await post('/api/assets/batch', { ids: [ids[3]], action: 'approve' }, owner);

    const list = async (qs: string) => (await get(`/api/assets?${qs}`, owner)).json();
    expect((await list('tag=hero')).items.map((a: { id: string }) => a.id).sort()).toEqual(ids.slice(0, 2).sort());
    expect((await list('tag=blue')).items.map((a: { id: string }) => a.id)).toEqual([ids[1]]);
    expect((await list('q=hero')).items).toHaveLength(2);
    expect((await list('q=img 3')).items.map((a: { id: string }) => a.id)).toContain(ids[3]);
    expect((await list(`folderId=${folder.id}`)).items).toHaveLength(2);
    expect((await list('status=rejected')).items.map((a: { id: string }) => a.id)).toEqual([ids[4]]);
    expect((await get(`/api/assets/${ids[4]}`, owner)).json().decisionReasons).toEqual([{ code: 'user', message: 'off-brand' }]);
    expect((await list('status=approved')).items.map((a: { id: string }) => a.id)).toEqual([ids[3]]);
    expect((await list('kind=video')).items).toEqual([]);
    expect((await get('/api/folders', owner)).json().items).toEqual([expect.objectContaining({ name: 'Launch week', assetCount: 2 })]);
    expect((await get('/api/assets/counts', owner)).json()).toEqual({ total: 5, byStatus: { pending: 3, rejected: 1, approved: 1 } });

    const page1 = await list('limit=2');
    const page2 = await list(`limit=2&cursor=${page1.nextCursor}`);
    const page3 = await list(`limit=2&cursor=${page2.nextCursor}`);
    expect([...page1.items, ...page2.items, ...page3.items].map((a: { id: string }) => a.id)).toEqual([...ids].reverse());
    expect(page3.nextCursor).toBeNull();
    expect((await get('/api/assets?cursor=garbage', owner)).statusCode).toBe(400);
    const oldest = await list('sort=oldest&limit=1');
    expect(oldest.items[0].id).toBe(ids[0]);

    const del = (await post('/api/assets/batch', { ids: [ids[4]], action: 'delete' }, owner)).json();
    expect(del.updated).toEqual([ids[4]]);
    expect((await get(`/api/assets/${ids[4]}`, owner)).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/folders/${folder.id}`, headers: { cookie: owner.cookie } })).statusCode).toBe(200);
    expect((await get(`/api/assets/${ids[2]}`, owner)).json().folderId).toBeNull();
  });

  test('search finds a file by its name, any word of it and a word prefix, and tolerates any punctuation', async () => {
    const owner = await signUp(t);
    const face = (await uploadAsset([{ name: 'face1.jpg', data: await photo('jpeg') }], {}, owner)).json().items[0].id as string;
    const beach = (await uploadAsset([{ name: 'Summer_Beach-day.png', data: await photo('png') }], { tags: 'golden hour' }, owner)).json().items[0].id as string;
    await waitProcessed(face, owner);
    await waitProcessed(beach, owner);
    const found = async (q: string) => (await get(`/api/assets?q=${encodeURIComponent(q)}`, owner)).json().items.map((a: { id: string }) => a.id).sort();
    expect(await found('face1.jpg')).toEqual([face]);
    expect(await found('face1')).toEqual([face]);
    expect(await found('face')).toEqual([face]);
    expect(await found('FAC')).toEqual([face]);
    expect(await found('jpg')).toEqual([face]);
    expect(await found('beach')).toEqual([beach]);
    expect(await found('summer day')).toEqual([beach]);
    expect(await found('sum bea')).toEqual([beach]);
    expect(await found('summer face')).toEqual([]);
    expect(await found('gold')).toEqual([beach]);
    // Tagging rewrites the search text in SQL: the file-name words must survive it.
    expect((await post('/api/assets/batch', { ids: [face], action: 'tag', tags: ['portrait'] }, owner)).statusCode).toBe(200);
    expect(await found('face por')).toEqual([face]);
    expect(await found('face1.jpg')).toEqual([face]);
    // tsquery syntax in the query is just punctuation: no 500, no injection.
    for (const q of ["face' & !", '(|):*', '\\', "'", '!!!', 'a <-> b', 'face:*B']) {
      const res = await get(`/api/assets?q=${encodeURIComponent(q)}`, owner);
      expect(res.statusCode, q).toBe(200);
    }
    expect(await found("face' & !")).toEqual([face]);
  });

  test('list pages carry the slim record; the full record (scores, reasons, prompt, …) only comes from GET /api/assets/:id', async () => {
    const owner = await signUp(t);
    const gen = await uploadAsset([{ name: 'slim.png', data: await photo('png') }], { source: 'generated', prompt: 'a lighthouse at dusk', caption: 'Golden hour', engine: 'comfyui', tags: 'coast' }, owner);
    const id = gen.json().items[0].id as string;
    const full = await waitProcessed(id, owner);
    await post('/api/assets/batch', { ids: [id], action: 'reject', reason: 'too dark' }, owner);

    const slimKeys = ['bytes', 'characterId', 'createdAt', 'id', 'identityScore', 'identityThreshold', 'kind', 'originalName', 'rating', 'status', 'urls'];
    for (const qs of ['', 'status=rejected', 'tag=coast', 'q=lighthouse', 'sort=oldest&limit=1']) {
      const page = (await get(`/api/assets?${qs}`, owner)).json();
      expect(page.items, qs).toHaveLength(1);
      const [item] = page.items;
      expect(Object.keys(item).sort(), qs).toEqual(slimKeys);
      expect(Object.keys(item.urls), qs).toEqual(['thumbnail']);
    }
    const [item] = (await get('/api/assets', owner)).json().items;
    const detail = (await get(`/api/assets/${id}`, owner)).json();
    // Same names, same values as the full record.
    for (const k of slimKeys.filter((k) => k !== 'urls')) expect(item[k], k).toEqual(detail[k]);
    expect(item.urls.thumbnail).toBe(detail.urls.thumbnail);
    expect(item.urls.thumbnail).toMatch(new RegExp(`^/api/assets/${id}/thumbnail$`));
    expect(item).toMatchObject({ id, kind: 'image', status: 'rejected', originalName: 'slim.png', rating: full.rating });
    // The heavy fields are only in the full record.
    const heavy = ['nsfwScores', 'ratingThresholds', 'decisionReasons', 'prompt', 'caption', 'tags', 'waveform', 'faceCount', 'minFaceAge', 'sha256', 'phash', 'error'];
    for (const k of heavy) {
      expect(item, k).not.toHaveProperty(k);
      expect(detail, k).toHaveProperty(k);
    }
    expect(detail).toMatchObject({ prompt: 'a lighthouse at dusk', caption: 'Golden hour', tags: ['coast'], decisionReasons: [{ code: 'user', message: 'too dark' }] });
    expect(detail.nsfwScores).toEqual(full.nsfwScores);
    expect(Object.keys(detail.urls).sort()).toEqual(['original', 'poster', 'preview', 'thumbnail']);
    // A page of one is well under half of that one full record.
    expect((await get('/api/assets', owner)).body.length).toBeLessThan(JSON.stringify(detail).length / 2);
  });

  test('the zip download contains the processed files under their names', async () => {
    const owner = await signUp(t);
    const a = (await uploadAsset([{ name: 'one.png', data: await photo('png') }], {}, owner)).json().items[0];
    const b = (await uploadAsset([{ name: 'one.png', data: await photo('png') }], {}, owner)).json().items[0];
    await waitProcessed(a.id, owner);
    await waitProcessed(b.id, owner);
    const res = await post('/api/assets/download', { ids: [a.id, b.id] }, owner);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const entries = [...readZip(res.rawPayload)].map(([name, data]) => ({ name, data }));
    expect(entries.map((e) => e.name).sort()).toEqual(['one (2).png', 'one.png']);
    const originals = await Promise.all([a, b].map(async (x) => (await get(`/api/assets/${x.id}/original`, owner)).rawPayload));
    for (const e of entries) expect(originals.some((o) => o.equals(e.data))).toBe(true);
    const stranger = await signUp(t);
    expect((await post('/api/assets/download', { ids: [a.id] }, stranger)).statusCode).toBe(404);
  });

  test('videos get a poster, a preview and no location metadata; audio gets a waveform', async () => {
    const tools = resolveFfmpeg();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-media-'));
    try {
      const video = path.join(dir, 'clip.mp4');
      execFileSync(tools.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15:duration=2', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2',
        '-c:v', 'mpeg4', '-c:a', 'aac', '-metadata', 'location=+48.8584+002.2945/', '-metadata', 'title=Secret place', '-shortest', video]);
      const audio = path.join(dir, 'voice.wav');
      execFileSync(tools.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=220:duration=1', '-metadata', 'artist=Jane Roe', audio]);
      const v = (await uploadAsset([{ name: 'clip.mp4', data: fs.readFileSync(video), type: 'video/mp4' }])).json().items[0];
      const s = (await uploadAsset([{ name: 'voice.wav', data: fs.readFileSync(audio), type: 'audio/wav' }])).json().items[0];
      const vid = await waitProcessed(v.id);
      const aud = await waitProcessed(s.id);
      expect(vid).toMatchObject({ kind: 'video', mimeType: 'video/mp4', width: 320, height: 240 });
      expect(vid.durationSeconds).toBeCloseTo(2, 0);
      expect(vid.rating).not.toBeNull();
      for (const variant of ['poster', 'preview', 'thumbnail']) expect((await get(vid.urls[variant])).statusCode, variant).toBe(200);
      const stored = (await get(vid.urls.original)).rawPayload;
      expect(stored.includes(Buffer.from('48.8584'))).toBe(false);
      expect(stored.includes(Buffer.from('Secret place'))).toBe(false);
      expect(aud).toMatchObject({ kind: 'audio', mimeType: 'audio/wav' });
      expect(aud.waveform).toHaveLength(200);
      expect(Math.max(...aud.waveform)).toBeCloseTo(0.125, 1); // ffmpeg's sine source peaks at 1/8
      expect((await get(aud.urls.original)).rawPayload.includes(Buffer.from('Jane Roe'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('adult content opt-in', () => {
  test('the account opt-in needs an explicit adult confirmation; characters carry their own gate rules', async () => {
    const owner = await signUp(t);
    const patch = (payload: unknown) => t.app.inject({ method: 'PATCH', url: '/api/account/settings', payload: payload as object, headers: { cookie: owner.cookie } });
    expect((await get('/api/account/settings', owner)).json()).toEqual({ adultContent: false, adultContentAt: null });
    const refused = await patch({ adultContent: true });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/confirm that you are an adult/);
    const on = (await patch({ adultContent: true, confirmAdult: true })).json();
    expect(on.adultContent).toBe(true);
    expect((await patch({ adultContent: false })).json()).toEqual({ adultContent: false, adultContentAt: null });

    const c = (await post('/api/characters', validCharacter(), owner)).json();
    expect(c.gates).toEqual({ autoApprove: true, identityThreshold: null, allowedRatings: ['safe'], adultContent: false });
    const updated = await t.app.inject({ method: 'PATCH', url: `/api/characters/${c.id}`, payload: { gates: { ...c.gates, identityThreshold: 0.8, allowedRatings: ['safe', 'suggestive'] } }, headers: { cookie: owner.cookie } });
    expect(updated.json().gates).toMatchObject({ identityThreshold: 0.8, allowedRatings: ['safe', 'suggestive'] });
    const bad = await t.app.inject({ method: 'PATCH', url: `/api/characters/${c.id}`, payload: { gates: { ...c.gates, identityThreshold: 1.5 } }, headers: { cookie: owner.cookie } });
    expect(bad.statusCode).toBe(400);
  });
});

describe('vault settings', () => {
  test('administrators set the rating thresholds and the safety age; never below 18; others cannot', async () => {
    const admin = await signUp(t);
    await t.ctx.repos.users.setRole(admin.id, 'admin');
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: admin.email, password: admin.password } });
    const cookie = login.headers['set-cookie'] as string[];
    const adminCookie = cookie.map((c) => c.split(';')[0]).join('; ');
    const put = (payload: unknown, c = adminCookie) => t.app.inject({ method: 'PUT', url: '/api/admin/vault-settings', payload: payload as object, headers: { cookie: c } });
    const before = (await t.app.inject({ method: 'GET', url: '/api/admin/vault-settings', headers: { cookie: adminCookie } })).json();
    expect(before).toEqual({ ratingThresholds: { explicit: 0.5, suggestive: 0.4 }, minApparentAge: 25 });
    expect((await put({ ...before, minApparentAge: 16 })).statusCode).toBe(400);
    expect((await put({ ratingThresholds: { explicit: 0.3, suggestive: 0.6 }, minApparentAge: 25 })).statusCode).toBe(400);
    const regular = await signUp(t); // an admin exists already, so this account is a plain user
    expect((await put({ ...before, minApparentAge: 30 }, regular.cookie)).statusCode).toBe(403);
    const after = (await put({ ratingThresholds: { explicit: 0.55, suggestive: 0.35 }, minApparentAge: 28 })).json();
    expect(after).toEqual({ ratingThresholds: { explicit: 0.55, suggestive: 0.35 }, minApparentAge: 28 });
    expect(await t.ctx.services.admin.vaultSettings()).toEqual(after);
    await put(before);
  });
});
