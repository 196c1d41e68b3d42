// A newcomer's first hour with the character forms (issue 7, part C): the wizard checks each step
// before moving on and takes the user to the field the server refuses; unsaved edits on the
// character page are guarded; an apparent age that is not clearly adult is refused under the
// field; the exported prompt uses the words the sliders show.
import { expect, test } from '@playwright/test';
import { createCharacter, expectAccessible, signUpAndVerify } from './helpers.ts';

test.use({ reducedMotion: 'reduce' });

for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 800 }]) {
  test(`the wizard checks each step and shows the server's refusal on its field (${viewport.width}px)`, async ({ page, browser }) => {
    await page.setViewportSize(viewport);
    await signUpAndVerify(page, browser, 'Wanda Wizard');
    await createCharacter(page, { name: 'Taken Tess', handle: 'taken.tess', age: 30 });

    await page.goto('/app/characters/new');
    await page.getByRole('button', { name: 'Next' }).click();
    const basics = page.getByRole('heading', { name: 'The basics' });
    await expect(basics).toBeVisible();

    // An empty name does not move on: the error is under the field and the cursor in it.
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(basics).toBeVisible();
    const name = page.getByLabel('Name', { exact: true });
    await expect(page.locator('#basics-name-error')).toHaveText('Enter a name.');
    await expect(name).toHaveAttribute('aria-invalid', 'true');
    await expect(name).toBeFocused();

    // Under 18 does not move on either.
    await name.fill('Wendy Wave');
    await expect(page.locator('#basics-name-error')).toBeHidden();
    await page.getByLabel('Handle').fill('taken.tess');
    await page.getByLabel('Age').fill('17');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(basics).toBeVisible();
    await expect(page.locator('#basics-age-error')).toContainText('18 or older');
    await expect(page.getByLabel('Age')).toBeFocused();
    await expectAccessible(page, `wizard basics with errors (${viewport.width})`);

    await page.getByLabel('Age').fill('29');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByRole('heading', { name: 'Review the persona' })).toBeVisible();

    // A language code the server would refuse is caught on this step.
    const language = page.getByLabel('Language', { exact: true });
    await language.fill('English!!');
    await page.getByRole('button', { name: 'Create character' }).click();
    await expect(page.locator('#persona-language-error')).toContainText('language code');
    await expect(language).toBeFocused();
    await language.fill('de');
    await expect(page.getByText('Writes in German.')).toBeVisible();

    // The server refuses the taken handle: the wizard goes back to Basics, with its message on Handle.
    await page.getByRole('button', { name: 'Create character' }).click();
    await expect(basics).toBeVisible();
    await expect(page.locator('#basics-handle-error')).toContainText('already have a character with the handle @taken.tess');
    await expect(page.getByLabel('Handle')).toBeFocused();

    await page.getByLabel('Handle').fill('wendy.wave');
    await page.getByRole('button', { name: 'Create character' }).first().click();
    await expect(page).toHaveURL(/\/app\/characters\/[0-9a-f-]{36}/);
    await expect(page.getByRole('heading', { level: 1, name: 'Wendy Wave' })).toBeVisible();
  });
}

test('unsaved edits on a character are guarded: in-app navigation asks, closing the tab asks', async ({ page, browser }) => {
  await signUpAndVerify(page, browser, 'Gus Guard');
  const id = await createCharacter(page, { name: 'Guarded Gina', handle: 'guarded.gina', age: 31 });
  await page.goto(`/app/characters/${id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Guarded Gina' })).toBeVisible();

  await page.getByLabel('Name', { exact: true }).fill('Gina Renamed');
  // Moving between tabs of the page is not leaving it: no question, and the edit survives.
  await page.getByRole('tab', { name: 'Persona' }).click();
  await page.getByLabel('Tone').fill('dry and warm');
  await page.getByRole('tab', { name: 'Overview' }).click();
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Gina Renamed');

  // Leaving asks first; "Keep editing" stays with the edits.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Vault' }).first().click();
  const dialog = page.getByRole('alertdialog', { name: 'Discard unsaved changes?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Overview and Persona');
  await expectAccessible(page, 'discard changes dialog');
  await dialog.getByRole('button', { name: 'Keep editing' }).click();
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(new RegExp(`/app/characters/${id}`));
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Gina Renamed');

  // Closing or reloading the tab gets the browser's own question.
  const beforeUnload = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  const question = await beforeUnload;
  expect(question.type()).toBe('beforeunload');
  await question.dismiss();
});

test('discarding leaves the page; saved edits do not ask', async ({ page, browser }) => {
  await signUpAndVerify(page, browser, 'Dora Discard');
  const id = await createCharacter(page, { name: 'Saved Sam', handle: 'saved.sam', age: 33 });
  await page.goto(`/app/characters/${id}`);
  await page.getByLabel('Location').fill('Porto');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('All changes saved.')).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Vault' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Vault' })).toBeVisible();

  await page.goBack();
  await page.getByLabel('Bio').fill('Will be thrown away');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Vault' }).first().click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Discard changes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Vault' })).toBeVisible();
  const saved = await (await page.request.get(`/api/characters/${id}`)).json();
  expect(saved).toMatchObject({ location: 'Porto', bio: '' });
});

test('an apparent age that is not clearly adult is refused under the field, live and on save', async ({ page, browser }) => {
  await signUpAndVerify(page, browser, 'Abe Age');
  const id = await createCharacter(page, { name: 'Ada Adult', handle: 'ada.adult', age: 27 });
  await page.goto(`/app/characters/${id}?tab=appearance`);
  const ageLook = page.getByLabel('Age look', { exact: true });
  await ageLook.fill('teen');
  const error = page.locator('#attr-ageLook-error');
  await expect(error).toContainText('"teen" does not describe an adult');
  await expect(ageLook).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('preview-error')).toContainText('highlighted field');

  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(error).toContainText('does not describe an adult');
  await expect(ageLook).toBeFocused();
  expect((await (await page.request.get(`/api/characters/${id}`)).json()).appearance.attributes.ageLook).toBe('');

  await ageLook.fill('late 20s');
  await expect(error).toBeHidden();
  await expect(page.getByText('an adult (late 20s)').first()).toBeVisible();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('All changes saved.')).toBeVisible();
  expect((await (await page.request.get(`/api/characters/${id}`)).json()).appearance.attributes.ageLook).toBe('late 20s');
});

test('the exported prompt uses the words the persona sliders show, and names the language', async ({ page, browser }) => {
  await signUpAndVerify(page, browser, 'Pia Prompt');
  const id = await createCharacter(page, { name: 'Flora Flirt', handle: 'flora.flirt', age: 28, persona: { flirtLevel: 0 } });
  await page.goto(`/app/characters/${id}?tab=persona`);
  const flirt = page.getByRole('slider', { name: 'Flirt level' });
  await flirt.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(flirt).toHaveAttribute('aria-valuetext', '0.10, subtle');
  await expect(page.getByTestId('slider-value').filter({ hasText: '0.10' })).toHaveText('0.10 · subtle');
  await page.getByLabel('Language', { exact: true }).fill('pt-BR');
  await expect(page.getByText('Writes in Brazilian Portuguese.')).toBeVisible();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('All changes saved.')).toBeVisible();

  await page.getByRole('tab', { name: 'Prompt' }).click();
  const system = page.locator('pre[aria-label="System prompt"]');
  await expect(system).toContainText('Flirtatiousness: subtle (0.10');
  await expect(system).not.toContainText('platonic');
  await expect(system).toContainText('Write in Brazilian Portuguese.');
  await expect(system).not.toContainText('language: pt-BR');
});
