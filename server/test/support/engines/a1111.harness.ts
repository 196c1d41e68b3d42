// The contract-suite harness for the AUTOMATIC1111 / Forge adapter: a local A1111 API
// (a1111.server.ts) started with `--api-auth`, and engines built through the adapter definition
// the way the app builds them (the correct credentials, wrong ones, and a closed port).
import { a1111Adapter } from '../../../src/engines/image/a1111/a1111.adapter.ts';
import type { EngineSettings } from '../../../src/engines/engine.ts';
import type { ImageEngine } from '../../../src/engines/image/image.ts';
import type { EngineHarness, HarnessInstance } from '../../engines/harness.ts';
import { startA1111Server, type A1111ServerOptions } from './a1111.server.ts';
import { closedPort } from './image-apis.kit.ts';

export const A1111_TEST_AUTH = 'studio:correct-horse';

export interface A1111HarnessOptions {
  /** Adapter options (checkpoint, sampler, steps, cfg, lora). */
  options?: Record<string, unknown>;
  server?: A1111ServerOptions;
}

function settings(url: string, apiKey: string | null, options: Record<string, unknown>): EngineSettings {
  return { url, apiKey, options: a1111Adapter.options.parse(options), timeoutSeconds: 30 };
}

export async function startA1111Harness(opts: A1111HarnessOptions = {}): Promise<HarnessInstance<ImageEngine>> {
  const server = await startA1111Server({ auth: A1111_TEST_AUTH, ...opts.server });
  const options = opts.options ?? {};
  const nowhere = `http://127.0.0.1:${await closedPort()}`;
  return {
    engine: a1111Adapter.create(settings(server.url, A1111_TEST_AUTH, options)),
    engineWithBadKey: a1111Adapter.create(settings(server.url, 'studio:wrong-password', options)),
    unreachableEngine: a1111Adapter.create(settings(nowhere, A1111_TEST_AUTH, options)),
    holdNext: () => server.holdNext(),
    failNext: (status: number) => server.failNext(status),
    requests: () => server.requests(),
    close: () => server.close(),
  };
}

export const a1111Harness: EngineHarness<ImageEngine> = {
  adapter: a1111Adapter.adapter,
  start: () => startA1111Harness(),
};
