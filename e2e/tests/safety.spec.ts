// The abuse signal in the browser: a user whose character texts the safety screen refuses three
// times is told what triggered each refusal; the administrator's Safety page lists the account as
// flagged with its blocks, and clearing the flag keeps the records.
import { expect, test } from '@playwright/test';
import { admin, expectAccessible, logIn, signUpAndVerify } from './helpers.ts';

test('repeated refusals flag the account; the administrator reviews it and clears the flag', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const name = `Flagged ${Date.now().toString(36)}`;
  await signUpAndVerify(page, browser, name);
  for (let i = 0; i < 3; i++) {
    const res = await page.request.post('/api/characters', {
      data: { name: `Blocked ${i} ${Date.now().toString(36)}`, handle: `blocked_${i}_${Date.now().toString(36)}`, age: 26, bio: 'explicit nude set, schoolgirl' },
    });
    expect(res.status()).toBe(422);
    const body = await res.json();
    expect(body.error.code).toBe('unsafe_prompt');
    expect(body.error.message).toMatch(/nude/);
  }

  const adminCtx = await browser.newContext({ reducedMotion: 'reduce' });
  const adminPage = await adminCtx.newPage();
  try {
    await logIn(adminPage, admin.email, admin.password);
    await adminPage.getByRole('link', { name: 'Safety' }).first().click();
    await expect(adminPage.getByRole('heading', { level: 1, name: 'Safety' })).toBeVisible();
    const row = adminPage.getByTestId('safety-account').filter({ hasText: name });
    await expect(row).toHaveAttribute('data-flagged', 'true');
    await expectAccessible(adminPage, '/app/admin/safety with blocks');

    // The account's own blocks, by keyboard.
    await row.getByRole('button', { name: new RegExp(`^${name}`) }).focus();
    await adminPage.keyboard.press('Enter');
    await expect(adminPage.getByRole('heading', { name: `Blocks of ${name}` })).toBeVisible();
    await expect(adminPage.getByTestId('safety-block')).toHaveCount(3);
    await expect(adminPage.getByTestId('safety-block').first()).toContainText('New character');

    await row.getByRole('button', { name: `Clear flag of ${name}` }).click();
    await expect(adminPage.getByText('Flag cleared')).toBeVisible();
    await expect(row).not.toHaveAttribute('data-flagged', 'true');
    await expect(adminPage.getByTestId('safety-block')).toHaveCount(3);

    // At phone width each account is a card that fits the screen: nothing scrolls sideways.
    await adminPage.setViewportSize({ width: 375, height: 812 });
    await expect(row).toBeVisible();
    expect((await row.boundingBox())!.width).toBeLessThanOrEqual(375);
    expect(await adminPage.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await expectAccessible(adminPage, '/app/admin/safety at phone width');
  } finally {
    await adminCtx.close();
  }
});
