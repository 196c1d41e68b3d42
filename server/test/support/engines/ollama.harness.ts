// The contract-suite harness of the Ollama adapter (test/engines/harness.ts): an Ollama test
// server (ollama.server.ts) behind a proxy key, so a wrong key is refused as a proxy would.
import type { EngineSettings } from '../../../src/engines/engine.ts';
import { ollamaAdapter } from '../../../src/engines/text/ollama/ollama.adapter.ts';
import type { TextEngine } from '../../../src/engines/text/text.ts';
import type { EngineHarness } from '../../engines/harness.ts';
import { startOllamaServer } from './ollama.server.ts';
import { closedPort } from './text-server-kit.ts';

const KEY = 'ollama-proxy-key';

export function ollamaSettings(url: string, apiKey: string | null, options: Record<string, unknown> = {}): EngineSettings {
  return { url, apiKey, options: { model: 'llama3.2', ...options }, timeoutSeconds: 30 };
}

export const ollamaHarness: EngineHarness<TextEngine> = {
  adapter: 'ollama',
  async start() {
    const server = await startOllamaServer({ apiKey: KEY });
    const unreachable = `http://127.0.0.1:${await closedPort()}`;
    return {
      engine: ollamaAdapter.create(ollamaSettings(server.url, KEY)),
      engineWithBadKey: ollamaAdapter.create(ollamaSettings(server.url, 'wrong-key')),
      unreachableEngine: ollamaAdapter.create(ollamaSettings(unreachable, KEY)),
      holdNext: () => server.control.holdNext(),
      failNext: (status) => server.control.failNext(status),
      requests: () => server.control.requests(),
      close: () => server.close(),
    };
  },
};
