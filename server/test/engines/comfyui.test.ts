// The ComfyUI image adapter against the local ComfyUI test server (test/support/engines/
// comfyui.server.ts, which follows ComfyUI's server.py / execution.py / main.py): live progress,
// the polling fallback, ComfyUI's validation and execution errors, reference-face uploads, cancel
// (queued and running), resume, auth, no Origin header; and the pure workflow functions (graph
// validation, suggested bindings, applying bindings) on the shipped templates and hand-made graphs.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineError, type EngineProgress, type RunContext } from '../../src/engines/engine.ts';
import type { ImageRequest } from '../../src/engines/image/image.ts';
import { applyBindings, suggestBindings, WorkflowBindingError } from '../../src/engines/image/comfyui/bindings.ts';
import { comfyuiAdapter, ComfyUIImageEngine } from '../../src/engines/image/comfyui/comfyui.adapter.ts';
import { authorizationHeader } from '../../src/engines/image/comfyui/comfyui.client.ts';
import { validateWorkflowGraph, type ApiGraph } from '../../src/engines/image/comfyui/workflow-graph.ts';
import { validateTemplate, type WorkflowTemplate } from '../../src/engines/image/comfyui/workflow-template.ts';
import { getTemplate, listTemplates, parseTemplateFile, templateFiles } from '../../src/engines/image/comfyui/workflows.ts';
import { startComfyHarness } from '../support/engines/comfyui.harness.ts';
import { ComfyTestServer, type ComfyServerOptions } from '../support/engines/comfyui.server.ts';

type Harness = Awaited<ReturnType<typeof startComfyHarness>>;
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function harness(serverOptions: ComfyServerOptions = {}, engineOptions: Record<string, unknown> = {}): Promise<Harness> {
  const h = await startComfyHarness(serverOptions, engineOptions);
  open.push(h);
  return h;
}

async function png(colour: string, width = 64, height = 64): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } }).png().toBuffer();
}

function request(over: Partial<ImageRequest> = {}): ImageRequest {
  return {
    prompt: 'Mia on a rooftop at golden hour', negativePrompt: 'blurry, extra fingers', width: 512, height: 768, aspect: '4:5', seed: 1234,
    batch: 1, steps: 12, referenceFaces: [], card: { layout: 'quote', text: '', attribution: '', photo: null, style: null }, ...over,
  };
}

interface Run {
  ctx: RunContext;
  progress: EngineProgress[];
  checkpoints: Array<Record<string, unknown>>;
  controller: AbortController;
}
function run(resumeState: Record<string, unknown> | null = null): Run {
  const controller = new AbortController();
  const progress: EngineProgress[] = [];
  const checkpoints: Array<Record<string, unknown>> = [];
  return {
    controller, progress, checkpoints,
    ctx: { signal: controller.signal, progress: (p) => progress.push(p), checkpoint: async (s) => { checkpoints.push(s); }, resumeState },
  };
}

async function rejection(p: Promise<unknown>): Promise<EngineError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(EngineError);
  return err as EngineError;
}

