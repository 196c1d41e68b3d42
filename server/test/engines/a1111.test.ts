// The AUTOMATIC1111 / Forge adapter against the local A1111 API (support/engines/a1111.server.ts):
// what the web UI receives for each request setting, seeds and model read back from `info`,
// progress polled while a generation runs, cancel through /interrupt, basic auth, each error
// shape as a readable message, and "test connection".
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError, type EngineSettings } from '../../src/engines/engine.ts';
import { A1111Engine, a1111Adapter } from '../../src/engines/image/a1111/a1111.adapter.ts';
import { describeA1111Error, parseA1111Info, progressFromA1111 } from '../../src/engines/image/a1111/a1111.protocol.ts';
import type { ImageEngine } from '../../src/engines/image/image.ts';
import { A1111_TEST_AUTH } from '../support/engines/a1111.harness.ts';
import { startA1111Server, type A1111TestServer } from '../support/engines/a1111.server.ts';
import { closedPort } from '../support/engines/image-apis.kit.ts';
import { imageRequest, recordingContext } from '../support/engines/image-request.ts';
import type { ServerRequest } from './harness.ts';

let server: A1111TestServer;

beforeAll(async () => {
  server = await startA1111Server({ auth: A1111_TEST_AUTH });
});
afterAll(async () => {
  await server.close();
});

function engineFor(opts: { url?: string; apiKey?: string | null; options?: Record<string, unknown>; timeoutSeconds?: number } = {}): A1111Engine {
  const settings: EngineSettings = {
    url: opts.url ?? server.url,
    apiKey: opts.apiKey === undefined ? A1111_TEST_AUTH : opts.apiKey,
    options: a1111Adapter.options.parse(opts.options ?? {}),
    timeoutSeconds: opts.timeoutSeconds ?? 30,
  };
  return new A1111Engine(settings, { pollIntervalMs: 20 });
}

/** The requests that arrived while `fn` ran. */
async function during<T>(fn: () => Promise<T>): Promise<{ result: T; requests: ServerRequest[] }> {
  const before = server.requests().length;
  const result = await fn();
  return { result, requests: server.requests().slice(before) };
}

async function failure(p: Promise<unknown>): Promise<EngineError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(EngineError);
  return err as EngineError;
}

function bodyOf(requests: ServerRequest[], path: string): Record<string, unknown> {
  const r = requests.find((q) => q.path === path);
  expect(r, `a request to ${path}`).toBeDefined();
  return r!.body as Record<string, unknown>;
}

describe('A1111 adapter: the definition', () => {
  it('is listed with its settings', () => {
    expect(a1111Adapter).toMatchObject({ adapter: 'a1111', kind: 'image', displayName: 'AUTOMATIC1111 / Forge', url: 'required', defaultUrl: 'http://127.0.0.1:7860', apiKey: 'optional', builtIn: false });
    const engine: ImageEngine = a1111Adapter.create({ url: server.url, apiKey: null, options: {}, timeoutSeconds: 5 });
    expect(engine.capabilities).toEqual({
      builtIn: false, maxBatch: 8, seed: true, progress: 'polled', cancel: true, resume: false, cost: null,
      sizes: { kind: 'range', min: 64, max: 2048, multipleOf: 8 },
      negativePrompt: true, referenceFace: false, lora: true, checkpoint: true, samplerControls: true, cards: false, imageToImage: true,
    });
  });

  it('validates its options', () => {
    expect(a1111Adapter.options.safeParse({ checkpoint: 'x', sampler: 'Euler a', steps: 30, cfg: 6.5, lora: { name: 'mia_face_v2', weight: 0.8 } }).success).toBe(true);
    expect(a1111Adapter.options.safeParse({ steps: 0 }).success).toBe(false);
    expect(a1111Adapter.options.safeParse({ steps: 2.5 }).success).toBe(false);
    expect(a1111Adapter.options.safeParse({ lora: { name: 'bad:name', weight: 1 } }).success).toBe(false);
  });
});

