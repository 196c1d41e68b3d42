// The media vault journey: a new user uploads photos (one is an exact duplicate), watches them
// get measured and rated live, triages the review queue with the keyboard (A approves, R
// rejects), filters the vault to approved assets and downloads them as a zip. The vault, the
// lightbox and the review queue are scanned with axe-core.
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { expectAccessible, signUpAndVerify } from './helpers.ts';

test.use({ reducedMotion: 'reduce' });

async function png(width: number, height: number, draw: (x: number, y: number) => [number, number, number]) {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = draw(x, y);
      data.set([r, g, b], (y * width + x) * 3);
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Number of entries from a zip's end-of-central-directory record. */
function zipEntryCount(buf: Buffer) {
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) return buf.readUInt16LE(i + 10);
  }
  throw new Error('no end-of-central-directory record: not a zip');
}

test('upload, watch rating, review with the keyboard, filter, download a zip', async ({ page, browser }) => {
  test.setTimeout(360_000);
  await signUpAndVerify(page, browser, 'Vera Vault');

  // Empty vault says what to do next.
  await page.getByRole('link', { name: 'Vault' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Vault' })).toBeVisible();
  await expect(page.getByTestId('vault-empty')).toContainText('Upload');
  await expectAccessible(page, 'empty vault');

  // Two distinct photos, then an exact copy of the first.
  const sunset = await png(320, 240, (x, y) => [200 + Math.round((x / 320) * 55), Math.round((y / 240) * 120), 60]);
  const sea = await png(320, 240, (x, y) => [20, 80 + Math.round((y / 240) * 100), 160 + Math.round((x / 320) * 90)]);
  const input = page.getByTestId('vault-file-input');
  await input.setInputFiles([
    { name: 'sunset.png', mimeType: 'image/png', buffer: sunset },
    { name: 'sea.png', mimeType: 'image/png', buffer: sea },
  ]);
  await expect(page.getByTestId('upload-item').filter({ hasText: 'sea.png' })).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('upload-item').filter({ hasText: 'sunset.png' })).toHaveAttribute('data-state', 'done');
  await input.setInputFiles([{ name: 'sunset-copy.png', mimeType: 'image/png', buffer: sunset }]);
  const dup = page.getByTestId('upload-item').filter({ hasText: 'sunset-copy.png' });
  await expect(dup).toHaveAttribute('data-state', 'error');
  await expect(dup).toContainText('already in your vault');
  await expect(dup.getByRole('button', { name: 'Open the one in your vault' })).toBeVisible();

  // Processing → pending with a rating, live (no reload).
  const tiles = page.getByTestId('asset-tile');
  await expect(tiles).toHaveCount(2);
  await expect(tiles.locator('[data-status="pending"]')).toHaveCount(2, { timeout: 90_000 });
  await expect(tiles.getByTestId('asset-rating')).toHaveCount(2);
  await expect(tiles.getByTestId('asset-rating').first()).toHaveAttribute('data-rating', /safe|suggestive|explicit/);
  await expectAccessible(page, 'vault with assets');

  // Lightbox: gate results with numbers and thresholds.
  await tiles.first().getByRole('button', { name: /^Open / }).click();
  const lightbox = page.getByRole('dialog');
  await expect(lightbox).toBeVisible();
  await expect(lightbox.getByTestId('gate-results')).toContainText(/threshold 0\.50/);
  await expect(lightbox.getByTestId('nsfw-scores')).toContainText(/neutral \d\.\d\d/);
  await expectAccessible(page, 'lightbox');
  await page.keyboard.press('ArrowRight');
  await expect(lightbox).toContainText('2 of 2');
  await page.keyboard.press('Escape');
  await expect(lightbox).toBeHidden();

  // Review queue: oldest first; A approves, R rejects.
  await page.getByRole('link', { name: /Review/ }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Review' })).toBeVisible();
  await expect(page.getByTestId('review-item')).toBeVisible();
  await expect(page.getByTestId('review-remaining')).toContainText('2 waiting');
  await expect(page.getByRole('region', { name: 'Keyboard shortcuts' })).toContainText(/A\s*approve/);
  await expectAccessible(page, 'review queue');
  const first = await page.getByTestId('review-item').getAttribute('data-asset-id');
  await page.keyboard.press('a');
  await expect(page.getByTestId('review-announce')).toContainText('Approved');
  await expect(page.getByTestId('review-item')).not.toHaveAttribute('data-asset-id', first!);
  await page.keyboard.press('r');
  await expect(page.getByTestId('review-announce')).toContainText('Rejected');
  await expect(page.getByRole('heading', { name: 'Nothing to review' })).toBeVisible();
  await expectAccessible(page, 'empty review queue');

  // Filter the vault to approved assets; select and download them as a zip.
  await page.getByRole('link', { name: 'Vault' }).first().click();
  await page.getByRole('button', { name: /^Filters/ }).click();
  await page.getByRole('combobox', { name: 'Status' }).click();
  await page.getByRole('option', { name: 'Approved' }).click();
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page).toHaveURL(/status=approved/);
  await expect(page.getByTestId('filter-chip')).toHaveText(/Status: Approved/);
  await expect(tiles).toHaveCount(1);
  await expect(tiles.first()).toHaveAttribute('data-status', 'approved');
  await expect(tiles.first()).toHaveAttribute('data-asset-id', first!);
  await tiles.first().getByRole('checkbox').click();
  await expect(page.getByText('1 selected')).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download zip' }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.zip$/);
  const zip = await readFile((await download.path())!);
  expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
  expect(zip.length).toBeGreaterThan(1000);
  expect(zipEntryCount(zip)).toBe(1);
});
