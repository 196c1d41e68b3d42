// The first journey of a new user: register → verify via the emailed link (read from the
// outbox, as on an install without SMTP) → create a character with the wizard → see it on the
// dashboard → pause it → log out. Every page on the way is scanned with axe-core.
import { expect, test } from '@playwright/test';
import { expectAccessible, verificationLinkFromOutbox } from './helpers.ts';

test.use({ reducedMotion: 'reduce' });

test('register, verify, create a character, pause it, log out', async ({ page, browser }) => {
  const email = `creator-${Date.now()}@e2e.test`;
  const password = 'a-strong-password';

  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.getByText(/open-source/i).first()).toBeVisible();
  await expectAccessible(page, 'landing');

  await page.getByRole('link', { name: /sign up/i }).first().click();
  await expect(page).toHaveURL(/\/register/);
  await expectAccessible(page, 'register');
  await page.getByLabel('Name').fill('Casey Creator');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/check-email/);
  await expectAccessible(page, 'check-email');

  // Unverified accounts cannot sign in yet.
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText(/confirm your email/i).first()).toBeVisible();
  await expectAccessible(page, 'login with unverified email');

  const link = await verificationLinkFromOutbox(browser, email);
  await page.goto(link);
  await page.getByRole('link', { name: 'Continue to dashboard' }).click();
  await expect(page).toHaveURL(/\/app$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Characters' })).toBeVisible();
  await expectAccessible(page, 'empty dashboard');

  // Wizard: template → basics → create.
  await page.getByRole('link', { name: 'Create your first character' }).click();
  await expect(page).toHaveURL(/\/app\/characters\/new/);
  await expectAccessible(page, 'wizard: template');
  await page.getByTestId('template-option').filter({ hasText: /fitness/i }).click();
  await expect(page.getByRole('radio', { name: /fitness/i })).toBeChecked();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Mila Hart');
  await expect(page.getByLabel('Handle')).toHaveValue(/mila/);
  await page.getByLabel('Age').fill('17');
  await expect(page.getByText(/18 or older/).first()).toBeVisible();
  await page.getByLabel('Age').fill('27');
  await expectAccessible(page, 'wizard: basics');
  await page.getByRole('button', { name: 'Create character' }).click();
  await expect(page).toHaveURL(/\/app\/characters\/[0-9a-f-]{36}/);
  await expect(page.getByRole('heading', { level: 1, name: 'Mila Hart' })).toBeVisible();
  await expectAccessible(page, 'character page');

  for (const tab of ['Persona', 'Appearance', 'Prompt']) {
    await page.getByRole('tab', { name: tab }).click();
    await expectAccessible(page, `character tab ${tab}`);
  }
  await expect(page.getByText('You are Mila Hart').first()).toBeVisible();

  // Dashboard shows it; pause it from there.
  await page.getByRole('link', { name: 'Characters' }).first().click();
  const card = page.getByTestId('character-card').filter({ hasText: 'Mila Hart' });
  await expect(card).toBeVisible();
  await expect(card.getByTestId('status-badge')).toHaveAttribute('data-status', 'active');
  await expectAccessible(page, 'dashboard with a character');
  await card.getByRole('checkbox', { name: 'Select Mila Hart' }).check();
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(card.getByTestId('status-badge')).toHaveAttribute('data-status', 'paused');
  await expect(card.getByTestId('status-badge')).toHaveText(/Paused/);

  // The status survives a reload (it came from the server, not just the page).
  await page.reload();
  await expect(page.getByTestId('character-card').filter({ hasText: 'Mila Hart' }).getByTestId('status-badge')).toHaveAttribute('data-status', 'paused');

  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/app');
  await expect(page).toHaveURL(/\/login/);
});