describe('A1111 adapter: txt2img', () => {
  it('sends seed, sampler, steps, cfg, size, batch, the checkpoint override and the LoRA tag, and reads the seeds back', async () => {
    const engine = engineFor();
    const req = imageRequest({
      prompt: 'portrait of mia, golden hour', negativePrompt: 'extra fingers', seed: 4242, batch: 3, width: 832, height: 1216,
      sampler: 'DPM++ 2M', steps: 24, cfg: 6.5, checkpoint: 'realvisxl_v40', lora: { name: 'mia_face_v2', weight: 0.8 },
    });
    const { result, requests } = await during(() => engine.generate(req, recordingContext()));

    const body = bodyOf(requests, '/sdapi/v1/txt2img');
    expect(body).toMatchObject({
      prompt: 'portrait of mia, golden hour <lora:mia_face_v2:0.8>',
      negative_prompt: 'extra fingers',
      seed: 4242, sampler_name: 'DPM++ 2M', steps: 24, cfg_scale: 6.5, width: 832, height: 1216, batch_size: 3, n_iter: 1,
      // sent by the title /sdapi/v1/sd-models lists, which A1111 resolves exactly
      override_settings: { sd_model_checkpoint: 'portraits/realvisxl_v40.safetensors [f6a7c1d2e3]' },
    });
    expect(body).not.toHaveProperty('init_images');
    const txt = requests.find((r) => r.path === '/sdapi/v1/txt2img')!;
    expect(txt.headers.authorization).toBe(`Basic ${Buffer.from(A1111_TEST_AUTH).toString('base64')}`);

    expect(result.images.map((i) => i.seed)).toEqual([4242, 4243, 4244]);
    expect(result.model).toBe('realvisxl_v40');
    expect(result.info).toMatchObject({ endpoint: 'txt2img', all_seeds: [4242, 4243, 4244], sampler_name: 'DPM++ 2M' });
    for (const img of result.images) {
      expect(img.mime).toBe('image/png');
      const meta = await sharp(img.data).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 832, 1216]);
    }
    const distinct = new Set(result.images.map((i) => i.data.toString('base64')));
    expect(distinct.size).toBe(3);
  });

  it('uses the engine defaults from its options, and the request wins over them', async () => {
    const engine = engineFor({ options: { checkpoint: 'sd_xl_base_1.0', sampler: 'Euler a', steps: 30, cfg: 5, lora: { name: 'film_grain', weight: 0.5 } } });
    const { requests } = await during(() => engine.generate(imageRequest({ prompt: 'beach' }), recordingContext()));
    expect(bodyOf(requests, '/sdapi/v1/txt2img')).toMatchObject({
      prompt: 'beach <lora:film_grain:0.5>', sampler_name: 'Euler a', steps: 30, cfg_scale: 5,
      override_settings: { sd_model_checkpoint: 'sd_xl_base_1.0.safetensors [31e35c80fc]' },
    });

    const { requests: second } = await during(() => engine.generate(imageRequest({ prompt: 'beach', sampler: 'DDIM', steps: 12, cfg: 8, lora: { name: 'mia_face_v2', weight: 1 } }), recordingContext()));
    expect(bodyOf(second, '/sdapi/v1/txt2img')).toMatchObject({ prompt: 'beach <lora:mia_face_v2:1>', sampler_name: 'DDIM', steps: 12, cfg_scale: 8 });
  });

  it('leaves sampler, steps, cfg and checkpoint to the web UI when nothing sets them', async () => {
    const { requests, result } = await during(() => engineFor().generate(imageRequest(), recordingContext()));
    const body = bodyOf(requests, '/sdapi/v1/txt2img');
    for (const field of ['sampler_name', 'steps', 'cfg_scale', 'override_settings']) expect(body).not.toHaveProperty(field);
    expect(requests.some((r) => r.path === '/sdapi/v1/sd-models')).toBe(false);
    expect(result.model).toBe('sd_xl_base_1.0');
  });

  it('reads the seeds A1111 chose from info when asked for a random seed', async () => {
    const result = await engineFor().generate(imageRequest({ seed: -1, batch: 2 }), recordingContext());
    const [a, b] = result.images.map((i) => i.seed);
    expect(Number.isInteger(a)).toBe(true);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(b).toBe((a as number) + 1);
    expect(result.info.seed).toBe(a);
  });

  it('rejects a checkpoint the web UI does not have instead of letting A1111 fall back silently', async () => {
    const { result: err, requests } = await during(() => failure(engineFor().generate(imageRequest({ checkpoint: 'juggernautXL_v9' }), recordingContext())));
    expect(err.kind).toBe('rejected');
    expect(err.message).toMatch(/no checkpoint 'juggernautXL_v9'.*sd_xl_base_1\.0\.safetensors/);
    expect(requests.some((r) => r.path === '/sdapi/v1/txt2img')).toBe(false);
  });
});

