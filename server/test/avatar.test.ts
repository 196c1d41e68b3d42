// A character's avatar and the faces found in its reference photos, with the real vision engine
// on real photos (the sample screenshot shipped in @vladmandic/human/assets: real adults) and a
// plain magenta card, which once became an avatar.
import { createRequire } from 'node:module';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, signUp, validCharacter, type TestApp, type TestUser } from './harness.ts';
import { uploadPhotos, waitForPhotoStatus } from './support/uploads.ts';

const require = createRequire(import.meta.url);
const assets = path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..', 'assets');

let t: TestApp;
let u: TestUser;
let group: Buffer; // 1920×954: ten or more faces
let faceA: Buffer;
let faceB: Buffer;
let magenta: Buffer;

beforeAll(async () => {
  t = await createTestApp();
  u = await signUp(t);
  group = await readFile(path.join(assets, 'screenshot-facematch.jpg'));
  const crop = (left: number, top: number, width: number, height: number, scale: number, pad: number) =>
    sharp(group).extract({ left, top, width, height }).resize(Math.round(width * scale))
      .extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#000000' }).jpeg({ quality: 90 }).toBuffer();
  faceA = await crop(0, 20, 175, 180, 1, 60); // the large "selected face"
  const tile = 1920 / 18; // pitch of the "Extracted Faces" grid
  faceB = await crop(Math.round(6 * tile + 1), 394, Math.round(tile - 3), 104, 2, 40); // another person
  magenta = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#ff00ff' } }).png().toBuffer();
});
afterAll(async () => { await t?.close(); });

const get = (url: string, user = u) => t.app.inject({ method: 'GET', url, headers: { cookie: user.cookie } });
const choose = (characterId: string, photoId: unknown, user = u) =>
  t.app.inject({ method: 'PUT', url: `/api/characters/${characterId}/avatar`, payload: { photoId }, headers: { cookie: user.cookie } });

async function newCharacter(user = u) {
  const res = await t.app.inject({ method: 'POST', url: '/api/characters', payload: validCharacter(), headers: { cookie: user.cookie } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

/** Uploads one photo and waits until its thumbnail job (which counts faces) is done. */
async function addPhoto(characterId: string, name: string, data: Buffer, user = u) {
  const res = await uploadPhotos(t, user, characterId, [{ name, data }]);
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().items[0].id as string;
  await waitForPhotoStatus(t, user, characterId, id, 'ready');
  return id;
}

async function summary(characterId: string) {
  return (await get('/api/characters')).json().items.find((c: { id: string }) => c.id === characterId);
}

describe('faces and avatar', () => {
  test('a photo without a face never becomes the avatar; the first photo with exactly one face does', async () => {
    const onlyMagenta = await newCharacter();
    await addPhoto(onlyMagenta, 'magenta.png', magenta);
    const lone = (await get(`/api/characters/${onlyMagenta}`)).json();
    expect(lone).toMatchObject({ avatarUrl: null, avatarPhotoId: null, avatarChosen: false });
    expect((await summary(onlyMagenta)).avatarUrl).toBeNull();

    const cid = await newCharacter();
    const ids = {
      magenta: await addPhoto(cid, 'magenta.png', magenta),
      group: await addPhoto(cid, 'group.jpg', group),
      a: await addPhoto(cid, 'a.jpg', faceA),
      b: await addPhoto(cid, 'b.jpg', faceB),
    };
    const photos = (await get(`/api/characters/${cid}/photos`)).json().items as Array<{ id: string; faceCount: number; faces: string }>;
    const byId = new Map(photos.map((p) => [p.id, p]));
    expect(byId.get(ids.magenta)).toMatchObject({ faceCount: 0, faces: 'none' });
    expect(byId.get(ids.group)!.faceCount).toBeGreaterThanOrEqual(2);
    expect(byId.get(ids.group)!.faces).toBe('several');
    expect(byId.get(ids.a)).toMatchObject({ faceCount: 1, faces: 'one' });
    expect(byId.get(ids.b)).toMatchObject({ faceCount: 1, faces: 'one' });

    // Automatic: the first uploaded photo with exactly one face (not the newest, not the card).
    expect((await get(`/api/characters/${cid}`)).json()).toMatchObject({
      avatarPhotoId: ids.a, avatarChosen: false, avatarUrl: `/api/photos/${ids.a}/thumbnail`,
    });
    expect((await summary(cid)).avatarUrl).toBe(`/api/photos/${ids.a}/thumbnail`);

    // The owner chooses another one: character page and dashboard show it.
    const chosen = await choose(cid, ids.b);
    expect(chosen.statusCode, chosen.body).toBe(200);
    expect(chosen.json()).toMatchObject({ avatarPhotoId: ids.b, avatarChosen: true, avatarUrl: `/api/photos/${ids.b}/thumbnail` });
    expect((await get(`/api/characters/${cid}`)).json()).toMatchObject({ avatarPhotoId: ids.b, avatarChosen: true });
    expect((await summary(cid)).avatarUrl).toBe(`/api/photos/${ids.b}/thumbnail`);

    // Any ready photo may be chosen deliberately (the UI warns about faces).
    expect((await choose(cid, ids.group)).json()).toMatchObject({ avatarPhotoId: ids.group, avatarChosen: true });

    // Deleting the chosen photo goes back to the automatic choice.
    expect((await t.app.inject({ method: 'DELETE', url: `/api/characters/${cid}/photos/${ids.group}`, headers: { cookie: u.cookie } })).statusCode).toBe(200);
    expect((await get(`/api/characters/${cid}`)).json()).toMatchObject({ avatarPhotoId: ids.a, avatarChosen: false });

    // Choosing again, then null: automatic.
    expect((await choose(cid, ids.b)).json().avatarPhotoId).toBe(ids.b);
    expect((await choose(cid, null)).json()).toMatchObject({ avatarPhotoId: ids.a, avatarChosen: false });

    // A character whose chosen avatar exists can be deleted (the photo rows go with it).
    expect((await choose(cid, ids.b)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/characters/${cid}`, headers: { cookie: u.cookie } })).statusCode).toBe(200);
    expect((await get(`/api/characters/${cid}`)).statusCode).toBe(404);
  });

  test('only a ready photo of the same character can be chosen; bad input is a clear 4xx', async () => {
    const cid = await newCharacter();
    const other = await newCharacter();
    const mine = await addPhoto(cid, 'a.jpg', faceA);
    const theirs = await addPhoto(other, 'b.jpg', faceB);
    const wrongCharacter = await choose(cid, theirs);
    expect(wrongCharacter.statusCode).toBe(404);
    expect(wrongCharacter.json().error.message).toBe('Photo was not found.');
    expect((await choose(cid, 'not-a-uuid')).statusCode).toBe(400);
    const missingBody = await t.app.inject({ method: 'PUT', url: `/api/characters/${cid}/avatar`, payload: {}, headers: { cookie: u.cookie } });
    expect(missingBody.statusCode).toBe(400);
    expect((await choose('00000000-0000-4000-8000-000000000000', mine)).statusCode).toBe(404);
    // Another user cannot choose (nor see) this character's avatar.
    const intruder = await signUp(t);
    expect((await choose(cid, mine, intruder)).statusCode).toBe(404);
    expect((await get(`/api/characters/${cid}`)).json()).toMatchObject({ avatarPhotoId: mine, avatarChosen: false });
  });
});
