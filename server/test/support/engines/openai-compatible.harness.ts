// The contract-suite harness of the OpenAI-compatible adapter (test/engines/harness.ts): an
// OpenAI-compatible test server (openai-compatible.server.ts) with full json_schema support and
// Bearer auth, as vLLM started with --api-key.
import type { EngineSettings } from '../../../src/engines/engine.ts';
import { openaiCompatibleAdapter } from '../../../src/engines/text/openai-compatible/openai-compatible.adapter.ts';
import type { TextEngine } from '../../../src/engines/text/text.ts';
import type { EngineHarness } from '../../engines/harness.ts';
import { startOpenAiCompatibleServer } from './openai-compatible.server.ts';
import { closedPort } from './text-server-kit.ts';

const KEY = 'sk-test-key';

export function openAiSettings(url: string, apiKey: string | null, options: Record<string, unknown> = {}): EngineSettings {
  return { url, apiKey, options: { model: 'test-model', ...options }, timeoutSeconds: 30 };
}

export const openaiCompatibleHarness: EngineHarness<TextEngine> = {
  adapter: 'openai-compatible',
  async start() {
    const server = await startOpenAiCompatibleServer({ apiKey: KEY });
    const unreachable = `http://127.0.0.1:${await closedPort()}/v1`;
    return {
      engine: openaiCompatibleAdapter.create(openAiSettings(server.url, KEY)),
      engineWithBadKey: openaiCompatibleAdapter.create(openAiSettings(server.url, 'sk-wrong')),
      unreachableEngine: openaiCompatibleAdapter.create(openAiSettings(unreachable, KEY)),
      holdNext: () => server.control.holdNext(),
      failNext: (status) => server.control.failNext(status),
      requests: () => server.control.requests(),
      close: () => server.close(),
    };
  },
};
