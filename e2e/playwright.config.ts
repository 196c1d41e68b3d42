// Browser journeys in Debian's Chromium (no browser download). The server runs on its
// embedded defaults in a fresh data folder; an administrator is created first so the test
// can read verification emails from the admin outbox, as an offline install would.
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 8181);
const dataDir = path.resolve(import.meta.dirname, '.tmp/data');
export const admin = { email: 'admin@e2e.test', password: 'e2e-admin-password' };
const cli = `node ${path.resolve(import.meta.dirname, '../server/src/cli.ts')}`;

export default defineConfig({
  testDir: './tests',
  // Bounds for a loaded machine (CI must pass while other work keeps both cores busy), not targets.
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [['list'], ['json', { outputFile: '.tmp/results.json' }]] : 'list',
  use: {
    baseURL: `http://localhost:${port}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `rm -rf "${dataDir}" && ${cli} create-admin --email ${admin.email} --password ${admin.password} --name Admin && exec ${cli} start`,
    url: `http://localhost:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 240_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', AUTH_RATE_LIMIT: '500', PUBLIC_URL: `http://localhost:${port}` },
  },
});
