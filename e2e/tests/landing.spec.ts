// The landing page describes what the studio does today and marks what is coming (issue 7, part C).
import { expect, test } from '@playwright/test';
import { expectAccessible } from './helpers.ts';

test.use({ reducedMotion: 'reduce' });

for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 800 }]) {
  test(`the landing page says what works today and what is coming (${viewport.width}px)`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await page.goto('/');
    const today = page.getByRole('region', { name: 'What works today' });
    await expect(today.getByRole('heading', { level: 3 })).toHaveText([
      'Accounts',
      'Characters with persona and appearance',
      'Reference photos',
      'Prompt export',
      'Media vault with safety gates',
      'An API for everything',
    ]);
    await expect(today).not.toContainText('Coming');

    const coming = page.getByRole('region', { name: 'Coming next' });
    await expect(coming.getByRole('listitem')).toHaveCount(3);
    for (const title of ['Generation', 'Publishing and scheduling', 'Inbox']) {
      const item = coming.getByRole('listitem').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
      await expect(item.getByTestId('coming-badge')).toHaveText('Coming');
    }
    // The promise above the fold is what exists; generation, scheduling and the inbox are named as coming.
    const hero = page.locator('section').first();
    await expect(hero).toContainText('Coming next: generation');
    await expect(hero).not.toContainText(/schedule posts|answer fans/);
    await expectAccessible(page, `landing (${viewport.width})`);
  });
}