const posts = (h: Harness, path: string) => h.requests().filter((r) => r.method === 'POST' && r.path.replace(/^\/api/, '') === path);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('ComfyUI adapter: generating', () => {
  it('follows the websocket: progress rises through the stages and ends at 100, images are PNGs of the asked size', async () => {
    const h = await harness();
    const r = run();
    const result = await h.engine.generate(request({ batch: 2 }), r.ctx);

    expect(result.images).toHaveLength(2);
    for (const img of result.images) {
      expect(img.mime).toBe('image/png');
      const meta = await sharp(img.data).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 512, 768]);
    }
    expect(result.images.map((i) => i.seed)).toEqual([1234, null]);
    expect(result.model).toBe('sd_xl_base_1.0.safetensors');
    expect(result.workflow).toEqual({ id: 'sdxl-txt2img', version: 1 });
    expect(result.info.promptId).toMatch(UUID);

    const percents = r.progress.map((p) => p.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    const sampling = r.progress.filter((p) => p.stage === 'sampling').map((p) => p.percent);
    expect(new Set(sampling).size).toBeGreaterThan(5);
    expect(r.progress.map((p) => p.stage)).toEqual(expect.arrayContaining(['loading model', 'encoding prompt', 'sampling', 'decoding', 'saving']));
    expect(r.progress.at(-1)).toEqual({ percent: 100, stage: 'done' });

    // Queued with a prompt id of ours, on the websocket's client id, checkpointed once queued.
    const [post] = posts(h, '/prompt');
    const body = post.body as { prompt_id: string; client_id: string; prompt: ApiGraph };
    expect(body.prompt_id).toMatch(UUID);
    expect(r.checkpoints).toEqual([expect.objectContaining({ promptId: body.prompt_id, clientId: body.client_id })]);
    expect(h.requests().some((q) => q.path === `/ws?clientId=${body.client_id}`)).toBe(true);
    // No LoRA asked for: the template's LoRA loader is left out and its consumers rewired.
    expect(Object.values(body.prompt).map((n) => n.class_type)).not.toContain('LoraLoader');
    expect(body.prompt['6'].inputs).toMatchObject({ seed: 1234, steps: 12, model: ['1', 0] });
    expect(body.prompt['3'].inputs).toMatchObject({ text: 'Mia on a rooftop at golden hour', clip: ['1', 1] });
  });

  it('gives different seeds different images and reuses ComfyUI\'s cache for an identical prompt', async () => {
    const h = await harness();
    const a = await h.engine.generate(request({ seed: 1 }), run().ctx);
    const b = await h.engine.generate(request({ seed: 2 }), run().ctx);
    const stats = async (buf: Buffer) => (await sharp(buf).stats()).channels.map((c) => Math.round(c.mean));
    expect(await stats(a.images[0].data)).not.toEqual(await stats(b.images[0].data));

    const again = run();
    const c = await h.engine.generate(request({ seed: 2 }), again.ctx);
    expect(c.images[0].data.equals(b.images[0].data)).toBe(true);
    // Every node came from the cache: progress jumps straight to the end of the graph.
    expect(again.progress.some((p) => p.percent >= 90 && p.stage === 'starting')).toBe(true);
  });

  it('applies the LoRA, checkpoint and sampler controls from the request over the engine options', async () => {
    const h = await harness({}, { checkpoint: 'realvisxlV50_v50Bakedvae.safetensors', steps: 20, sampler: 'euler' });
    const result = await h.engine.generate(request({ lora: { name: 'mia-sol-v2.safetensors', weight: 0.7 }, cfg: 5, sampler: 'dpmpp_2m_sde' }), run().ctx);
    const prompt = (posts(h, '/prompt')[0].body as { prompt: ApiGraph }).prompt;
    expect(prompt['1'].inputs.ckpt_name).toBe('realvisxlV50_v50Bakedvae.safetensors');
    expect(prompt['2'].inputs).toMatchObject({ lora_name: 'mia-sol-v2.safetensors', strength_model: 0.7, strength_clip: 0.7 });
    expect(prompt['6'].inputs).toMatchObject({ steps: 12, cfg: 5, sampler_name: 'dpmpp_2m_sde', model: ['2', 0] });
    expect(result.model).toBe('realvisxlV50_v50Bakedvae.safetensors');
  });

  it('falls back to polling /history when the websocket is refused, and still finishes', async () => {
    const h = await harness({ refuseWebSocket: true });
    const r = run();
    const result = await h.engine.generate(request(), r.ctx);
    expect(result.images).toHaveLength(1);
    const id = String(result.info.promptId);
    expect(h.requests().some((q) => q.path.startsWith('/ws?'))).toBe(true);
    expect(h.requests().filter((q) => q.method === 'GET' && q.path === `/history/${id}`).length).toBeGreaterThan(0);
    expect(r.progress.at(-1)).toEqual({ percent: 100, stage: 'done' });
  });

  it('falls back to polling when the websocket drops in the middle of a run', async () => {
    const h = await harness();
    const held = h.server.holdNext();
    const r = run();
    const pending = h.engine.generate(request(), r.ctx);
    await held.started;
    const id = await held.promptId;
    const before = h.requests().filter((q) => q.path === `/history/${id}`).length;
    h.server.dropSockets();
    await h.server.until(() => h.requests().filter((q) => q.path === `/history/${id}`).length > before);
    held.release();
    const result = await pending;
    expect(result.images).toHaveLength(1);
    expect(await held.stopped).toBe(false);
  });

  it('times out on silence, not on the run\'s length: a quiet but running prompt is asked after, not abandoned', async () => {
    const h = await harness();
    const engine = new ComfyUIImageEngine({ url: h.server.url, apiKey: 'comfyui-test-token', options: {}, timeoutSeconds: 1 });
    const held = h.server.holdNext();
    const pending = engine.generate(request(), run().ctx);
    await held.started;
    const queueLooks = () => h.requests().filter((q) => q.method === 'GET' && q.path === '/queue').length;
    const seen = queueLooks();
    // Nothing arrives on the socket while it is held: the adapter asks ComfyUI, twice, and keeps waiting.
    await h.server.until(() => queueLooks() >= seen + 2);
    held.release();
    expect((await pending).images).toHaveLength(1);
  });

  it('reports its place in the queue while another prompt runs', async () => {
    const h = await harness();
    const held = h.server.holdNext();
    const first = h.engine.generate(request({ seed: 1 }), run().ctx);
    await held.started;
    const r = run();
    const second = h.engine.generate(request({ seed: 2 }), r.ctx);
    await h.server.until(() => h.server.queueState().pending.length === 1);
    await h.server.until(() => r.progress.some((p) => p.stage === 'queued (1 ahead)'));
    held.release();
    await Promise.all([first, second]);
    expect(r.progress.at(-1)).toEqual({ percent: 100, stage: 'done' });
  });
});