describe('A1111 adapter: img2img', () => {
  it('sends the init image as base64 with its denoising strength', async () => {
    const init = await sharp({ create: { width: 512, height: 640, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toBuffer();
    const { result, requests } = await during(() => engineFor().generate(imageRequest({ seed: 77, init: { data: init, mime: 'image/png', strength: 0.35 } }), recordingContext()));
    expect(requests.some((r) => r.path === '/sdapi/v1/txt2img')).toBe(false);
    const body = bodyOf(requests, '/sdapi/v1/img2img');
    expect(body).toMatchObject({ init_images: [init.toString('base64')], denoising_strength: 0.35, seed: 77, width: 512, height: 640 });
    expect(result.info).toMatchObject({ endpoint: 'img2img', denoising_strength: 0.35 });
    expect(result.images).toHaveLength(1);
    expect(result.images[0].seed).toBe(77);
    expect((await sharp(result.images[0].data).metadata()).width).toBe(512);
  });
});

describe('A1111 adapter: progress and cancel', () => {
  it('polls progress while the generation runs and reports it moving', async () => {
    const held = server.holdNext();
    const ctx = recordingContext();
    const before = server.requests().length;
    const running = engineFor().generate(imageRequest({ steps: 20 }), ctx);
    await held.started;
    const reports = await ctx.until((r) => new Set(r.filter((p) => p.percent > 0 && p.percent < 100).map((p) => p.percent)).size >= 3);
    held.release();
    const result = await running;
    expect(await held.stopped).toBe(false);
    expect(result.images).toHaveLength(1);

    const moving = reports.filter((p) => p.percent > 0);
    expect(moving.some((p) => /^sampling step \d+\/20/.test(p.stage))).toBe(true);
    const percents = ctx.reports.map((p) => p.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(ctx.reports.at(-1)).toEqual({ percent: 100, stage: 'done' });
    const polls = server.requests().slice(before).filter((r) => r.path.startsWith('/sdapi/v1/progress'));
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(polls.every((r) => r.path === '/sdapi/v1/progress?skip_current_image=true')).toBe(true);
  });

  it('cancels by /interrupt: the held generation stops and the call ends cancelled', async () => {
    const held = server.holdNext();
    const abort = new AbortController();
    const before = server.requests().length;
    const running = failure(engineFor().generate(imageRequest({ batch: 2 }), recordingContext(abort.signal)));
    await held.started;
    abort.abort();
    const err = await running;
    expect(err.kind).toBe('cancelled');
    expect(err.message).toMatch(/interrupt/);
    expect(await held.stopped).toBe(true);
    const paths = server.requests().slice(before).map((r) => `${r.method} ${r.path}`);
    expect(paths).toContain('POST /sdapi/v1/interrupt');
    const interrupt = server.requests().slice(before).find((r) => r.path === '/sdapi/v1/interrupt')!;
    expect(interrupt.headers.authorization).toMatch(/^Basic /);
  });

  it('does not start a generation that is already cancelled', async () => {
    const abort = new AbortController();
    abort.abort();
    const { result: err, requests } = await during(() => failure(engineFor().generate(imageRequest(), recordingContext(abort.signal))));
    expect(err.kind).toBe('cancelled');
    expect(requests).toEqual([]);
  });
});

describe('A1111 adapter: errors', () => {
  it('a wrong password is an auth failure with A1111\'s message', async () => {
    const err = await failure(engineFor({ apiKey: 'studio:wrong' }).generate(imageRequest(), recordingContext()));
    expect([err.kind, err.status]).toEqual(['auth', 401]);
    expect(err.message).toMatch(/Incorrect username or password/);
    const none = await failure(engineFor({ apiKey: null }).generate(imageRequest(), recordingContext()));
    expect(none.kind).toBe('auth');
    expect(none.message).toMatch(/Not authenticated/);
  });

  it('a server error ({error, detail, body, errors}) is transient and names the exception', async () => {
    server.failNext(500);
    const err = await failure(engineFor().generate(imageRequest(), recordingContext()));
    expect([err.kind, err.status]).toEqual(['transient', 500]);
    expect(err.message).toMatch(/OutOfMemoryError: CUDA out of memory/);
  });

  it('FastAPI\'s 422 validation list is rejected with the field and message', async () => {
    server.failNext(422);
    const err = await failure(engineFor().generate(imageRequest(), recordingContext()));
    expect([err.kind, err.status]).toEqual(['rejected', 422]);
    expect(err.message).toMatch(/invalid request — steps: value is not a valid integer/);
  });

  it('an HTTPException ({error, detail, body, errors}) is read by its detail', async () => {
    server.failNext(400);
    const err = await failure(engineFor().generate(imageRequest(), recordingContext()));
    expect([err.kind, err.status]).toEqual(['rejected', 400]);
    expect(err.message).toMatch(/answered HTTP 400: Sampler not found$/);
  });

  it('an unknown sampler runs with A1111\'s default sampler, and the result says which ran', async () => {
    const result = await engineFor().generate(imageRequest({ sampler: 'Heun++ 9000' }), recordingContext());
    expect(result.info.sampler_name).toBe('DPM++ 2M');
    const karras = await engineFor().generate(imageRequest({ sampler: 'Euler a Karras' }), recordingContext());
    expect(karras.info).toMatchObject({ sampler_name: 'Euler a', extra_generation_params: { 'Schedule type': 'Karras' } });
  });

  it('a URL without the A1111 API says to start it with --api', async () => {
    const err = await failure(engineFor({ url: `${server.url}/gradio` }).generate(imageRequest(), recordingContext()));
    expect(err.kind).toBe('rejected');
    expect(err.message).toMatch(/start the web UI with --api/);
  });

  it('a closed port is unreachable', async () => {
    const err = await failure(engineFor({ url: `http://127.0.0.1:${await closedPort()}` }).generate(imageRequest(), recordingContext()));
    expect(err.kind).toBe('unreachable');
  });

  it('refuses what it cannot do before calling the engine', async () => {
    const engine = engineFor();
    const { result: errs, requests } = await during(() => Promise.all([
      failure(engine.generate(imageRequest({ batch: 9 }), recordingContext())),
      failure(engine.generate(imageRequest({ width: 1001 }), recordingContext())),
      failure(engine.generate(imageRequest({ height: 4096 }), recordingContext())),
      failure(engine.generate(imageRequest({ lora: { name: 'a:b', weight: 1 } }), recordingContext())),
    ]));
    expect(errs.map((e) => e.kind)).toEqual(['unsupported', 'unsupported', 'unsupported', 'rejected']);
    expect(requests).toEqual([]);
  });

  it('describes each error shape in a sentence', () => {
    expect(describeA1111Error({ error: 'HTTPException', detail: 'Init image not found', body: '', errors: '404: Init image not found' }, 404)).toBe('Init image not found');
    expect(describeA1111Error({ error: 'RuntimeError', detail: '', body: '', errors: 'Could not find checkpoint with name foo' }, 500)).toBe('RuntimeError: Could not find checkpoint with name foo');
    // Forge (pydantic v2)
    expect(describeA1111Error({ detail: [{ type: 'int_parsing', loc: ['body', 'width'], msg: 'Input should be a valid integer', input: 'wide' }] }, 422)).toBe('invalid request — width: Input should be a valid integer');
    expect(describeA1111Error({ detail: 'Not Found' }, 404)).toMatch(/--api/);
    expect(describeA1111Error('<html>Bad gateway</html>', 502)).toBe('<html>Bad gateway</html>');
  });
});

describe('A1111 adapter: reading answers', () => {
  it('skips a returned grid (index_of_first_image) and maps the seeds to the images', () => {
    const info = parseA1111Info(JSON.stringify({ seed: 10, all_seeds: [10, 11], index_of_first_image: 1, sd_model_name: 'dreamshaper_8' }));
    expect(info).toMatchObject({ seed: 10, allSeeds: [10, 11], indexOfFirstImage: 1, sdModelName: 'dreamshaper_8' });
    expect(parseA1111Info('not json')).toMatchObject({ seed: null, allSeeds: [], indexOfFirstImage: 0 });
  });

  it('turns a progress answer into percent and stage', () => {
    expect(progressFromA1111({ progress: 0, eta_relative: 0, state: { job: '', job_count: 0 } })).toBeNull();
    expect(progressFromA1111({ progress: 0.51, eta_relative: 7.2, state: { job: 'scripts_txt2img', job_count: 1, sampling_step: 10, sampling_steps: 20 } }))
      .toEqual({ percent: 51, stage: 'sampling step 10/20 · about 8 s left' });
    expect(progressFromA1111({ progress: 1, eta_relative: 0, state: { job: 'Batch 2 out of 2', job_count: 2, sampling_step: 20, sampling_steps: 20 } }))
      .toEqual({ percent: 99, stage: 'sampling step 20/20 · batch 2 out of 2' });
  });
});

describe('A1111 adapter: test connection', () => {
  it('lists the checkpoints and samplers with auth ok', async () => {
    const report = await engineFor({ options: { checkpoint: 'sd_xl_base_1.0', sampler: 'DPM++ 2M Karras', lora: { name: 'mia-face', weight: 1 } } }).testConnection();
    expect(report).toMatchObject({ ok: true, reachable: true, auth: 'ok', missing: [] });
    expect(report.models).toEqual(['sd_xl_base_1.0.safetensors [31e35c80fc]', 'portraits/realvisxl_v40.safetensors [f6a7c1d2e3]']);
    expect(report.message).toBe('Reachable, 2 checkpoints and 4 samplers found.');
  });

  it('reports a configured checkpoint, LoRA or sampler the web UI does not have', async () => {
    const report = await engineFor({ options: { checkpoint: 'ponyDiffusionV6XL', sampler: 'Heun++ 9000', lora: { name: 'not_there', weight: 1 } } }).testConnection();
    expect(report.ok).toBe(false);
    expect(report.missing).toEqual([
      { kind: 'model', name: 'ponyDiffusionV6XL', neededBy: 'engine settings (checkpoint)' },
      { kind: 'model', name: 'not_there', neededBy: 'engine settings (LoRA)' },
    ]);
    expect(report.message).toMatch(/missing checkpoint 'ponyDiffusionV6XL'; missing LoRA 'not_there'; sampler 'Heun\+\+ 9000' is not offered, A1111 would use 'DPM\+\+ 2M' instead/);
    // aliases are not sampler names to get_sampler_and_scheduler
    const alias = await engineFor({ options: { sampler: 'k_euler_a' } }).testConnection();
    expect(alias.ok).toBe(false);
  });

  it('reports failed auth, and auth not required when the web UI has none', async () => {
    const bad = await engineFor({ apiKey: 'studio:nope' }).testConnection();
    expect(bad).toMatchObject({ ok: false, reachable: true, auth: 'failed', models: [] });
    expect(bad.message).toMatch(/Incorrect username or password/);

    const open = await startA1111Server();
    try {
      const report = await engineFor({ url: open.url, apiKey: null }).testConnection();
      expect(report).toMatchObject({ ok: true, auth: 'not_required' });
    } finally {
      await open.close();
    }
  });

  it('reports an engine that cannot be reached', async () => {
    const report = await engineFor({ url: `http://127.0.0.1:${await closedPort()}` }).testConnection();
    expect(report).toMatchObject({ ok: false, reachable: false, auth: 'unknown' });
    expect(report.message).toMatch(/Could not reach A1111/);
  });
});
