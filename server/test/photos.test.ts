import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, signUp, validCharacter, type TestApp, type TestUser } from './harness.ts';
import { phonePhoto, photo, uploadPhotos, waitForPhotoStatus, type UploadFile } from './support/uploads.ts';

let t: TestApp;
let u: TestUser;
beforeAll(async () => {
  t = await createTestApp({ UPLOAD_MAX_MB: '1' });
  u = await signUp(t);
});
afterAll(async () => { await t?.close(); });

const upload = (characterId: string, files: UploadFile[], user = u) => uploadPhotos(t, user, characterId, files);
const get = (url: string, user = u) => t.app.inject({ method: 'GET', url, headers: { cookie: user.cookie } });

async function newCharacter(user = u) {
  const res = await t.app.inject({ method: 'POST', url: '/api/characters', payload: validCharacter(), headers: { cookie: user.cookie } });
  return res.json().id as string;
}

function hasGpsPointer(exif: Buffer) {
  return exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88]));
}

describe('reference photo upload', () => {
  test('EXIF and GPS are stripped, orientation applied, thumbnail made by a job', async () => {
    const cid = await newCharacter();
    const input = await phonePhoto();
    const inMeta = await sharp(input).metadata();
    expect(inMeta.exif && hasGpsPointer(inMeta.exif)).toBe(true);
    expect(inMeta.orientation).toBe(6);
    expect(input.includes(Buffer.from('Jane Roe'))).toBe(true);

    const res = await upload(cid, [{ name: 'IMG_0001.JPG', data: input }]);
    expect(res.statusCode, res.body).toBe(201);
    const [p] = res.json().items;
    expect(p).toMatchObject({ mimeType: 'image/jpeg', width: 240, height: 400, originalName: 'IMG_0001.JPG', status: 'processing', thumbnailUrl: null });

    const original = await get(p.url);
    expect(original.statusCode).toBe(200);
    expect(original.headers['content-type']).toBe('image/jpeg');
    const stored = original.rawPayload;
    const outMeta = await sharp(stored).metadata();
    expect(outMeta.exif).toBeUndefined();
    expect(outMeta.orientation).toBeUndefined();
    expect(stored.includes(Buffer.from('Jane Roe'))).toBe(false);
    expect(stored.includes(Buffer.from('TestCam'))).toBe(false);
    // the file at rest is the stripped one too
    const onDisk = fs.readdirSync(path.join(t.dir, 'media'), { recursive: true }).map(String).filter((f) => f.endsWith('.jpg'));
    expect(onDisk, JSON.stringify(fs.readdirSync(path.join(t.dir, "media"), { recursive: true }))).toHaveLength(1);
    expect(fs.readFileSync(path.join(t.dir, 'media', onDisk[0])).includes(Buffer.from('Jane Roe'))).toBe(false);

    const ready = await waitForPhotoStatus(t, u, cid, p.id, 'ready');
    expect(ready).toMatchObject({ thumbnailUrl: `/api/photos/${p.id}/thumbnail` });
    const thumb = await get(`/api/photos/${p.id}/thumbnail`);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect(await sharp(thumb.rawPayload).metadata()).toMatchObject({ width: 320, height: 320, format: 'webp' });

    const summary = (await get('/api/characters')).json().items.find((c: { id: string }) => c.id === cid);
    expect(summary.counts.referencePhotos).toBe(1);
    // A flat-colour test image has no face, so it is not picked as the avatar (avatar.test.ts).
    expect(ready).toMatchObject({ faceCount: 0, faces: 'none' });
    expect(summary.avatarUrl).toBeNull();
  });

  test('the format is read from the content, not the file name or the declared type', async () => {
    const cid = await newCharacter();
    const res = await upload(cid, [{ name: 'holiday.jpg', data: await photo('png'), type: 'image/jpeg' }, { name: 'x.bin', data: await photo('webp'), type: 'application/octet-stream' }]);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().items.map((p: { mimeType: string }) => p.mimeType).sort()).toEqual(['image/png', 'image/webp']);
  });

  test('a non-image with an image name is refused and nothing is stored', async () => {
    const cid = await newCharacter();
    const res = await upload(cid, [{ name: 'cat.jpg', data: Buffer.from('this is a text file pretending to be a photo') }]);
    expect(res.statusCode).toBe(415);
    expect(res.json().error.message).toMatch(/"cat.jpg" is not a JPEG, PNG or WebP image/);
    expect((await get(`/api/characters/${cid}/photos`)).json().items).toEqual([]);
  });

  test('a GIF is refused by name of its real format', async () => {
    const cid = await newCharacter();
    const res = await upload(cid, [{ name: 'anim.png', data: await photo('gif') }]);
    expect(res.statusCode).toBe(415);
    expect(res.json().error.message).toMatch(/is a gif file/);
  });

  test('one bad file in a batch stores none of the batch', async () => {
    const cid = await newCharacter();
    const res = await upload(cid, [{ name: 'good.jpg', data: await photo() }, { name: 'bad.jpg', data: Buffer.from('nope') }]);
    expect(res.statusCode).toBe(415);
    expect((await get(`/api/characters/${cid}/photos`)).json().items).toEqual([]);
    expect(fs.existsSync(path.join(t.dir, 'media', 'users', u.id, 'characters', cid))).toBe(false);
  });

  test('files over the size limit → 413 naming the limit', async () => {
    const cid = await newCharacter();
    const big = Buffer.concat([await photo(), Buffer.alloc(1.2 * 1024 * 1024, 1)]);
    const res = await upload(cid, [{ name: 'huge.jpg', data: big }]);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.message).toMatch(/too large; the limit is 1 MB/);
    expect((await get(`/api/characters/${cid}/photos`)).json().items).toEqual([]);
  });

  test('tiny images and empty uploads are refused clearly', async () => {
    const cid = await newCharacter();
    const tiny = await upload(cid, [{ name: 'icon.png', data: await photo('png', { width: 16, height: 16 }) }]);
    expect(tiny.statusCode).toBe(400);
    expect(tiny.json().error.message).toMatch(/too small/);
    const empty = await upload(cid, []);
    expect(empty.statusCode).toBe(400);
    const notMultipart = await t.app.inject({ method: 'POST', url: `/api/characters/${cid}/photos`, payload: { a: 1 }, headers: { cookie: u.cookie } });
    expect(notMultipart.statusCode).toBe(415);
  });

  test('the same photo twice is detected as a duplicate', async () => {
    const cid = await newCharacter();
    const data = await photo();
    expect((await upload(cid, [{ name: 'a.jpg', data }])).statusCode).toBe(201);
    const dup = await upload(cid, [{ name: 'copy-of-a.jpg', data }]);
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.message).toMatch(/already among this character's photos/);
  });

  test('deleting a photo removes its files; deleting the character removes its folder', async () => {
    const cid = await newCharacter();
    const [p] = (await upload(cid, [{ name: 'a.jpg', data: await photo() }])).json().items;
    await waitForPhotoStatus(t, u, cid, p.id, 'ready');
    const folder = path.join(t.dir, 'media', 'users', u.id, 'characters', cid);
    expect(fs.readdirSync(path.join(folder, 'photos')).filter((f) => !f.includes('~meta'))).toHaveLength(2);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/characters/${cid}/photos/${p.id}`, headers: { cookie: u.cookie } });
    expect(del.statusCode).toBe(200);
    // The row goes at once; the files by a job once the delete has committed.
    expect((await get(p.url)).statusCode).toBe(404);
    await expect.poll(() => fs.readdirSync(path.join(folder, 'photos')).filter((f) => !f.includes('~meta')), { timeout: 30_000 }).toHaveLength(0);

    await upload(cid, [{ name: 'b.jpg', data: await photo() }]);
    await t.app.inject({ method: 'DELETE', url: `/api/characters/${cid}`, headers: { cookie: u.cookie } });
    await expect.poll(() => fs.existsSync(folder), { timeout: 30_000 }).toBe(false);
  });

  test("another user's photos cannot be listed, fetched, uploaded to or deleted", async () => {
    const cid = await newCharacter();
    const [p] = (await upload(cid, [{ name: 'mine.jpg', data: await photo() }])).json().items;
    const intruder = await signUp(t);
    expect((await get(`/api/characters/${cid}/photos`, intruder)).statusCode).toBe(404);
    expect((await get(p.url, intruder)).statusCode).toBe(404);
    expect((await upload(cid, [{ name: 'x.jpg', data: await photo() }], intruder)).statusCode).toBe(404);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/characters/${cid}/photos/${p.id}`, headers: { cookie: intruder.cookie } });
    expect(del.statusCode).toBe(404);
    expect((await get(p.url)).statusCode).toBe(200);
  });
});
