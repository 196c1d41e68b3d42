// The vault at a glance (issue 7, part C): a compact filter bar (design-system selects, a date
// picker, active filters as removable chips) that leaves the grid on the first screen, tiles that
// name the file and its kind, identity in words that match what happened, and the character's
// Vault tab free of serious axe findings.
import { expect, test, type Page } from '@playwright/test';
import { createCharacter, expectAccessible, signUpAndVerify, uploadAsset } from './helpers.ts';

test.use({ reducedMotion: 'reduce' });

async function waitRated(page: Page, count: number) {
  const tiles = page.getByTestId('asset-tile');
  await expect(tiles).toHaveCount(count);
  await expect(tiles.locator('[data-status="pending"]')).toHaveCount(count, { timeout: 90_000 });
  return tiles;
}

for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 800 }]) {
  test(`a compact filter bar with chips leaves the grid on the first screen (${viewport.width}px)`, async ({ page, browser }) => {
    test.setTimeout(300_000);
    await page.setViewportSize(viewport);
    await signUpAndVerify(page, browser, 'Fay Filter');
    await uploadAsset(page, 'sunset.png', 1);
    await uploadAsset(page, 'harbour.png', 2);
    await page.goto('/app/vault');
    const tiles = await waitRated(page, 2);

    const bar = page.getByRole('search', { name: 'Filter assets' });
    // No native dropdowns or date fields; two rows at most, and the first tile is on screen.
    await expect(bar.locator('select, input[type="date"]')).toHaveCount(0);
    expect((await bar.boundingBox())!.height).toBeLessThanOrEqual(100);
    expect((await tiles.first().boundingBox())!.y + 80).toBeLessThan(viewport.height);

    // Tiles name the file and show its kind.
    const sunset = tiles.filter({ hasText: 'sunset.png' });
    await expect(sunset.getByTestId('asset-tile-name')).toHaveText('sunset.png');
    await expect(sunset.locator('[data-kind="image"]')).toBeVisible();
    await expect(sunset.getByRole('button', { name: /^Open sunset\.png \(image\)/ })).toBeVisible();

    // The search box's placeholder is not cut off.
    const search = bar.getByRole('searchbox');
    const fits = await search.evaluate((el: HTMLInputElement) => {
      const cs = getComputedStyle(el);
      const ctx = document.createElement('canvas').getContext('2d')!;
      ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      return ctx.measureText(el.placeholder).width <= el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    });
    expect(fits, 'search placeholder fits').toBe(true);

    // A filter from the popover becomes a chip; removing the chip removes the filter.
    await bar.getByRole('button', { name: /^Filters/ }).click();
    await page.getByRole('combobox', { name: 'Kind' }).click();
    await page.getByRole('option', { name: 'Video' }).click();
    await expectAccessible(page, `vault filters popover (${viewport.width})`);
    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page).toHaveURL(/kind=video/);
    await expect(page.getByTestId('vault-empty')).toContainText('No assets match');
    const chip = page.getByTestId('filter-chip').filter({ hasText: 'Kind: Video' });
    await expect(chip).toBeVisible();
    await chip.getByRole('button', { name: 'Remove filter Kind: Video' }).click();
    await expect(page).not.toHaveURL(/kind=/);
    await expect(tiles).toHaveCount(2);

    // Dates from the picker: today's uploads are in "Today".
    await bar.getByRole('button', { name: 'Dates', exact: true }).click();
    const dates = page.getByRole('dialog', { name: 'Dates' });
    await expect(dates.getByRole('grid')).toBeVisible();
    await dates.getByRole('button', { name: 'Today', exact: true }).click();
    await expect(page).toHaveURL(/from=\d{4}-\d{2}-\d{2}&.*to=\d{4}-\d{2}-\d{2}|to=\d{4}-\d{2}-\d{2}.*from=/);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('filter-chip').filter({ hasText: 'Date:' })).toBeVisible();
    await expect(tiles).toHaveCount(2);
    await expectAccessible(page, `vault with filter chips (${viewport.width})`);
    await page.getByRole('button', { name: /^Remove filter Date/ }).click();
    await expect(page).not.toHaveURL(/from=/);
  });
}

test('identity reads as what happened; the character vault tab has no serious axe finding', async ({ page, browser }) => {
  test.setTimeout(300_000);
  await signUpAndVerify(page, browser, 'Ida Identity');
  const id = await createCharacter(page, { name: 'Iris Ident', handle: 'iris.ident', age: 34 });
  await uploadAsset(page, 'landscape.png', 3, id);
  await page.goto(`/app/characters/${id}?tab=vault`);
  const tiles = await waitRated(page, 1);
  await expectAccessible(page, 'character vault tab');
  const rules = page.getByRole('region', { name: 'Vault rules' });
  await expect(rules).toContainText('look like the reference photos');
  await expect(rules).not.toContainText(/cosine/i);

  await tiles.first().getByRole('button', { name: /^Open / }).click();
  const identity = page.getByRole('dialog').getByTestId('identity-score');
  await expect(identity).toHaveText('No face found in this image, so it could not be compared with the reference photos.');
  await expect(identity).not.toContainText('no reference photos');
});

test.describe('on a touch screen', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test('no "drop files anywhere" hint where nothing can be dropped', async ({ page, browser }) => {
    await signUpAndVerify(page, browser, 'Tia Touch');
    await page.goto('/app/vault');
    await expect(page.getByTestId('vault-empty')).toContainText('choose them from your device');
    await expect(page.getByText(/drop files/i).filter({ visible: true })).toHaveCount(0);
    await expect(page.getByText('Upload options')).toBeVisible();
  });
});

test('with a mouse, the drop hint is there', async ({ page, browser }) => {
  await signUpAndVerify(page, browser, 'Mo Mouse');
  await page.goto('/app/vault');
  await expect(page.getByTestId('vault-empty')).toContainText('drop files anywhere on this page');
  await expect(page.getByText('(drop files anywhere on this page)')).toBeVisible();
});
