// The Studio with a real engine protocol: a user adds a ComfyUI engine pointing at the local
// ComfyUI test server (server/test/support/engines/comfyui.server.ts, which follows ComfyUI's
// server.py and websocket messages), tests the connection, generates 2 images and a caption,
// watches the progress bar move, and finds the images in the vault with the gates' outcome.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createCharacter, expectAccessible, signUpAndVerify } from './helpers.ts';

let comfy: ChildProcess | null = null;
let comfyUrl = '';

test.beforeAll(async () => {
  const script = path.resolve(import.meta.dirname, '../../server/test/support/engines/comfyui.server.ts');
  // 120 ms per node and sampler step: a render takes a few seconds, so progress is visible.
  comfy = spawn(process.execPath, [script, '--port', '0', '--step-ms', '120'], { stdio: ['ignore', 'pipe', 'inherit'] });
  comfyUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    comfy!.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    comfy!.once('exit', (code) => reject(new Error(`ComfyUI test server exited (${code}): ${out}`)));
  });
});
test.afterAll(() => { comfy?.kill('SIGTERM'); });

test('add ComfyUI, test it, generate images and a caption with live progress, find them in the vault', async ({ page, browser }) => {
  test.setTimeout(300_000);
  await signUpAndVerify(page, browser, 'Cora Comfy');
  const id = await createCharacter(page, { name: 'Noa Vale', handle: 'noa.vale', age: 31, bio: 'Ceramicist and hiker in the Dolomites.', interests: ['ceramics', 'hiking'] });

  // Settings → Engines: add ComfyUI, test the connection before saving.
  await page.goto('/app/settings/engines');
  await page.getByRole('button', { name: 'Add engine' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Kind').selectOption('image');
  await dialog.getByLabel('Engine type').selectOption('comfyui');
  await dialog.getByLabel('Name').fill('Studio GPU');
  await dialog.getByLabel('URL').fill(comfyUrl);
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  const report = dialog.getByTestId('connection-report');
  await expect(report).toContainText(/reachable/i);
  await expect(report).toContainText('sd_xl_base_1.0.safetensors');
  await expectAccessible(page, 'add engine dialog with a test report');
  await dialog.getByRole('button', { name: 'Add engine' }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByTestId('engines-image').getByTestId('engine-row').filter({ hasText: 'Studio GPU' });
  await expect(row).toBeVisible();

  // Studio → Image: 2 images on ComfyUI; the progress bar moves before it reaches 100.
  await page.goto(`/app/characters/${id}/studio`);
  await page.getByRole('tab', { name: 'Image' }).click();
  const image = page.getByRole('tabpanel', { name: 'Image' });
  await image.getByRole('radio', { name: 'Image' }).check();
  await image.getByLabel('Idea').fill('throwing a bowl on the wheel, morning light');
  await image.getByLabel('How many').fill('2');
  await image.getByRole('button', { name: 'Generate', exact: true }).click();
  const gen = page.getByTestId('results-image').getByTestId('generation-card').first();
  const bar = gen.getByRole('progressbar');
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 60_000, intervals: [50] }).toBeGreaterThan(0);
  const midway = Number(await bar.getAttribute('aria-valuenow'));
  expect(midway).toBeLessThan(100);
  await expect(gen).toHaveAttribute('data-status', 'succeeded', { timeout: 120_000 });
  await expect(bar).toHaveAttribute('aria-valuenow', '100');
  await expect(gen).toContainText('Studio GPU');
  const thumbs = gen.getByTestId('generation-image');
  await expect(thumbs).toHaveCount(2);
  for (const t of await thumbs.all()) await expect(t).toHaveAttribute('data-gate', /^(approved|pending|rejected|blocked)$/, { timeout: 90_000 });
  const assetHref = await thumbs.first().getByRole('link').getAttribute('href');
  expect(assetHref).toMatch(/\/app\/vault\?open=/);

  // Caption tab: a caption (the built-in text engine; no text engine was added).
  await page.getByRole('tab', { name: 'Caption' }).click();
  const caption = page.getByRole('tabpanel', { name: 'Caption' });
  await caption.getByLabel('Idea').fill('first kiln opening of the year');
  await caption.getByRole('button', { name: 'Generate', exact: true }).click();
  const text = page.getByTestId('results-text').getByTestId('generation-card').first();
  await expect(text).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  await expect(text.getByTestId('generation-text')).not.toBeEmpty();

  // The images are in the vault, generated, with the gates' decision.
  await page.goto(assetHref!);
  const lightbox = page.getByRole('dialog');
  await expect(lightbox).toBeVisible();
  await expect(lightbox).toContainText(/Studio GPU|sd_xl_base_1\.0/);
  await expect(lightbox).toContainText(/approved|to review|pending|blocked/i);
});
