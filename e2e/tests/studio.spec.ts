// The Studio offline, with the built-in engines only: a new user opens a character's Studio,
// writes 3 captions (each card's progress bar reaches done and the texts differ), makes a quote
// card and finds it in the vault with the gates' outcome, and sees the built-in engines under
// Settings → Engines. The Studio and the settings pages pass axe in light and dark mode, and the
// Studio does not scroll sideways at phone width. (The ComfyUI test-server journey is separate.)
import { expect, test, type Page } from '@playwright/test';
import { createCharacter, expectAccessible, signUpAndVerify } from './helpers.ts';

test.use({ reducedMotion: 'reduce' });

async function noHorizontalScroll(page: Page, label: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${label} is wider than the screen`).toBeLessThanOrEqual(1);
}

test('write captions and make a card in the Studio, offline', async ({ page, browser }) => {
  test.setTimeout(300_000);
  await signUpAndVerify(page, browser, 'Stella Studio');
  const id = await createCharacter(page, {
    name: 'Lina Sol',
    handle: 'lina.sol',
    age: 29,
    bio: 'Surf instructor and slow-morning person on the Algarve coast.',
    interests: ['surfing', 'coffee', 'sunrise'],
  });

  // From the character page to its Studio; nothing made yet says what to do.
  await page.goto(`/app/characters/${id}`);
  await page.getByRole('link', { name: 'Studio' }).click();
  await expect(page).toHaveURL(new RegExp(`/app/characters/${id}/studio`));
  await expect(page.getByRole('heading', { level: 1, name: 'Studio' })).toBeVisible();
  await expect(page.getByTestId('studio-empty')).toContainText('type an idea and press Generate', { ignoreCase: true });
  await expect(page.getByTestId('cost-estimate')).toContainText('3 credits');
  await expectAccessible(page, 'studio, caption tab');

  // Three captions with the built-in text engine.
  const caption = page.getByRole('tabpanel', { name: 'Caption' });
  await caption.getByLabel('What to write').selectOption('caption');
  await caption.getByLabel('How many').fill('3');
  await caption.getByLabel('Idea').fill('first surf of the season, cold water, warm coffee after');
  await caption.getByRole('button', { name: 'Generate', exact: true }).click();
  const texts = page.getByTestId('results-text').getByTestId('generation-card');
  await expect(texts).toHaveCount(3);
  for (const card of await texts.all()) {
    await expect(card).toHaveAttribute('data-status', 'succeeded', { timeout: 90_000 });
    const bar = card.getByRole('progressbar');
    await expect(bar).toHaveAttribute('aria-valuenow', '100');
    await expect(card.getByTestId('generation-stage')).toHaveText(/done/i);
    await expect(card.getByRole('button', { name: /^Copy/ })).toBeVisible();
  }
  const written = (await page.getByTestId('results-text').getByTestId('generation-text').allInnerTexts()).map((t) => t.trim());
  expect(written).toHaveLength(3);
  for (const t of written) expect(t.length).toBeGreaterThan(10);
  expect(new Set(written).size, `three different captions: ${JSON.stringify(written)}`).toBe(3);
  await expectAccessible(page, 'studio with captions');

  // No image engine yet: the Image tab says so, and asking for an image offers a card instead.
  await page.getByRole('tab', { name: 'Image' }).click();
  const image = page.getByRole('tabpanel', { name: 'Image' });
  await expect(image.getByTestId('no-image-engine')).toContainText('No image engine yet');
  await image.getByRole('radio', { name: '1:1' }).check();
  await image.getByLabel('Idea').fill('Cold water, warm heart.');
  await expectAccessible(page, 'studio, image tab');
  await image.getByRole('button', { name: 'Generate', exact: true }).click();
  const refused = image.getByTestId('generate-error');
  await expect(refused).toContainText('No engine can do this yet');
  await expect(refused.getByRole('link', { name: 'Open Settings → Engines' })).toHaveAttribute('href', '/app/settings/engines');
  await expectAccessible(page, 'studio, no image engine');
  // One click: a quote card from the built-in compositor, into the vault, where the gates decide.
  await refused.getByRole('button', { name: 'Make a card instead' }).click();
  await expect(image.getByRole('radio', { name: 'Card' })).toBeChecked();
  await expect(image.getByLabel('Card layout')).toHaveValue('quote');
  const cardGen = page.getByTestId('results-image').getByTestId('generation-card').first();
  await expect(cardGen).toHaveAttribute('data-task', 'card');
  await expect(cardGen).toHaveAttribute('data-status', 'succeeded', { timeout: 90_000 });
  await expect(cardGen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  const thumb = cardGen.getByTestId('generation-image');
  await expect(thumb).toHaveCount(1);
  // The gates' outcome arrives live on the result (approved, to review or blocked — never stuck processing).
  await expect(thumb).toHaveAttribute('data-gate', /^(approved|pending|rejected|blocked)$/, { timeout: 90_000 });
  const assetId = await thumb.getAttribute('data-asset-id');
  expect(assetId).toMatch(/^[0-9a-f-]{36}$/);

  // The same asset in the vault, with its gate outcome.
  await thumb.getByRole('link', { name: /Open image 1 of 1 in the vault/ }).click();
  await expect(page).toHaveURL(new RegExp(`/app/vault\\?.*open=${assetId}`));
  const lightbox = page.getByRole('dialog');
  await expect(lightbox).toBeVisible();
  await expect(lightbox.getByTestId('asset-status').first()).toHaveAttribute('data-status', /^(approved|pending|rejected|blocked)$/);
  await page.keyboard.press('Escape');
  await expect(lightbox).toBeHidden();
  const tile = page.getByTestId('asset-tile').first();
  await expect(tile.getByTestId('asset-status')).toHaveAttribute('data-status', /^(approved|pending|rejected|blocked)$/);

  // History lists everything made for the character, filterable.
  await page.goto(`/app/characters/${id}/studio?tab=history`);
  await expect(page.getByTestId('history-list').getByTestId('generation-card')).toHaveCount(4);
  await page.getByLabel('Kind').selectOption('image');
  await expect(page.getByTestId('history-list').getByTestId('generation-card')).toHaveCount(1);
  await expectAccessible(page, 'studio history');

  // Settings → Engines lists the built-in engines (pinned last, testable).
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Engines' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Engines' })).toBeVisible();
  for (const kind of ['text', 'image']) {
    const builtIn = page.getByTestId(`engines-${kind}`).locator('[data-testid="engine-row"][data-builtin="true"]');
    await expect(builtIn.first()).toBeVisible();
    await expect(builtIn.first()).toContainText('Built in');
  }
  await expect(page.getByTestId('engines-empty-image')).toContainText('make a card');
  await page.getByTestId('engines-text').locator('[data-builtin="true"]').first().getByRole('button', { name: /^Test connection/ }).click();
  await expect(page.getByTestId('connection-report')).toHaveAttribute('data-ok', 'true');
  // Usage shows what the Studio ran.
  await expect(page.getByTestId('usage-engines')).toBeVisible();
  await expectAccessible(page, 'settings engines');

  // The balance in the header followed the spends (the default settings count credits).
  await expect(page.getByTestId('credit-balance')).toBeVisible();
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Credits' }).click();
  await expect(page.getByTestId('ledger')).toContainText('Spent');
  await expectAccessible(page, 'settings credits');
});

for (const scheme of ['light', 'dark'] as const) {
  test(`the Studio and Engines pages at phone width (${scheme})`, async ({ page, browser }) => {
    test.setTimeout(240_000);
    await page.setViewportSize({ width: 375, height: 740 });
    await page.emulateMedia({ colorScheme: scheme });
    await signUpAndVerify(page, browser, `Pia Phone ${scheme}`);
    const id = await createCharacter(page, { name: 'Noa Reef', handle: `noa.reef.${scheme}`, age: 31 });

    for (const tab of ['', '?tab=image', '?tab=history']) {
      await page.goto(`/app/characters/${id}/studio${tab}`);
      await expect(page.getByRole('heading', { level: 1, name: 'Studio' })).toBeVisible();
      await noHorizontalScroll(page, `studio ${tab || 'caption'}`);
      await expectAccessible(page, `studio ${tab || 'caption'} at 375 px (${scheme})`);
    }
    // With a result on screen, still nothing wider than the phone.
    await page.goto(`/app/characters/${id}/studio`);
    await page.getByRole('tabpanel', { name: 'Caption' }).getByLabel('How many').fill('1');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await expect(page.getByTestId('results-text').getByTestId('generation-card').first()).toHaveAttribute('data-status', 'succeeded', { timeout: 90_000 });
    await noHorizontalScroll(page, 'studio with a result');

    for (const url of ['/app/settings/engines', '/app/settings/credits']) {
      await page.goto(url);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await noHorizontalScroll(page, url);
      await expectAccessible(page, `${url} at 375 px (${scheme})`);
    }
  });
}
