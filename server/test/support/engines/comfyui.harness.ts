// The ComfyUI adapter's harness for the shared contract suites: a local ComfyUI test server (behind a
// bearer token, as a proxy would put it) and engines pointed at it — with the right key, a wrong
// key, and at a port nothing listens on.
import net from 'node:net';
import { ComfyUIImageEngine } from '../../../src/engines/image/comfyui/comfyui.adapter.ts';
import type { EngineSettings } from '../../../src/engines/engine.ts';
import type { ImageEngine } from '../../../src/engines/image/image.ts';
import type { EngineHarness, HarnessInstance } from '../../engines/harness.ts';
import { ComfyTestServer, type ComfyServerOptions } from './comfyui.server.ts';

const TOKEN = 'comfyui-test-token';

/** A port that was free a moment ago (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Starts a test server and builds the harness instance around it (options for adapter tests). */
export async function startComfyHarness(serverOptions: ComfyServerOptions = {}, engineOptions: Record<string, unknown> = {}): Promise<HarnessInstance<ImageEngine> & { server: ComfyTestServer }> {
  const server = await ComfyTestServer.start({ bearerToken: TOKEN, stepLatencyMs: 2, ...serverOptions });
  const settings: EngineSettings = { url: server.url, apiKey: TOKEN, options: engineOptions, timeoutSeconds: 10 };
  const extras = { pollIntervalMs: 50 };
  const port = await freePort();
  return {
    server,
    engine: new ComfyUIImageEngine(settings, extras),
    engineWithBadKey: new ComfyUIImageEngine({ ...settings, apiKey: 'not-the-token' }, extras),
    unreachableEngine: new ComfyUIImageEngine({ ...settings, url: `http://127.0.0.1:${port}` }, extras),
    holdNext: () => {
      const held = server.holdNext();
      return { started: held.started, release: held.release, stopped: held.stopped };
    },
    failNext: (status) => server.failNext(status),
    requests: () => server.requests(),
    close: () => server.close(),
  };
}

export const comfyuiHarness: EngineHarness<ImageEngine> = {
  adapter: 'comfyui',
  start: () => startComfyHarness(),
};
