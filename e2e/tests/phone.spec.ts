// Phone width (issue 7, part C): the sections sit behind a menu button (keyboard and screen-reader
// usable) instead of a nav row that scrolls sideways, and the character page's tabs wrap so none
// is cut off.
import { expect, test } from '@playwright/test';
import { createCharacter, expectAccessible, signUpAndVerify } from './helpers.ts';

test.use({ viewport: { width: 390, height: 844 }, reducedMotion: 'reduce' });

test('the top nav is a menu at phone width, usable by keyboard', async ({ page, browser }) => {
  await signUpAndVerify(page, browser, 'Phil Phone');
  // Nothing in the header scrolls sideways or is cut off (screen-reader-only text aside).
  const overflowing = await page.locator('header, header *').evaluateAll((els) => els.filter((el) => !el.closest('.sr-only') && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible').length);
  expect(overflowing).toBe(0);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();

  const menuButton = page.getByRole('button', { name: 'Main menu', exact: true });
  await menuButton.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('dialog', { name: 'Menu' });
  await expect(menu).toBeVisible();
  const links = menu.getByRole('navigation', { name: 'Main' }).getByRole('link');
  await expect(links).toHaveText([/Characters/, /Vault/, /Review/, /Settings/]);
  for (const link of await links.all()) {
    const box = (await link.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
  }
  await expectAccessible(page, 'phone menu');
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(menuButton).toBeFocused();

  await menuButton.click();
  await menu.getByRole('link', { name: 'Vault' }).click();
  await expect(page).toHaveURL(/\/app\/vault/);
  await expect(menu).toBeHidden();
  await expect(page.getByRole('heading', { level: 1, name: 'Vault' })).toBeVisible();
});

test('the character tabs wrap instead of hiding behind a sideways scroll', async ({ page, browser }) => {
  await signUpAndVerify(page, browser, 'Tabitha Tabs');
  const id = await createCharacter(page, { name: 'Tabby Cat', handle: 'tabby.cat', age: 30 });
  await page.goto(`/app/characters/${id}`);
  const list = page.getByRole('tablist', { name: 'Character sections' });
  await expect(list.getByRole('tab')).toHaveCount(6);
  expect(await list.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(1);
  for (const tab of await list.getByRole('tab').all()) {
    const box = (await tab.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, await tab.innerText()).toBeLessThanOrEqual(390);
  }
  await list.getByRole('tab', { name: 'Vault' }).click();
  await expect(page).toHaveURL(/tab=vault/);
});
