import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Bounds for a loaded machine (CI runs while other work keeps both cores busy), not targets:
    // timing goals live in bench/.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // Memory tests (uploads.test.ts) collect garbage before they read the RSS, so they measure
    // what is held, not what the collector has not got round to yet.
    execArgv: ['--expose-gc'],
    maxWorkers: 2,
    reporters: ['default'],
  },
});
