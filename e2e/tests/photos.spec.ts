// Reference photos of a character: faces found per photo, a warning for a photo without a face
// (a plain magenta card once became the avatar), a keyboard-accessible preview, and choosing
// the avatar, which the character page and the dashboard show.
import { createRequire } from 'node:module';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { expectAccessible, signUpAndVerify } from './helpers.ts';

test.use({ reducedMotion: 'reduce' });

const require = createRequire(import.meta.url);
const humanAssets = path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..', 'assets');

test('faces per photo, a warning without a face, preview by keyboard, choose the avatar', async ({ page, browser }) => {
  test.setTimeout(300_000);
  await signUpAndVerify(page, browser, 'Paula Photo');
  const created = await page.request.post('/api/characters', { data: { name: 'Faye Face', handle: `faye_${Date.now()}`, age: 29 } });
  expect(created.status()).toBe(201);
  const characterId = (await created.json()).id as string;

  // A real adult's face (sample photo shipped with the face model) and a plain magenta card.
  const group = await readFile(path.join(humanAssets, 'screenshot-facematch.jpg'));
  const face = await sharp(group).extract({ left: 0, top: 20, width: 175, height: 180 }).extend({ top: 60, bottom: 60, left: 60, right: 60, background: '#000' }).jpeg().toBuffer();
  const magenta = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#ff00ff' } }).png().toBuffer();

  await page.goto(`/app/characters/${characterId}?tab=photos`);
  const input = page.getByLabel('Upload reference photos');
  await input.setInputFiles([{ name: 'magenta.png', mimeType: 'image/png', buffer: magenta }]);
  const magentaTile = page.getByTestId('photo').filter({ hasText: 'magenta.png' });
  await expect(magentaTile).toHaveAttribute('data-faces', 'none');
  await expect(magentaTile.getByTestId('face-badge')).toHaveText('No face');
  await expect(page.getByTestId('faceless-warning')).toContainText('“magenta.png” shows no face');
  // The card is not the avatar: the header still shows initials.
  await expect(page.getByTestId('avatar-summary')).toContainText('No avatar yet');
  await expect(page.locator('header img')).toHaveCount(0);

  await input.setInputFiles([{ name: 'face.jpg', mimeType: 'image/jpeg', buffer: face }]);
  const faceTile = page.getByTestId('photo').filter({ hasText: 'face.jpg' });
  await expect(faceTile).toHaveAttribute('data-faces', 'one');
  await expect(faceTile.getByTestId('face-badge')).toHaveText('1 face');
  await expect(faceTile).toHaveAttribute('data-avatar', 'true');
  await expect(page.getByTestId('avatar-summary')).toContainText('face.jpg (automatic');
  const faceId = (await page.request.get(`/api/characters/${characterId}`).then((r) => r.json())).avatarPhotoId as string;
  await expect(page.locator('header img')).toHaveAttribute('src', `/api/photos/${faceId}/thumbnail`);
  await expectAccessible(page, 'photos tab with a faceless photo');

  // Preview by keyboard: Enter opens, arrows step, Escape closes and focus goes back.
  const opener = page.getByRole('button', { name: 'Preview magenta.png' });
  await opener.focus();
  await page.keyboard.press('Enter');
  const preview = page.getByRole('dialog');
  await expect(preview.getByRole('heading', { name: 'magenta.png' })).toBeVisible();
  await expect(preview).toContainText('No face found');
  await expect(preview.getByRole('img', { name: 'Reference photo magenta.png' })).toBeVisible();
  await expectAccessible(page, 'photo preview');
  // The newest photo comes first: Left goes to face.jpg.
  await page.keyboard.press('ArrowLeft');
  await expect(preview.getByRole('heading', { name: 'face.jpg' })).toBeVisible();
  await expect(preview).toContainText('One face found');
  await page.keyboard.press('ArrowRight');
  await expect(preview.getByRole('heading', { name: 'magenta.png' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(preview).toBeHidden();
  await expect(opener).toBeFocused();

  // Choose the card deliberately, then go back to automatic.
  await page.getByRole('button', { name: 'Use magenta.png as avatar' }).click();
  await expect(magentaTile).toHaveAttribute('data-avatar', 'true');
  await expect(page.getByTestId('avatar-summary')).toContainText('magenta.png (chosen by you)');
  await page.getByRole('button', { name: 'Choose automatically' }).click();
  await expect(faceTile).toHaveAttribute('data-avatar', 'true');

  // Choose the face photo from the preview; the dashboard shows it.
  await page.getByRole('button', { name: 'Preview face.jpg' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Use as avatar' }).click();
  await expect(page.getByRole('dialog')).toContainText('This is the avatar');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('avatar-summary')).toContainText('face.jpg (chosen by you)');
  await page.goto('/app');
  const card = page.getByTestId('character-card').filter({ hasText: 'Faye Face' });
  await expect(card.locator('img')).toHaveAttribute('src', `/api/photos/${faceId}/thumbnail`);
});
