// Settings: rename, change the email (the new address counts only after its link is opened),
// sessions named by browser and OS, download the account's data, delete the account.
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { expectAccessible, signUpAndVerify, verificationLinkFromOutbox } from './helpers.ts';

test.use({ reducedMotion: 'reduce' });

/** Entry names of a zip, from its central directory. */
function zipNames(buf: Buffer): string[] {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const nameLen = buf.readUInt16LE(p + 28);
    names.push(buf.subarray(p + 46, p + 46 + nameLen).toString('utf8'));
    p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return names;
}

test('rename, change email with verification, sessions by device, download data, delete the account', async ({ page, browser }) => {
  test.setTimeout(300_000);
  const stamp = Date.now();
  const email = `settings-${stamp}@e2e.test`;
  const newEmail = `moved-${stamp}@e2e.test`;
  const password = 'a-strong-password';
  await signUpAndVerify(page, browser, 'Sam Settings', { email, password });
  const created = await page.request.post('/api/characters', { data: { name: 'Kept Character', handle: `kept_${stamp}`, age: 31 } });
  expect(created.status()).toBe(201);

  await page.goto('/app/settings');
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await expectAccessible(page, 'settings');

  // Sessions are named by browser and OS, not by the raw user agent.
  await expect(page.getByTestId('session-device').first()).toContainText('Chrome on Linux');
  await expect(page.getByTestId('session').first()).not.toContainText('Mozilla/5.0');

  // Rename.
  await page.getByLabel('Name', { exact: true }).fill('Sam Renamed');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByText('Name saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Sam Renamed');

  // Change the email: nothing changes until the link sent to the new address is opened.
  await page.getByRole('button', { name: 'Change email' }).click();
  await page.getByLabel('New email').fill(newEmail);
  await page.getByRole('button', { name: 'Send confirmation link' }).click();
  await expect(page.getByTestId('email-change-pending')).toContainText(newEmail);
  await expect(page.getByTestId('account-email')).toHaveText(email);
  await expectAccessible(page, 'settings with a pending email change');
  await page.goto(await verificationLinkFromOutbox(browser, newEmail));
  await expect(page.getByRole('heading', { name: 'Email verified' })).toBeVisible();
  await page.goto('/app/settings');
  await expect(page.getByTestId('account-email')).toHaveText(newEmail);

  // Download the data.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download my data' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^ainfluencer-account-\d{4}-\d{2}-\d{2}\.zip$/);
  const names = zipNames(await readFile((await download.path())!));
  expect(names).toContain('account.json');
  expect(names).toContain(`characters/kept_${stamp}/character.json`);

  // Delete: the password is checked, then the account is gone and the browser is signed out.
  await page.getByRole('button', { name: 'Delete account' }).click();
  const dialog = page.getByTestId('delete-account-dialog');
  await expect(dialog.getByRole('link', { name: 'Download your data' })).toBeVisible();
  await expectAccessible(page, 'delete account dialog');
  await dialog.getByLabel('Your password').fill('not-my-password');
  await dialog.getByRole('button', { name: 'Delete my account' }).click();
  await expect(dialog.getByText('The password is incorrect.')).toBeVisible();
  await dialog.getByLabel('Your password').fill(password);
  await dialog.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText('Your account is being deleted.')).toBeVisible();
  expect((await page.request.get('/api/auth/me')).status()).toBe(401);
  await page.goto('/login');
  await page.getByLabel('Email').fill(newEmail);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText('Email or password is incorrect.').first()).toBeVisible();
});
