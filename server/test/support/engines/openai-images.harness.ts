// The contract-suite harness for the OpenAI Images adapter: a local OpenAI Images API
// (openai-images.server.ts) that checks the bearer key, and engines built through the adapter
// definition (the right key, a wrong one, and a closed port). A held call's `stopped` resolves
// true once the server saw the client close the held request (OpenAI has no cancel of its own).
import type { EngineSettings } from '../../../src/engines/engine.ts';
import type { ImageEngine } from '../../../src/engines/image/image.ts';
import { openaiImagesAdapter } from '../../../src/engines/image/openai-images/openai-images.adapter.ts';
import type { EngineHarness, HarnessInstance } from '../../engines/harness.ts';
import { closedPort } from './image-apis.kit.ts';
import { startOpenAIImagesServer, type OpenAIImagesServerOptions } from './openai-images.server.ts';

export const OPENAI_TEST_KEY = 'sk-test-studio-0123456789abcdef';

export interface OpenAIImagesHarnessOptions {
  /** Adapter options (model, quality, usdPerImage). */
  options?: Record<string, unknown>;
  server?: OpenAIImagesServerOptions;
}

function settings(url: string, apiKey: string, options: Record<string, unknown>): EngineSettings {
  return { url, apiKey, options: openaiImagesAdapter.options.parse(options), timeoutSeconds: 30 };
}

export async function startOpenAIImagesHarness(opts: OpenAIImagesHarnessOptions = {}): Promise<HarnessInstance<ImageEngine>> {
  const server = await startOpenAIImagesServer({ apiKey: OPENAI_TEST_KEY, ...opts.server });
  const options = opts.options ?? {};
  const nowhere = `http://127.0.0.1:${await closedPort()}/v1`;
  return {
    engine: openaiImagesAdapter.create(settings(server.url, OPENAI_TEST_KEY, options)),
    engineWithBadKey: openaiImagesAdapter.create(settings(server.url, 'sk-wrong-key-00000000', options)),
    unreachableEngine: openaiImagesAdapter.create(settings(nowhere, OPENAI_TEST_KEY, options)),
    holdNext: () => server.holdNext(),
    failNext: (status: number) => server.failNext(status),
    requests: () => server.requests(),
    close: () => server.close(),
  };
}

export const openaiImagesHarness: EngineHarness<ImageEngine> = {
  adapter: openaiImagesAdapter.adapter,
  start: () => startOpenAIImagesHarness(),
};
