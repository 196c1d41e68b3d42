import AxeBuilder from '@axe-core/playwright';
import sharp from 'sharp';
import { expect, type Browser, type Page } from '@playwright/test';
import { admin } from '../playwright.config.ts';

export { admin };

/** WCAG 2.x A/AA scan; serious and critical findings fail the test with a readable list. */
export async function expectAccessible(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.help} → ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`), `axe on ${label}`).toEqual([]);
}

export async function logIn(page: Page, email: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/app/);
}

/** Reads the newest verification link sent to `email` from the admin outbox, in its own browser context. */
export async function verificationLinkFromOutbox(browser: Browser, email: string): Promise<string> {
  const ctx = await browser.newContext({ reducedMotion: 'reduce' });
  const page = await ctx.newPage();
  try {
    await logIn(page, admin.email, admin.password);
    await page.goto('/app/admin/outbox');
    const mail = page.getByTestId('outbox-email').filter({ hasText: email }).first();
    await expect(mail).toBeVisible();
    const href = await mail.getByRole('link', { name: /Open link/ }).getAttribute('href');
    expect(href).toMatch(/\/verify-email\?token=/);
    return href!;
  } finally {
    await ctx.close();
  }
}

/** A new verified account, signed in on `page` (each test gets its own data unless it names the address). */
export async function signUpAndVerify(page: Page, browser: Browser, name: string, creds: { email?: string; password?: string } = {}) {
  const email = creds.email ?? `${name.toLowerCase().replace(/[^a-z]+/g, '-')}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@e2e.test`;
  const password = creds.password ?? 'a-strong-password';
  await page.goto('/register');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/check-email/);
  await page.goto(await verificationLinkFromOutbox(browser, email));
  await page.getByRole('link', { name: 'Continue to dashboard' }).click();
  await expect(page).toHaveURL(/\/app$/);
  return { email, password };
}

/** Creates a character through the API with the page's session; returns its id. */
export async function createCharacter(page: Page, body: Record<string, unknown>) {
  const res = await page.request.post('/api/characters', { data: body });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** A small PNG with a gradient (distinct per seed, so uploads are not duplicates). */
export function testPng(seed: number, width = 320, height = 240) {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([(seed * 53 + x) % 256, (seed * 97 + y) % 256, (seed * 31 + x + y) % 256], (y * width + x) * 3);
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Uploads an image to the vault through the API with the page's session; returns its id. */
export async function uploadAsset(page: Page, name: string, seed: number, characterId?: string) {
  const res = await page.request.post('/api/assets', {
    multipart: { ...(characterId ? { characterId } : {}), files: { name, mimeType: 'image/png', buffer: await testPng(seed) } },
  });
  expect(res.status(), await res.text()).toBeLessThan(300);
  return ((await res.json()) as { items: { id: string }[] }).items[0]!.id;
}
