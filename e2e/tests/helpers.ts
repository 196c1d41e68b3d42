import AxeBuilder from '@axe-core/playwright';
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

/** Registers a new account, verifies it through the outbox link and lands on the dashboard. */
export async function signUpVerified(page: Page, browser: Browser, name: string, email: string, password: string) {
  await page.goto('/register');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/check-email/);
  await page.goto(await verificationLinkFromOutbox(browser, email));
  await page.getByRole('link', { name: 'Continue to dashboard' }).click();
  await expect(page).toHaveURL(/\/app$/);
}
