// Every page at phone width and on a desktop, in light and dark mode: no serious or critical
// axe-core finding, nothing wider than the screen, and keyboard focus reaches the main content.
import { expect, test, type Page } from '@playwright/test';
import { admin, expectAccessible, logIn } from './helpers.ts';

const publicPages = ['/', '/login', '/register', '/check-email', '/forgot-password', '/reset-password?token=bad', '/verify-email?token=bad', '/no-such-page'];
const appPages = ['/app', '/app/characters/new', '/app/vault', '/app/review', '/app/settings', '/app/admin/outbox', '/app/admin/safety'];

async function noHorizontalScroll(page: Page, label: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${label} is wider than the screen`).toBeLessThanOrEqual(1);
}

for (const scheme of ['light', 'dark'] as const) {
  for (const viewport of [{ width: 375, height: 740 }, { width: 1280, height: 800 }]) {
    test.describe(`${scheme} ${viewport.width}px`, () => {
      test.use({ colorScheme: scheme, viewport, reducedMotion: 'reduce' });

      test('public pages', async ({ page }) => {
        for (const url of publicPages) {
          await page.goto(url);
          await expect(page.locator('main')).toBeVisible();
          await expectAccessible(page, `${url} (${scheme}, ${viewport.width})`);
          await noHorizontalScroll(page, url);
        }
      });

      test('signed-in pages', async ({ page }) => {
        await logIn(page, admin.email, admin.password);
        for (const url of appPages) {
          await page.goto(url);
          await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
          await expectAccessible(page, `${url} (${scheme}, ${viewport.width})`);
          await noHorizontalScroll(page, url);
        }
      });
    });
  }
}

test('the landing page can be used by keyboard alone', async ({ page }) => {
  await page.goto('/');
  await page.waitForLoadState('networkidle'); // the signed-in check may re-render the header first
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.activeElement?.textContent ?? '');
  expect(first.toLowerCase()).toContain('skip');
  await page.keyboard.press('Enter');
  await expect
    .poll(() => page.evaluate(() => !!document.activeElement?.closest('main') || document.activeElement?.tagName === 'MAIN'))
    .toBe(true);
});
