// Settings → Workflows: the shipped ComfyUI templates with what they need, a UI-format export refused
// with a clear message, an API-format graph mapped (pre-filled from the server's suggestion), saved
// twice as new versions, and picked in a character's Generation settings.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createCharacter, expectAccessible, signUpAndVerify } from './helpers.ts';

const templateFile = path.resolve(import.meta.dirname, '../../server/src/engines/image/comfyui/workflows/sdxl-txt2img.v1.json');
const template = JSON.parse(fs.readFileSync(templateFile, 'utf8')) as {
  graph: Record<string, { class_type: string; inputs: Record<string, unknown> }>;
  bindings: { prompt: { node: string; input: string } };
};

async function noHorizontalScroll(page: Page, label: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${label} is wider than the screen`).toBeLessThanOrEqual(1);
}

test('upload a ComfyUI workflow, map its inputs, save versions and pick it for a character', async ({ page, browser }) => {
  test.setTimeout(240_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-e2e-'));
  const uiFile = path.join(dir, 'editor-save.json');
  fs.writeFileSync(uiFile, JSON.stringify({ last_node_id: 2, last_link_id: 0, nodes: [{ id: 1, type: 'KSampler' }], links: [], version: 0.4 }));
  const graph = structuredClone(template.graph);
  graph['99'] = { class_type: 'CLIPTextEncode', inputs: { text: 'an extra encoder', clip: ['1', 1] } };
  const apiFile = path.join(dir, 'my-flow.json');
  fs.writeFileSync(apiFile, JSON.stringify(graph));

  await signUpAndVerify(page, browser, 'Wendy Workflow');
  const id = await createCharacter(page, { name: 'Noa Vale', handle: `noa.wf.${Date.now()}`, age: 31 });

  // From the settings nav.
  await page.goto('/app/settings/engines');
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Workflows' }).click();
  await expect(page).toHaveURL(/\/app\/settings\/workflows$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Workflows' })).toBeVisible();

  // The shipped templates, with their node packs and model files.
  const shipped = page.getByTestId('workflow-shipped');
  await expect(shipped.first()).toBeVisible();
  const txt2img = shipped.filter({ has: page.getByText('SDXL text to image', { exact: true }) });
  await expect(txt2img).toContainText('Built in');
  await expect(txt2img).toContainText('ComfyUI core');
  await expect(txt2img).toContainText('sd_xl_base_1.0.safetensors');
  await expect(shipped.filter({ hasText: 'InstantID' }).first()).toContainText('cubiq/ComfyUI_InstantID');
  await expect(page.locator('[data-testid="workflow-shipped"][data-slug="face-instantid"]')).toContainText('cubiq/ComfyUI_InstantID');
  await expect(page.getByTestId('workflows-own-empty')).toBeVisible();
  await expectAccessible(page, 'workflows page');

  // A UI-format export: a clear error telling to use Export (API).
  const fileInput = page.getByLabel('Workflow file (.json)');
  await fileInput.setInputFiles(uiFile);
  await expect(page.getByTestId('workflow-errors')).toContainText('Export (API)');
  await expect(page.getByTestId('workflow-mapping')).toHaveCount(0);

  // Not JSON at all.
  const badFile = path.join(dir, 'broken.json');
  fs.writeFileSync(badFile, '{ not json');
  await fileInput.setInputFiles(badFile);
  await expect(page.getByRole('alert').filter({ hasText: 'not valid JSON' })).toBeVisible();

  // The API-format graph: the mapping is pre-filled from the suggestion.
  await fileInput.setInputFiles(apiFile);
  const form = page.getByTestId('workflow-mapping');
  await expect(form).toBeVisible();
  const prompt = template.bindings.prompt;
  await expect(form.getByLabel('Prompt', { exact: true })).toHaveValue(`${prompt.node}\u00b7${prompt.input}`);
  await expect(form.getByLabel('Prompt', { exact: true }).locator('option:checked')).toHaveText(new RegExp(`^${prompt.node} · CLIPTextEncode · ${prompt.input}$`));
  // The extra encoder is offered too, and linked inputs are not.
  await expect(form.getByLabel('Prompt', { exact: true }).locator('option', { hasText: '99 · CLIPTextEncode · text' })).toHaveCount(1);
  await expect(form.getByLabel('Prompt', { exact: true }).locator('option', { hasText: '99 · CLIPTextEncode · clip' })).toHaveCount(0);
  await expect(form.getByLabel('Output node', { exact: true })).toHaveValue('8');
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue('my-flow');
  await expect(form.getByLabel('LoRA weight', { exact: true }).locator('option:checked')).toHaveText('2 inputs (as suggested)');
  await expectAccessible(page, 'workflow mapping form');

  // A built-in template's name is refused on the name field.
  await form.getByLabel('Name', { exact: true }).fill('sdxl-txt2img');
  await form.getByRole('button', { name: 'Save workflow' }).click();
  await expect(form.getByText('is the name of a built-in template')).toBeVisible();
  await expect(form.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');

  await form.getByLabel('Name', { exact: true }).fill('my-flow');
  await form.getByLabel('Title', { exact: true }).fill('My flow');
  await form.getByRole('button', { name: 'Save workflow' }).click();
  await expect(page.getByTestId('workflow-saved')).toHaveText('Saved “my-flow”, version 1.');
  const mine = page.getByTestId('workflow-own').filter({ hasText: 'my-flow' });
  await expect(mine.getByTestId('workflow-version')).toHaveText('Version 1');

  // Saving again stores version 2.
  await form.getByRole('button', { name: 'Save workflow' }).click();
  await expect(page.getByTestId('workflow-saved')).toHaveText('Saved “my-flow”, version 2.');
  await expect(mine.getByTestId('workflow-version')).toHaveText('Version 2');
  await expect(mine).toContainText('2 versions stored');
  await expectAccessible(page, 'workflows page with an upload');

  // Pick it in the character's Generation settings.
  await page.goto(`/app/characters/${id}?tab=prompt`);
  const settings = page.getByRole('form', { name: 'Generation settings' });
  await expect(settings).toBeVisible();
  const select = settings.getByLabel('Workflow', { exact: true });
  await expect(select.locator('option', { hasText: 'Engine default' })).toHaveCount(1);
  await expect(select.locator('option[value="sdxl-txt2img"]')).toHaveCount(1);
  await select.selectOption('my-flow');
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Generation settings saved.')).toBeVisible();
  const res = await page.request.get(`/api/characters/${id}/generation-settings`);
  expect(((await res.json()) as { image: { workflow: string | null } }).image.workflow).toBe('my-flow');
  await page.reload();
  await expect(page.getByRole('form', { name: 'Generation settings' }).getByLabel('Workflow', { exact: true })).toHaveValue('my-flow');

  // Remove with a confirmation.
  await page.goto('/app/settings/workflows');
  await page.getByRole('button', { name: 'Remove my-flow' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Remove workflow' }).click();
  await expect(page.getByTestId('workflows-own-empty')).toBeVisible();
});

for (const scheme of ['light', 'dark'] as const) {
  test(`the Workflows page at phone width (${scheme})`, async ({ page, browser }) => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.emulateMedia({ colorScheme: scheme });
    await signUpAndVerify(page, browser, `Phil Phone ${scheme}`);
    await page.goto('/app/settings/workflows');
    await expect(page.getByTestId('workflow-shipped').first()).toBeVisible();
    await noHorizontalScroll(page, 'workflows');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-e2e-'));
    const apiFile = path.join(dir, 'phone-flow.json');
    fs.writeFileSync(apiFile, JSON.stringify(template.graph));
    await page.getByLabel('Workflow file (.json)').setInputFiles(apiFile);
    await expect(page.getByTestId('workflow-mapping')).toBeVisible();
    await noHorizontalScroll(page, 'workflow mapping');
    await expectAccessible(page, `workflows at 375 px (${scheme})`);
  });
}
