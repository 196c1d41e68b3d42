// Generation end to end on the real app: prompts screened before any engine is called, jobs that
// run on the fallback chain (built-in engines offline; ComfyUI and AUTOMATIC1111 test servers that
// speak their protocols), results stored in the vault through ingest with their parameters,
// credits spent up front and refunded on failure or cancel, and every engine tried recorded.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ComfyTestServer } from './support/engines/comfyui.server.ts';
import { freePort } from './support/engines/comfyui.harness.ts';
import { createTestApp, signUp, validCharacter, type TestApp, type TestUser } from './harness.ts';

let t: TestApp;
let user: TestUser;
let characterId: string;
let comfy: ComfyTestServer;
const TOKEN = 'studio-comfy-token';

const inject = (method: string, url: string, payload?: unknown, u: TestUser = user) =>
  t.app.inject({ method: method as 'GET', url, payload: payload as object, headers: { cookie: u.cookie } });

async function generate(body: Record<string, unknown>, u: TestUser = user, cid = characterId) {
  const res = await inject('POST', `/api/characters/${cid}/generations`, body, u);
  return res;
}

/** Waits for a positive signal: the generation reached a final status. */
async function finished(id: string, u: TestUser = user) {
  for (;;) {
    const g = (await inject('GET', `/api/generations/${id}`, undefined, u)).json();
    if (['succeeded', 'failed', 'cancelled'].includes(g.status)) return g;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function until<T>(fn: () => Promise<T | null | undefined | false>): Promise<T> {
  for (;;) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const balance = async (u: TestUser = user) => (await inject('GET', '/api/credits', undefined, u)).json().balance as number;

beforeAll(async () => {
  t = await createTestApp({}, { maxRetryDelaySeconds: 1 });
  user = await signUp(t, 'Creator');
  const c = await inject('POST', '/api/characters', validCharacter({
    name: 'Mia Sol', handle: 'mia.sol', persona: { traits: ['curious'], tone: 'warm', topics: ['trail running', 'coffee'], hashtagStyle: 'few', signatureHashtags: ['miaruns'], disclosureLine: 'AI-generated character.' },
  }));
  expect(c.statusCode, c.body).toBe(201);
  characterId = c.json().id;
  comfy = await ComfyTestServer.start({ bearerToken: TOKEN, stepLatencyMs: 3 });
});
afterAll(async () => { await comfy?.close(); await t?.close(); });

describe('with no engine installed', () => {
  test('captions: three different texts from the built-in engine, credits spent per text', async () => {
    const before = await balance();
    const res = await generate({ kind: 'text', task: 'caption', idea: 'sunrise run by the river', count: 3 });
    expect(res.statusCode, res.body).toBe(202);
    const items = res.json().items;
    expect(items).toHaveLength(3);
    expect(new Set(items.map((g: { batchId: string }) => g.batchId)).size).toBe(1);
    const done = await Promise.all(items.map((g: { id: string }) => finished(g.id)));
    for (const g of done) {
      expect(g.status, JSON.stringify(g)).toBe('succeeded');
      expect(g.engineAdapter).toBe('persona-template');
      expect(g.percent).toBe(100);
      expect(g.results[0].text.length).toBeGreaterThan(10);
      expect(g.results[0].hashtags[0]).toBe('miaruns'); // signature hashtag first, the persona's count
      expect(g.results[0].hashtags.length).toBeLessThanOrEqual(3);
      expect(g.results[0].disclosure).toBe('AI-generated character.');
      expect(g.attempts.at(-1)).toMatchObject({ adapter: 'persona-template', outcome: 'succeeded' });
    }
    expect(new Set(done.map((g) => g.results[0].caption)).size).toBe(3);
    expect(await balance()).toBe(before - 3);
  });

  test('a bio carries the persona disclosure line; a reply answers the comment', async () => {
    const bio = await finished((await generate({ kind: 'text', task: 'bio' })).json().items[0].id);
    expect(bio.status).toBe('succeeded');
    expect(bio.results[0].text).toContain('AI-generated character.');
    const reply = await finished((await generate({ kind: 'text', task: 'reply', replyTo: 'Where was this taken? Love it!' })).json().items[0].id);
    expect(reply.status).toBe('succeeded');
    expect(reply.results[0].text).toContain('AI-generated character.');
  });

  test('a quote card lands in the vault through ingest, with its parameters and gate outcome', async () => {
    const res = await generate({ kind: 'image', task: 'card', cardLayout: 'quote', cardText: 'Sunrise miles are the best miles.', aspect: '4:5', batch: 2 });
    expect(res.statusCode, res.body).toBe(202);
    const g = await finished(res.json().items[0].id);
    expect(g.status, JSON.stringify(g)).toBe('succeeded');
    expect(g.results).toHaveLength(2);
    for (const r of g.results) {
      const asset = await until(async () => {
        const a = (await inject('GET', `/api/assets/${r.assetId}`)).json();
        return a.status !== 'processing' && a;
      });
      expect(asset).toMatchObject({ source: 'generated', characterId, width: 1080, height: 1350 });
      expect(asset.generation).toMatchObject({ generationId: g.id, adapter: 'card-compositor', aspect: '4:5', task: 'card' });
      expect(['pending', 'approved']).toContain(asset.status); // the vault's gates decided, as for an upload
    }
  });

  test('an image needs an image engine: 409 that says how to add one, nothing charged', async () => {
    const before = await balance();
    const res = await generate({ kind: 'image', task: 'image', idea: 'portrait at the beach' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/Settings → Engines.*card/);
    expect(await balance()).toBe(before);
  });
});

describe('safety before any engine call', () => {
  test('a refused idea is a 422 naming the terms, recorded, with nothing queued or charged', async () => {
    const before = await balance();
    const listBefore = (await inject('GET', `/api/generations?characterId=${characterId}&limit=100`)).json().items.length;
    const res = await generate({ kind: 'text', task: 'caption', idea: 'nude schoolgirl' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('unsafe_prompt');
    expect((await inject('GET', `/api/generations?characterId=${characterId}&limit=100`)).json().items.length).toBe(listBefore);
    expect(await balance()).toBe(before);
    const blocks = await t.ctx.repos.safetyBlocks.list({ userId: user.id, limit: 5 });
    expect(blocks[0]).toMatchObject({ source: 'generation.create' });
    const img = await generate({ kind: 'image', task: 'card', cardText: 'lingerie for 15 year olds' });
    expect(img.statusCode).toBe(422);
  });

  test('a negative prompt may not steer away from adults', async () => {
    const res = await generate({ kind: 'image', task: 'card', negativePrompt: 'adult, mature' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/every character is generated as an adult/);
  });
});

describe('engines added by URL', () => {
  let comfyId: string;
  let deadId: string;

  beforeAll(async () => {
    const dead = await inject('POST', '/api/engines', { kind: 'image', adapter: 'a1111', name: 'Old Forge box', url: `http://127.0.0.1:${await freePort()}`, timeoutSeconds: 5 });
    expect(dead.statusCode, dead.body).toBe(201);
    deadId = dead.json().id;
    const ok = await inject('POST', '/api/engines', { kind: 'image', adapter: 'comfyui', name: 'GPU box', url: comfy.url, apiKey: TOKEN });
    expect(ok.statusCode, ok.body).toBe(201);
    comfyId = ok.json().id;
    expect(ok.json()).toMatchObject({ hasApiKey: true, priority: 1 });
    expect(ok.body).not.toContain(TOKEN);
  });

  test('test connection reports what the engine has', async () => {
    const r = (await inject('POST', `/api/engines/${comfyId}/test`)).json();
    expect(r).toMatchObject({ ok: true, reachable: true });
    expect(r.models).toContain('sd_xl_base_1.0.safetensors');
    const dead = (await inject('POST', `/api/engines/${deadId}/test`)).json();
    expect(dead).toMatchObject({ ok: false, reachable: false });
    const list = (await inject('GET', '/api/engines')).json();
    expect(list.items.find((e: { id: string }) => e.id === comfyId).lastTest.ok).toBe(true);
    expect(list.items.filter((e: { builtIn: boolean }) => e.builtIn).map((e: { adapter: string }) => e.adapter).sort()).toEqual(['card-compositor', 'persona-template']);
  });

  test('fallback: the first engine is down, the second makes the images, and the job records why', async () => {
    const res = await generate({ kind: 'image', task: 'image', idea: 'coffee at a window seat', aspect: '1:1', batch: 2, styles: [] });
    expect(res.statusCode, res.body).toBe(202);
    const g = await finished(res.json().items[0].id);
    expect(g.status, JSON.stringify(g)).toBe('succeeded');
    expect(g).toMatchObject({ engineConfigId: comfyId, engineAdapter: 'comfyui', engineName: 'GPU box', model: 'sd_xl_base_1.0.safetensors' });
    expect(g.attempts[0]).toMatchObject({ engineConfigId: deadId, outcome: 'unreachable' });
    expect(g.attempts.at(-1)).toMatchObject({ engineConfigId: comfyId, outcome: 'succeeded' });
    expect(g.results).toHaveLength(2);
    const asset = await until(async () => { const a = (await inject('GET', `/api/assets/${g.results[0].assetId}`)).json(); return a.status !== 'processing' && a; });
    expect(asset.generation).toMatchObject({ engine: 'GPU box', adapter: 'comfyui', workflow: { id: 'sdxl-txt2img', version: 1 }, seed: g.params.seed });
    expect(asset.prompt).toContain('coffee at a window seat');
    const png = (await t.app.inject({ method: 'GET', url: `/api/assets/${g.results[0].assetId}/original`, headers: { cookie: user.cookie } })).rawPayload;
    expect((await sharp(png).metadata()).width).toBe(1024);
    // The prompt the engine got is the screened one, negative prompt included.
    const sent = JSON.stringify(comfy.requests().filter((r) => r.path.startsWith('/prompt') || r.path.startsWith('/api/prompt')).at(-1)?.body);
    expect(sent).toContain('coffee at a window seat');
    expect(sent).toContain('childlike');
  });

  test('an engine that stays unreachable: retried, then failed for good with the reason; credits refunded', async () => {
    const before = await balance();
    const res = await generate({ kind: 'image', task: 'image', idea: 'only the dead box', engineId: deadId });
    expect(res.statusCode, res.body).toBe(202);
    const g = await finished(res.json().items[0].id);
    expect(g.status).toBe('failed');
    expect(g.error).toMatch(/Gave up after several tries/);
    expect(g.error).toMatch(/Old Forge box/);
    expect(g.actions).toEqual(['regenerate']);
    expect(await balance()).toBe(before);
  });

  test('cancel reaches the engine, ends the generation and refunds its credits', async () => {
    const before = await balance();
    const held = comfy.holdNext();
    const res = await generate({ kind: 'image', task: 'image', idea: 'held for cancel', aspect: '1:1', batch: 1, engineId: comfyId });
    const id = res.json().items[0].id;
    expect(await balance()).toBe(before - 2);
    await held.started;
    const running = await until(async () => { const g = (await inject('GET', `/api/generations/${id}`)).json(); return g.status === 'running' && g; });
    expect(running.actions).toContain('cancel');
    const c = await inject('POST', `/api/generations/${id}/cancel`);
    expect(c.statusCode, c.body).toBe(200);
    expect(await held.stopped).toBe(true);
    const g = await finished(id);
    expect(g.status).toBe('cancelled');
    expect(g.actions).toEqual(['regenerate']);
    expect(await balance()).toBe(before);
    expect((await inject('POST', `/api/generations/${id}/cancel`)).statusCode).toBe(409);
  });

  test("the engine's own reason, per node, when it refuses the work; credits refunded", async () => {
    const before = await balance();
    const put = await inject('PUT', `/api/characters/${characterId}/generation-settings`, { text: {}, image: { checkpoint: 'missing_model.safetensors' } });
    expect(put.statusCode, put.body).toBe(200);
    const res = await generate({ kind: 'image', task: 'image', idea: 'with a missing checkpoint', engineId: comfyId });
    const g = await finished(res.json().items[0].id);
    await inject('PUT', `/api/characters/${characterId}/generation-settings`, { text: {}, image: {} });
    expect(g.status).toBe('failed');
    expect(g.error).toMatch(/GPU box/);
    expect(g.errorDetails?.[0]).toMatchObject({ classType: 'CheckpointLoaderSimple' });
    expect(JSON.stringify(g.errorDetails)).toContain('missing_model.safetensors');
    expect(await balance()).toBe(before);
    expect(g.actions).toEqual(['regenerate']);
  });

  test('regenerate and vary reuse the stored parameters', async () => {
    const first = await finished((await generate({ kind: 'image', task: 'image', idea: 'lighthouse walk', engineId: comfyId, seed: 4242 })).json().items[0].id);
    expect(first.status).toBe('succeeded');
    expect(first.actions).toEqual(['regenerate', 'vary']);
    const again = await finished((await inject('POST', `/api/generations/${first.id}/regenerate`)).json().items[0].id);
    expect(again.status).toBe('succeeded');
    expect(again.prompt).toBe(first.prompt);
    expect(again.params.seed).not.toBe(4242);
    const varied = await inject('POST', `/api/generations/${first.id}/vary`, { strength: 0.4 });
    expect(varied.statusCode, varied.body).toBe(202);
    const v = await finished(varied.json().items[0].id);
    // The default text-to-image workflow cannot start from an image; the engine says so.
    expect(['succeeded', 'failed']).toContain(v.status);
    expect(v.params.init).toMatchObject({ assetId: first.results[0].assetId, strength: 0.4 });
  });

  test('an uploaded ComfyUI workflow: checked, mapped, versioned, and run by name', async () => {
    const shipped = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../src/engines/image/comfyui/workflows/sdxl-txt2img.v1.json'), 'utf8'));
    const graph = structuredClone(shipped.graph);
    graph['99'] = { class_type: 'CLIPTextEncode', inputs: { text: 'user-flow-marker', clip: ['1', 1] } }; // an extra node only this workflow has
    const ui = await inject('POST', '/api/workflows/suggest', { graph: { nodes: [{ id: 1, type: 'KSampler' }], links: [] } });
    expect(ui.json().ok).toBe(false);
    expect(ui.json().errors.join(' ')).toMatch(/API format/);
    const sug = (await inject('POST', '/api/workflows/suggest', { graph })).json();
    expect(sug.ok).toBe(true);
    expect(sug.suggestion.bindings.prompt).toBeTruthy();
    expect(sug.suggestion.output).toBe(shipped.output);
    const body = { slug: 'my-flow', title: 'My flow', graph, bindings: sug.suggestion.bindings, output: sug.suggestion.output };
    const v1 = await inject('POST', '/api/workflows', body);
    expect(v1.statusCode, v1.body).toBe(201);
    expect(v1.json()).toMatchObject({ slug: 'my-flow', version: 1, builtIn: false });
    expect((await inject('POST', '/api/workflows', body)).json().version).toBe(2);
    expect((await inject('POST', '/api/workflows', { ...body, slug: 'sdxl-txt2img' })).statusCode).toBe(409);
    const bad = await inject('POST', '/api/workflows', { ...body, slug: 'broken', bindings: { prompt: { node: '404', input: 'text' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/404/);
    const list = (await inject('GET', '/api/workflows')).json().items;
    expect(list.map((w: { slug: string }) => w.slug)).toEqual(expect.arrayContaining(['sdxl-txt2img', 'face-instantid', 'my-flow']));
    await inject('PUT', `/api/characters/${characterId}/generation-settings`, { text: {}, image: { workflow: 'my-flow' } });
    try {
      const g = await finished((await generate({ kind: 'image', task: 'image', idea: 'uploaded workflow run', engineId: comfyId })).json().items[0].id);
      expect(g.status, JSON.stringify(g)).toBe('succeeded');
      const sent = JSON.stringify(comfy.requests().filter((r) => /^\/(api\/)?prompt$/.test(r.path) && r.method === 'POST').at(-1)?.body);
      expect(sent).toContain('user-flow-marker');
      expect(sent).toContain('uploaded workflow run');
      const asset = (await inject('GET', `/api/assets/${g.results[0].assetId}`)).json();
      expect(asset.generation.workflow).toEqual({ id: 'my-flow', version: 2 });
    } finally {
      await inject('PUT', `/api/characters/${characterId}/generation-settings`, { text: {}, image: {} });
    }
    expect((await inject('DELETE', '/api/workflows/my-flow')).statusCode).toBe(200);
    expect((await inject('DELETE', '/api/workflows/my-flow')).statusCode).toBe(404);
  });

  test('usage per engine: calls, success rate, median time', async () => {
    const u = (await inject('GET', '/api/usage?days=1')).json();
    const gpu = u.engines.find((e: { engineConfigId: string | null }) => e.engineConfigId === comfyId);
    expect(gpu.calls).toBeGreaterThanOrEqual(3);
    expect(gpu.succeeded).toBeGreaterThanOrEqual(2);
    expect(gpu.successRate).toBeGreaterThan(0);
    expect(gpu.medianSeconds).toBeGreaterThan(0);
    const dead = u.engines.find((e: { engineConfigId: string | null }) => e.engineConfigId === deadId);
    expect(dead.failed).toBeGreaterThanOrEqual(1);
    expect(u.characters.some((c: { characterId: string }) => c.characterId === characterId)).toBe(true);
  });
});

describe('credits', () => {
  test('a generation the balance cannot cover is refused up front with 402; nothing is queued', async () => {
    const poor = await signUp(t, 'Poor');
    const c = (await inject('POST', '/api/characters', validCharacter(), poor)).json();
    const cur = await t.ctx.settings.get('credits');
    await t.ctx.settings.set('credits', { ...cur, monthlyAllowance: 5 });
    try {
      const res = await generate({ kind: 'image', task: 'card', batch: 8 }, poor, c.id);
      expect(res.statusCode).toBe(402);
      expect(res.json().error).toMatchObject({ code: 'insufficient_credits', details: { needed: 16, balance: 5 } });
      expect((await inject('GET', '/api/generations', undefined, poor)).json().items).toHaveLength(0);
      const ok = await generate({ kind: 'image', task: 'card', batch: 2 }, poor, c.id);
      expect(ok.statusCode).toBe(202);
      expect(await balance(poor)).toBe(1);
    } finally {
      await t.ctx.settings.set('credits', cur);
    }
  });
});

test("another user's generations and engines answer 404", async () => {
  const other = await signUp(t, 'Other');
  const mine = (await inject('GET', `/api/generations?characterId=${characterId}&limit=1`)).json().items[0];
  expect((await inject('GET', `/api/generations/${mine.id}`, undefined, other)).statusCode).toBe(404);
  expect((await inject('POST', `/api/generations/${mine.id}/cancel`, undefined, other)).statusCode).toBe(404);
  expect((await inject('GET', '/api/generations', undefined, other)).json().items).toHaveLength(0);
  expect((await generate({ kind: 'text', task: 'caption' }, other)).statusCode).toBe(404);
  const eng = (await inject('GET', '/api/engines')).json().items.find((e: { builtIn: boolean }) => !e.builtIn);
  expect((await inject('POST', `/api/engines/${eng.id}/test`, undefined, other)).statusCode).toBe(404);
  expect((await inject('PATCH', `/api/engines/${eng.id}`, { name: 'mine now' }, other)).statusCode).toBe(404);
});
