// kill -9 while an engine renders: the studio is killed after ComfyUI accepted the prompt, then
// started again. The generation is not lost and not rendered twice: the re-run finds the prompt id
// the first run checkpointed, follows the same prompt at ComfyUI (one POST /prompt in all) and
// stores its images. Real processes, real database, a ComfyUI test server speaking its protocol.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { api, children, cliEnv, run, start } from './support/cli.ts';
import { serverDatabase } from './support/databases.ts';
import { ComfyTestServer } from './support/engines/comfyui.server.ts';

const serverUrl = process.env.DATABASE_URL;
let tmp: string;
let database: { url: string; drop(): Promise<void> } | null = null;
let comfy: ComfyTestServer;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ainfluencer-gen-crash-'));
  if (serverUrl) database = await serverDatabase('ainf_gencrash');
  comfy = await ComfyTestServer.start({ stepLatencyMs: 5 });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await comfy?.close();
  await database?.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const env = (dataDir: string) => cliEnv(dataDir, {
  LOG_LEVEL: 'info', AUTH_RATE_LIMIT: '1000',
  ...(database ? { DATABASE_URL: database.url, AUTH_SECRET: 'c'.repeat(40) } : {}),
});

const promptPosts = () => comfy.requests().filter((r) => r.method === 'POST' && /^\/(api\/)?prompt$/.test(r.path)).length;

test('after kill -9 mid-render the restarted studio picks the same ComfyUI prompt up and stores its images', async () => {
  const dataDir = path.join(tmp, 'studio');
  const admin = await run(['create-admin', '--email', 'gen@example.com', '--password', 'gen-password'], env(dataDir));
  expect(admin.code, admin.stderr).toBe(0);

  let app = await start([], env(dataDir), 120_000);
  let cookie = (await api(app.base, 'POST', '/api/auth/login', { body: { email: 'gen@example.com', password: 'gen-password' } })).cookie;
  const character = (await api(app.base, 'POST', '/api/characters', { cookie, body: { name: 'Crash Cleo', handle: 'crash_cleo', age: 30, bio: 'Test' } })).json;
  const engine = (await api(app.base, 'POST', '/api/engines', { cookie, body: { kind: 'image', adapter: 'comfyui', name: 'Render box', url: comfy.url } })).json;
  expect(engine.id, JSON.stringify(engine)).toBeTruthy();

  const held = comfy.holdNext();
  const created = await api(app.base, 'POST', `/api/characters/${character.id}/generations`, { cookie, body: { kind: 'image', idea: 'night market lights', aspect: '1:1', batch: 2, engineId: engine.id } });
  expect(created.status, JSON.stringify(created.json)).toBe(202);
  const id = created.json.items[0].id as string;
  await held.started;
  // Sampling progress reached the record: the prompt id was checkpointed before it (the adapter
  // saves it as soon as ComfyUI accepted the prompt).
  for (;;) {
    const g = (await api(app.base, 'GET', `/api/generations/${id}`, { cookie })).json;
    if (g.status === 'running' && g.percent > 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(promptPosts()).toBe(1);
  const killed = await app.stop('SIGKILL');
  expect(killed.signal).toBe('SIGKILL');

  app = await start([], env(dataDir), 120_000);
  cookie = (await api(app.base, 'POST', '/api/auth/login', { body: { email: 'gen@example.com', password: 'gen-password' } })).cookie;
  expect((await api(app.base, 'GET', `/api/generations/${id}`, { cookie })).json.status).toBe('running');
  held.release(); // the engine finishes the prompt while the new process follows it

  let g: { status: string; results: Array<{ assetId: string }>; error: string | null; attempts: unknown[] };
  const until = Date.now() + 150_000;
  for (;;) {
    g = (await api(app.base, 'GET', `/api/generations/${id}`, { cookie })).json;
    if (['succeeded', 'failed', 'cancelled'].includes(g.status) || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(g.status, JSON.stringify(g)).toBe('succeeded');
  expect(g.results).toHaveLength(2);
  expect(promptPosts(), 'the prompt was followed again, not queued a second time').toBe(1);
  for (const r of g.results) expect((await api(app.base, 'GET', `/api/assets/${r.assetId}`, { cookie })).status).toBe(200);
  const stopped = await app.stop('SIGTERM');
  expect(stopped.code).toBe(0);
}, 360_000);
