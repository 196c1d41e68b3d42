// The contract-suite harness of the Anthropic adapter (test/engines/harness.ts): an Anthropic
// Messages API test server (anthropic.server.ts) and engines on its default model, Claude Sonnet 5.
import type { EngineSettings } from '../../../src/engines/engine.ts';
import { anthropicAdapter } from '../../../src/engines/text/anthropic/anthropic.adapter.ts';
import type { TextEngine } from '../../../src/engines/text/text.ts';
import type { EngineHarness } from '../../engines/harness.ts';
import { startAnthropicServer } from './anthropic.server.ts';
import { closedPort } from './text-server-kit.ts';

export function anthropicSettings(url: string, apiKey: string | null, options: Record<string, unknown> = {}): EngineSettings {
  return { url, apiKey, options, timeoutSeconds: 30 };
}

export const anthropicHarness: EngineHarness<TextEngine> = {
  adapter: 'anthropic',
  async start() {
    const server = await startAnthropicServer();
    const unreachable = `http://127.0.0.1:${await closedPort()}`;
    return {
      engine: anthropicAdapter.create(anthropicSettings(server.url, server.apiKey)),
      engineWithBadKey: anthropicAdapter.create(anthropicSettings(server.url, 'sk-ant-wrong')),
      unreachableEngine: anthropicAdapter.create(anthropicSettings(unreachable, server.apiKey)),
      holdNext: () => server.control.holdNext(),
      failNext: (status) => server.control.failNext(status),
      requests: () => server.control.requests(),
      close: () => server.close(),
    };
  },
};
