// The studio server going away and coming back (issue 7, part C): the page says so in the app
// (not the browser's own error page), the live badge stops claiming "Live", and everything
// resumes by itself when the server answers again.
import { expect, test } from '@playwright/test';
import { signUpAndVerify } from './helpers.ts';

test.use({ reducedMotion: 'reduce' });

test('API calls unanswered: an in-app notice, the badge goes offline, and it recovers by itself', async ({ page, browser }) => {
  await signUpAndVerify(page, browser, 'Otto Offline');
  const badge = page.getByTestId('live-indicator');
  await expect(badge).toHaveAttribute('data-state', 'live');

  await page.route('**/api/**', (r) => r.abort('connectionrefused'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Vault' }).click();
  const banner = page.getByTestId('connection-banner');
  await expect(banner).toContainText('Can’t reach the studio server — retrying…');
  await expect(badge).toHaveAttribute('data-state', 'offline');
  await expect(badge).toHaveText(/Offline/);
  await expect(page.getByRole('heading', { level: 1, name: 'Vault' })).toBeVisible();

  await page.unroute('**/api/**');
  await expect(banner).toBeHidden();
  await expect(page.getByTestId('vault-empty')).toContainText('Your vault is empty');
  await expect(badge).toHaveAttribute('data-state', 'live');
});

test('the whole server away: moving to a page not loaded yet waits in the app instead of the browser error page', async ({ page, browser }) => {
  await signUpAndVerify(page, browser, 'Sal Server');
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-state', 'live');

  // Nothing from the server answers any more: documents, scripts and API alike.
  await page.route('**/*', (r) => r.abort('connectionrefused'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const banner = page.getByTestId('connection-banner');
  await expect(banner).toBeVisible();
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-state', 'offline');
  expect(page.url()).toMatch(/^http:\/\/localhost:\d+\//);
  await expect(page.getByRole('link', { name: 'AInfluencer home' })).toBeVisible();

  await page.unroute('**/*');
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await expect(banner).toBeHidden();
});