describe('ComfyUI adapter: errors', () => {
  it('turns a 400 with node_errors into EngineError("rejected") with one entry per node', async () => {
    const h = await harness({}, { checkpoint: 'missing.safetensors', lora: { name: 'nope.safetensors', weight: 1 } });
    const err = await rejection(h.engine.generate(request(), run().ctx));
    expect(err.kind).toBe('rejected');
    expect(err.status).toBe(400);
    expect(err.nodeErrors).toEqual([
      expect.objectContaining({ nodeId: '1', classType: 'CheckpointLoaderSimple', inputName: 'ckpt_name', message: expect.stringMatching(/^value not in list: ckpt_name: 'missing.safetensors' not in \[/) }),
      expect.objectContaining({ nodeId: '2', classType: 'LoraLoader', inputName: 'lora_name', message: expect.stringContaining("'nope.safetensors' not in") }),
    ]);
    expect(err.message).toContain("Node 1 (CheckpointLoaderSimple): value not in list: ckpt_name: 'missing.safetensors' not in ['realvisxlV50_v50Bakedvae.safetensors', 'sd_xl_base_1.0.safetensors']");
  });

  it('runs a user workflow and reports ComfyUI\'s required_input_missing for it', async () => {
    const h = await harness();
    const base = getTemplate('sdxl-txt2img') as WorkflowTemplate;
    const graph = structuredClone(base.graph);
    delete graph['6'].inputs.scheduler;
    const mine: WorkflowTemplate = { ...structuredClone(base), id: 'my-portrait', version: 3, graph, requires: { nodes: [], models: [] } };
    expect(validateTemplate(mine)).toEqual([]);
    const engine = new ComfyUIImageEngine({ url: h.server.url, apiKey: 'comfyui-test-token', options: { workflow: 'my-portrait' }, timeoutSeconds: 10 }, { workflows: [mine] });
    const err = await rejection(engine.generate(request(), run().ctx));
    expect(err.kind).toBe('rejected');
    expect(err.nodeErrors).toEqual([{ nodeId: '6', classType: 'KSampler', inputName: 'scheduler', message: 'required input is missing: scheduler', details: 'scheduler' }]);

    graph['6'].inputs.scheduler = 'karras';
    const fixed = await engine.generate(request(), run().ctx);
    expect(fixed.workflow).toEqual({ id: 'my-portrait', version: 3 });
  });

  it('the test server answers a link to a missing node and a bad prompt id as ComfyUI does', async () => {
    const h = await harness();
    const post = async (body: unknown) => {
      const res = await fetch(`${h.server.url}/api/prompt`, { method: 'POST', headers: { Authorization: 'Bearer comfyui-test-token' }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() as Record<string, unknown> };
    };
    const graph = structuredClone((getTemplate('sdxl-txt2img') as WorkflowTemplate).graph);
    graph['7'].inputs.vae = ['99', 2];
    const broken = await post({ prompt: graph });
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({
      error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation' },
      node_errors: { 7: { class_type: 'VAEDecode', dependent_outputs: ['8'], errors: [{ type: 'exception_during_inner_validation', details: "'99'", extra_info: { input_name: 'images', exception_type: 'KeyError' } }] } },
    });
    expect(await post({ prompt: graph, prompt_id: 'NOT-A-UUID' })).toMatchObject({ status: 400, body: { error: { type: 'invalid_prompt_id' }, node_errors: {} } });
    expect(await post({ client_id: 'x' })).toMatchObject({ status: 400, body: { error: { type: 'no_prompt' } } });
  });

  it('names the missing node class and the pack that provides it', async () => {
    const h = await harness({ packs: [] }, { workflow: 'face-instantid' });
    const err = await rejection(h.engine.generate(request({ referenceFaces: [{ data: await png('#c08060'), mime: 'image/png', filename: 'mia.png' }] }), run().ctx));
    expect(err.kind).toBe('rejected');
    expect(err.message).toMatch(/ComfyUI has no node class InstantIDModelLoader \(node 3\); install the node pack cubiq\/ComfyUI_InstantID/);
    expect(err.nodeErrors).toEqual([expect.objectContaining({ nodeId: '3', classType: 'InstantIDModelLoader' })]);
  });

  it('classifies an execution_error: out of memory is transient, a broken reference photo is rejected', async () => {
    const h = await harness();
    h.server.failNextExecution({ classType: 'KSampler', exceptionType: 'torch.OutOfMemoryError', message: 'CUDA out of memory. Tried to allocate 2.00 GiB' });
    const oom = await rejection(h.engine.generate(request(), run().ctx));
    expect(oom.kind).toBe('transient');
    expect(oom.message).toMatch(/ran out of GPU memory at node 6 \(KSampler\)/);
    expect(oom.nodeErrors).toEqual([expect.objectContaining({ nodeId: '6', classType: 'KSampler', details: 'torch.OutOfMemoryError' })]);

    const notAnImage = { data: Buffer.from('this is not a picture'), mime: 'image/png', filename: 'face.png' };
    const bad = await rejection(h.engine.generate(request({ workflow: 'face-pulid', referenceFaces: [notAnImage] }), run().ctx));
    expect(bad.kind).toBe('rejected');
    expect(bad.message).toMatch(/failed at node 6 \(LoadImage\): cannot identify image file/);
  });

  it('maps ComfyUI\'s 500 to transient and a proxy\'s 401 to auth', async () => {
    const h = await harness();
    h.failNext?.(500);
    expect((await rejection(h.engine.generate(request(), run().ctx))).kind).toBe('transient');
    const bad = await rejection(h.engineWithBadKey!.generate(request(), run().ctx));
    expect(bad.kind).toBe('auth');
    expect((await rejection(h.unreachableEngine!.generate(request(), run().ctx))).kind).toBe('unreachable');
  });

  it('refuses a face workflow without a reference photo, a LoRA on a workflow without a LoRA slot, and a batch over 8', async () => {
    const h = await harness({}, { workflow: 'face-ipadapter-faceid' });
    const noFace = await rejection(h.engine.generate(request(), run().ctx));
    expect(noFace.kind).toBe('rejected');
    expect(noFace.message).toMatch(/needs a reference photo/);

    const plain = structuredClone(getTemplate('sdxl-txt2img') as WorkflowTemplate);
    plain.id = 'no-lora';
    delete plain.bindings.lora;
    delete plain.bindings.loraWeight;
    const engine = new ComfyUIImageEngine({ url: h.server.url, apiKey: 'comfyui-test-token', options: { workflow: 'no-lora' }, timeoutSeconds: 10 }, { workflows: [plain] });
    const err = await rejection(engine.generate(request({ lora: { name: 'mia-sol-v2.safetensors', weight: 1 } }), run().ctx));
    expect(err.kind).toBe('unsupported');
    expect((await rejection(h.engine.generate(request({ batch: 9 }), run().ctx))).kind).toBe('unsupported');
    expect(posts(h, '/prompt')).toHaveLength(0);
  });
});

describe('ComfyUI adapter: reference faces and start images', () => {
  it.each(['face-ipadapter-faceid', 'face-instantid', 'face-pulid'])('uploads the best reference face and binds it into %s', async (workflow) => {
    const h = await harness({}, { workflow });
    expect(h.engine.capabilities.referenceFace).toBe(true);
    const best = await png('#d0a080');
    const result = await h.engine.generate(request({ referenceFaces: [
      { data: best, mime: 'image/png', filename: 'best.png' },
      { data: await png('#202020'), mime: 'image/png', filename: 'second.png' },
    ] }), run().ctx);
    expect(result.workflow).toEqual({ id: workflow, version: 1 });

    const [upload] = posts(h, '/upload/image');
    expect(upload.body).toMatchObject({ type: 'input', subfolder: 'ainfluencer', overwrite: 'true', image: { type: 'image/png', size: best.length } });
    const template = getTemplate(workflow) as WorkflowTemplate;
    const binding = template.bindings.referenceFace as { node: string; input: string };
    const prompt = (posts(h, '/prompt')[0].body as { prompt: ApiGraph }).prompt;
    const bound = String(prompt[binding.node].inputs[binding.input]);
    expect(bound).toMatch(/^ainfluencer\/face-[0-9a-f]{24}\.png$/);
    expect(h.server.inputFile(bound)?.equals(best)).toBe(true);
  });

  it('starts from an image with the img2img template: scaled to the asked size, strength as denoise', async () => {
    const h = await harness();
    expect(h.engine.capabilities.imageToImage).toBe(true);
    const result = await h.engine.generate(request({ width: 640, height: 640, batch: 2, init: { data: await png('#3366cc', 300, 200), mime: 'image/png', strength: 0.35 } }), run().ctx);
    expect(result.workflow).toEqual({ id: 'sdxl-img2img', version: 1 });
    expect(result.images).toHaveLength(2);
    const meta = await sharp(result.images[0].data).metadata();
    expect([meta.width, meta.height]).toEqual([640, 640]);
    const prompt = (posts(h, '/prompt')[0].body as { prompt: ApiGraph }).prompt;
    expect(prompt['9'].inputs.denoise).toBe(0.35);
    expect(prompt['8'].inputs.amount).toBe(2);
    expect(String(prompt['5'].inputs.image)).toMatch(/^ainfluencer\/init-/);
  });
});

describe('ComfyUI adapter: cancel', () => {
  it('deletes a queued prompt from the queue', async () => {
    const h = await harness();
    const held = h.server.holdNext();
    const first = h.engine.generate(request({ seed: 1 }), run().ctx);
    await held.started;
    const r = run();
    const second = h.engine.generate(request({ seed: 2 }), r.ctx);
    await h.server.until(() => h.server.queueState().pending.length === 1);
    const queuedId = h.server.queueState().pending[0];
    r.controller.abort();
    const err = await rejection(second);
    expect(err.kind).toBe('cancelled');
    expect(posts(h, '/queue').map((q) => q.body)).toEqual([{ delete: [queuedId] }]);
    expect(posts(h, '/interrupt')).toHaveLength(0);
    expect(h.server.queueState().pending).toEqual([]);
    held.release();
    expect((await first).images).toHaveLength(1);
  });

  it('interrupts a running prompt', async () => {
    const h = await harness();
    const held = h.holdNext()!;
    const r = run();
    const pending = h.engine.generate(request(), r.ctx);
    await held.started;
    r.controller.abort();
    const err = await rejection(pending);
    expect(err.kind).toBe('cancelled');
    expect(await held.stopped).toBe(true);
    const id = String(r.checkpoints[0].promptId);
    expect(posts(h, '/interrupt').map((q) => q.body)).toEqual([{ prompt_id: id }]);
    await h.server.until(() => h.server.historyOf(id) !== null);
    expect(h.server.historyOf(id)?.status).toMatchObject({ status_str: 'error', completed: false });
  });
});

describe('ComfyUI adapter: resume', () => {
  it('downloads a finished prompt\'s outputs without queuing it again', async () => {
    const h = await harness();
    const first = run();
    const original = await h.engine.generate(request(), first.ctx);
    const state = first.checkpoints[0];
    const again = run(state);
    const resumed = await h.engine.generate(request(), again.ctx);
    expect(posts(h, '/prompt')).toHaveLength(1);
    expect(resumed.images.map((i) => i.data)).toEqual(original.images.map((i) => i.data));
    expect(resumed.info.promptId).toBe(state.promptId);
    expect(again.checkpoints).toEqual([]);
  });

  it('reconnects to a prompt that is still running and waits for it', async () => {
    const h = await harness();
    // An earlier attempt queued this prompt and then its process died.
    const held = h.server.holdNext();
    const { graph } = applyBindings(getTemplate('sdxl-txt2img') as WorkflowTemplate, { prompt: 'p', negativePrompt: 'n', seed: 5, width: 320, height: 256, batch: 1 });
    const state = { promptId: randomUUID(), clientId: randomUUID(), workflowId: 'sdxl-txt2img', workflowVersion: 1, output: '8' };
    const queued = await fetch(`${h.server.url}/prompt`, { method: 'POST', headers: { Authorization: 'Bearer comfyui-test-token' }, body: JSON.stringify({ prompt: graph, client_id: state.clientId, prompt_id: state.promptId }) });
    expect(queued.status).toBe(200);
    await held.started;

    const again = run(state);
    const resumed = h.engine.generate(request(), again.ctx);
    await h.server.until(() => h.requests().some((q) => q.path === `/ws?clientId=${state.clientId}`));
    held.release();
    const result = await resumed;
    expect(posts(h, '/prompt')).toHaveLength(1);
    expect(result.info.promptId).toBe(state.promptId);
    const meta = await sharp(result.images[0].data).metadata();
    expect([meta.width, meta.height]).toEqual([320, 256]);
    expect(again.checkpoints).toEqual([]);
    expect(again.progress.at(-1)).toEqual({ percent: 100, stage: 'done' });
  });

  it('queues again when ComfyUI has forgotten the prompt (restarted)', async () => {
    const h = await harness();
    const first = run();
    await h.engine.generate(request(), first.ctx);
    h.server.restart();
    const again = run(first.checkpoints[0]);
    const result = await h.engine.generate(request(), again.ctx);
    expect(posts(h, '/prompt')).toHaveLength(2);
    expect(again.checkpoints).toHaveLength(1);
    expect(again.checkpoints[0].promptId).not.toBe(first.checkpoints[0].promptId);
    expect(result.info.promptId).toBe(again.checkpoints[0].promptId);
  });
});

describe('ComfyUI adapter: connection', () => {
  it('sends no Origin header, and ComfyUI refuses a loopback request whose Origin does not match', async () => {
    const h = await harness();
    await h.engine.generate(request(), run().ctx);
    await h.engine.testConnection();
    expect(h.requests().length).toBeGreaterThan(5);
    expect(h.requests().filter((q) => q.headers.origin !== undefined)).toEqual([]);

    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${h.server.url}/api/prompt`, { method: 'POST', headers: { Origin: 'http://evil.example', Authorization: 'Bearer comfyui-test-token' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(403);
  });

  it('sends a bearer token, or basic auth for a "user:pass" key, on HTTP and on the websocket', async () => {
    expect(authorizationHeader('abc')).toBe('Bearer abc');
    expect(authorizationHeader('mia:s3cret')).toBe(`Basic ${Buffer.from('mia:s3cret').toString('base64')}`);
    expect(authorizationHeader('  ')).toBeNull();

    const server = await ComfyTestServer.start({ basic: { user: 'mia', password: 's3cret' }, stepLatencyMs: 1 });
    open.push(server);
    const engine = comfyuiAdapter.create({ url: server.url, apiKey: 'mia:s3cret', options: {}, timeoutSeconds: 10 });
    await engine.generate(request(), run().ctx);
    const basic = `Basic ${Buffer.from('mia:s3cret').toString('base64')}`;
    expect(server.requests().every((q) => q.headers.authorization === basic)).toBe(true);
    expect(server.requests().some((q) => q.path.startsWith('/ws?'))).toBe(true);

    const h = await harness();
    expect(await h.engine.testConnection()).toMatchObject({ ok: true, auth: 'ok' });
    expect(h.requests().every((q) => q.headers.authorization === 'Bearer comfyui-test-token')).toBe(true);
    const refused = await h.engineWithBadKey!.testConnection();
    expect(refused).toMatchObject({ ok: false, reachable: true, auth: 'failed' });
    expect(refused.message).toMatch(/refused the credentials \(HTTP 401\)/);
  });

  it('reports the version, the device and the checkpoints', async () => {
    const h = await harness();
    const report = await h.engine.testConnection();
    expect(report).toMatchObject({ ok: true, reachable: true, auth: 'ok', version: '0.3.64', missing: [] });
    expect(report.models).toEqual(['realvisxlV50_v50Bakedvae.safetensors', 'sd_xl_base_1.0.safetensors']);
    expect(report.message).toBe('Reachable (ComfyUI 0.3.64, NVIDIA GeForce RTX 4090, 24 GB), 2 checkpoints found; the workflow sdxl-txt2img v1 has every node and model it needs.');
    const down = await h.unreachableEngine!.testConnection();
    expect(down).toMatchObject({ ok: false, reachable: false });
  });

  it('names every missing node class with its pack and every missing model file for the configured workflow', async () => {
    const h = await harness({ packs: ['ipadapter_plus'], models: { controlnet: [] } }, { workflow: 'face-instantid' });
    const report = await h.engine.testConnection();
    expect(report.ok).toBe(false);
    expect(report.missing).toEqual([
      { kind: 'node', name: 'InstantIDModelLoader', neededBy: 'face-instantid v1 (node pack cubiq/ComfyUI_InstantID)' },
      { kind: 'node', name: 'InstantIDFaceAnalysis', neededBy: 'face-instantid v1 (node pack cubiq/ComfyUI_InstantID)' },
      { kind: 'node', name: 'ApplyInstantID', neededBy: 'face-instantid v1 (node pack cubiq/ComfyUI_InstantID)' },
      { kind: 'model', name: 'controlnet/instantid/diffusion_pytorch_model.safetensors', neededBy: 'face-instantid v1' },
    ]);
    expect(report.message).toContain('missing for face-instantid v1: node class InstantIDModelLoader (install cubiq/ComfyUI_InstantID)');

    const ckpt = await harness({ models: { checkpoints: ['juggernautXL.safetensors'], ipadapter: [] } }, { workflow: 'face-ipadapter-faceid', lora: { name: 'gone.safetensors', weight: 1 } });
    expect((await ckpt.engine.testConnection()).missing).toEqual([
      { kind: 'model', name: 'checkpoints/sd_xl_base_1.0.safetensors', neededBy: 'face-ipadapter-faceid v1' },
      { kind: 'model', name: 'ipadapter/ip-adapter-faceid-plusv2_sdxl.bin', neededBy: 'face-ipadapter-faceid v1' },
      { kind: 'model', name: 'loras/gone.safetensors', neededBy: 'face-ipadapter-faceid v1' },
    ]);
    const chosen = new ComfyUIImageEngine({ url: ckpt.server.url, apiKey: 'comfyui-test-token', options: { checkpoint: 'juggernautXL.safetensors' }, timeoutSeconds: 10 });
    expect(await chosen.testConnection()).toMatchObject({ ok: true, missing: [] });
  });

  it('declares its capabilities and options', () => {
    expect(comfyuiAdapter).toMatchObject({ adapter: 'comfyui', kind: 'image', url: 'required', defaultUrl: 'http://127.0.0.1:8188', apiKey: 'optional', builtIn: false });
    expect(comfyuiAdapter.options.parse({})).toEqual({ workflow: 'sdxl-txt2img' });
    expect(comfyuiAdapter.options.safeParse({ lora: { name: 'x.safetensors' } }).success).toBe(false);
    const engine = comfyuiAdapter.create({ url: 'http://127.0.0.1:8188', apiKey: null, options: {}, timeoutSeconds: 5 });
    expect(engine.capabilities).toEqual({
      builtIn: false, maxBatch: 8, seed: true, progress: 'live', cancel: true, resume: true, cost: null,
      sizes: { kind: 'range', min: 256, max: 2048, multipleOf: 8 }, negativePrompt: true, referenceFace: false, lora: true,
      checkpoint: true, samplerControls: true, cards: false, imageToImage: true,
    });
  });
});

describe('ComfyUI workflows', () => {
  it('ships the five templates, each valid against its own graph', () => {
    expect(listTemplates().map((t) => `${t.id} v${t.version}`)).toEqual([
      'face-instantid v1', 'face-ipadapter-faceid v1', 'face-pulid v1', 'sdxl-img2img v1', 'sdxl-txt2img v1',
    ]);
    for (const t of listTemplates()) expect(validateTemplate(t, { strict: true })).toEqual([]);
    expect(getTemplate('sdxl-txt2img', 1)?.output).toBe('8');
    expect(getTemplate('sdxl-txt2img', 2)).toBeNull();
    expect(getTemplate('nope')).toBeNull();
  });

  it('never edits a template file in place (a change is a new version file)', () => {
    const lock = JSON.parse(readFileSync(new URL('./comfyui-workflows.lock.json', import.meta.url), 'utf8')) as Record<string, string>;
    const onDisk = Object.fromEntries(templateFiles().map((f) => [f.name, createHash('sha256').update(f.text).digest('hex')]));
    // Every locked version is still there, byte for byte; a new version file is added to the lock.
    expect(onDisk).toEqual(lock);
  });

  it('rejects a template file whose bindings do not match its graph', () => {
    const t = structuredClone(getTemplate('sdxl-txt2img') as WorkflowTemplate);
    t.bindings.seed = { node: '6', input: 'noise_seed' };
    t.bindings.width = { node: '42', input: 'width' };
    t.bindings.prompt = { node: '6', input: 'positive' };
    expect(() => parseTemplateFile('sdxl-txt2img.v1.json', JSON.stringify(t))).toThrow(/"positive" of node 6 \(KSampler\), which is a link.*input "noise_seed" of node 6 \(KSampler\), which has no such input.*node 42, which is not in the graph/);
    expect(() => parseTemplateFile('sdxl-txt2img.v2.json', JSON.stringify(getTemplate('sdxl-txt2img')))).toThrow(/the file name and the content must agree/);
  });

  it.each(listTemplates().map((t) => [t.id, t] as const))('suggests exactly the shipped bindings for %s', (_id, template) => {
    const suggestion = suggestBindings(template.graph);
    expect(suggestion.output).toBe(template.output);
    expect(suggestion.bindings).toEqual(template.bindings);
    expect(suggestion.notes).toEqual([]);
  });

  it('suggests bindings for a hand-made graph (KSamplerAdvanced, a ControlNet between sampler and prompts, string ids)', () => {
    const graph: ApiGraph = {
      ckpt: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'mine.safetensors' } },
      lora: { class_type: 'LoraLoaderModelOnly', inputs: { model: ['ckpt', 0], lora_name: 'style.safetensors', strength_model: 0.5 } },
      pos: { class_type: 'CLIPTextEncode', inputs: { text: 'a portrait', clip: ['ckpt', 1] } },
      neg: { class_type: 'CLIPTextEncode', inputs: { text: 'ugly', clip: ['ckpt', 1] } },
      cnl: { class_type: 'ControlNetLoader', inputs: { control_net_name: 'pose.safetensors' } },
      pose: { class_type: 'LoadImage', inputs: { image: 'pose.png' } },
      cn: { class_type: 'ControlNetApplyAdvanced', inputs: { positive: ['pos', 0], negative: ['neg', 0], control_net: ['cnl', 0], image: ['pose', 0], strength: 1, start_percent: 0, end_percent: 1 } },
      size: { class_type: 'EmptyLatentImage', inputs: { width: 832, height: 1216, batch_size: 1 } },
      ks: { class_type: 'KSamplerAdvanced', inputs: { model: ['lora', 0], add_noise: 'enable', noise_seed: 7, steps: 25, cfg: 7, sampler_name: 'euler', scheduler: 'normal', positive: ['cn', 0], negative: ['cn', 1], latent_image: ['size', 0], start_at_step: 0, end_at_step: 10000, return_with_leftover_noise: 'disable' } },
      dec: { class_type: 'VAEDecode', inputs: { samples: ['ks', 0], vae: ['ckpt', 2] } },
      out: { class_type: 'PreviewImage', inputs: { images: ['dec', 0] } },
    };
    expect(validateWorkflowGraph(graph)).toEqual({ ok: true, graph, warnings: [] });
    expect(suggestBindings(graph)).toEqual({
      output: 'out',
      notes: [],
      bindings: {
        prompt: { node: 'pos', input: 'text' }, negative: { node: 'neg', input: 'text' }, seed: { node: 'ks', input: 'noise_seed' },
        steps: { node: 'ks', input: 'steps' }, cfg: { node: 'ks', input: 'cfg' }, sampler: { node: 'ks', input: 'sampler_name' },
        width: { node: 'size', input: 'width' }, height: { node: 'size', input: 'height' }, batch: { node: 'size', input: 'batch_size' },
        checkpoint: { node: 'ckpt', input: 'ckpt_name' }, lora: { node: 'lora', input: 'lora_name' }, loraWeight: { node: 'lora', input: 'strength_model' },
        referenceFace: { node: 'pose', input: 'image' },
      },
    });
    const bare = suggestBindings({ a: { class_type: 'LoadImage', inputs: { image: 'x.png' } } });
    expect(bare.output).toBeNull();
    expect(bare.notes).toEqual(['No SaveImage node found: choose the node whose images are the result.', 'No KSampler found: bind the seed, steps, cfg and sampler by hand.']);
  });

  it('checks a user graph\'s shape with sentences a person can act on', () => {
    expect(validateWorkflowGraph([])).toMatchObject({ ok: false, errors: [expect.stringContaining('JSON object of nodes')] });
    expect(validateWorkflowGraph({})).toMatchObject({ ok: false, errors: ['The workflow has no nodes.'] });
    const check = validateWorkflowGraph({
      1: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'a.safetensors' } },
      2: { inputs: {} },
      3: { class_type: 'VAEDecode', inputs: { samples: ['9', 0], vae: [1, 2] } },
      4: { class_type: 'SaveImage', inputs: { images: ['3', 0, 1] } },
      5: { class_type: 'SaveImage' },
    });
    expect(check).toEqual({ ok: false, warnings: [], errors: [
      'Node 2 has no class_type (a node saved from a group, a subgraph or a note cannot run; remove or expand it).',
      'Node 3 (VAEDecode): input "samples" links to node 9, which is not in the workflow.',
      'Node 3 (VAEDecode): input "vae" links to node 1 written as a number; ComfyUI expects the node id as a string ("1").',
      'Node 4 (SaveImage): input "images" is a list of 3; a link must be [node id, output index].',
      'Node 5 (SaveImage) has no "inputs" object.',
    ] });
    expect(validateWorkflowGraph({ prompt: { 1: { class_type: 'SaveImage', inputs: {} } }, client_id: 'x' })).toMatchObject({ ok: false, errors: [expect.stringContaining('only the graph')] });
  });

  it('refuses the editor (UI) format and says to use "Save (API format)"', () => {
    const uiExport = {
      last_node_id: 9, last_link_id: 9,
      nodes: [{ id: 4, type: 'CheckpointLoaderSimple', pos: [26, 474], outputs: [{ name: 'MODEL', type: 'MODEL', links: [1] }], widgets_values: ['sd_xl_base_1.0.safetensors'] }],
      links: [[1, 4, 0, 3, 0, 'MODEL']], groups: [], config: {}, extra: {}, version: 0.4,
    };
    const check = validateWorkflowGraph(uiExport);
    expect(check.ok).toBe(false);
    expect(check.ok ? [] : check.errors).toEqual([expect.stringContaining('Save (API format)')]);
    expect(check.ok ? '' : check.errors[0]).toMatch(/editor workflow .* not the API format/);
  });

  it('applies bindings to a copy and never touches the stored template', () => {
    const template = getTemplate('face-instantid') as WorkflowTemplate;
    const before = JSON.stringify(template);
    const { graph, ignored } = applyBindings(template, {
      prompt: 'p', negativePrompt: 'n', seed: 99, width: 896, height: 1152, batch: 3, steps: null, cfg: 3.5, sampler: null, checkpoint: 'x.safetensors',
      lora: { name: 'mia.safetensors', weight: 0.6 }, denoise: null,
    }, { referenceFace: 'ainfluencer/face-abc.png' });
    expect(JSON.stringify(template)).toBe(before);
    expect(ignored).toEqual([]);
    expect(graph['11'].inputs).toMatchObject({ seed: 99, cfg: 3.5, steps: 30, sampler_name: 'dpmpp_2m' });
    expect(graph['10'].inputs).toEqual({ width: 896, height: 1152, batch_size: 3 });
    expect(graph['6'].inputs.image).toBe('ainfluencer/face-abc.png');
    expect(graph['2'].inputs).toMatchObject({ lora_name: 'mia.safetensors', strength_model: 0.6, strength_clip: 0.6 });
    expect(() => applyBindings(template, { prompt: 'p', negativePrompt: '', seed: 1, width: 8, height: 8, batch: 1 })).toThrow(WorkflowBindingError);

    const userGraph: WorkflowTemplate = { ...structuredClone(getTemplate('sdxl-txt2img') as WorkflowTemplate), id: 'mine', bindings: { prompt: { node: '3', input: 'text' } } };
    expect(applyBindings(userGraph, { prompt: 'p', negativePrompt: 'no', seed: 1, width: 8, height: 8, batch: 1, steps: 4 }).ignored).toEqual(['negativePrompt', 'steps']);
  });
});
