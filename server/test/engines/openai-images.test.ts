// The OpenAI Images adapter against the local OpenAI Images API
// (support/engines/openai-images.server.ts): the request body per model family, sizes mapped to
// the nearest accepted one per aspect, batches split for dall-e-3, each error code classified
// (rate limit vs out of quota, content policy), cancel closing the request, declared cost, and
// "test connection".
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError, type EngineSettings } from '../../src/engines/engine.ts';
import type { AspectRatio, ImageEngine } from '../../src/engines/image/image.ts';
import { OpenAIImagesEngine, openaiImagesAdapter } from '../../src/engines/image/openai-images/openai-images.adapter.ts';
import { nearestSize, profileFor } from '../../src/engines/image/openai-images/openai-images.models.ts';
import { closedPort } from '../support/engines/image-apis.kit.ts';
import { imageRequest, recordingContext } from '../support/engines/image-request.ts';
import { OPENAI_TEST_KEY } from '../support/engines/openai-images.harness.ts';
import { startOpenAIImagesServer, type OpenAIImagesTestServer } from '../support/engines/openai-images.server.ts';
import type { ServerRequest } from './harness.ts';

let server: OpenAIImagesTestServer;

beforeAll(async () => {
  server = await startOpenAIImagesServer({ apiKey: OPENAI_TEST_KEY });
});
afterAll(async () => {
  await server.close();
});

function engineFor(opts: { url?: string; apiKey?: string; options?: Record<string, unknown> } = {}): OpenAIImagesEngine {
  const settings: EngineSettings = {
    url: opts.url ?? server.url,
    apiKey: opts.apiKey ?? OPENAI_TEST_KEY,
    options: openaiImagesAdapter.options.parse(opts.options ?? {}),
    timeoutSeconds: 30,
  };
  return new OpenAIImagesEngine(settings);
}

async function during<T>(fn: () => Promise<T>, s: OpenAIImagesTestServer = server): Promise<{ result: T; requests: ServerRequest[] }> {
  const before = s.requests().length;
  const result = await fn();
  return { result, requests: s.requests().slice(before) };
}

async function failure(p: Promise<unknown>): Promise<EngineError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(EngineError);
  return err as EngineError;
}

const generations = (requests: ServerRequest[]) => requests.filter((r) => r.path === '/v1/images/generations');

describe('OpenAI Images adapter: the definition', () => {
  it('is listed with its settings; gpt-image-1 by default', () => {
    expect(openaiImagesAdapter).toMatchObject({ adapter: 'openai-images', kind: 'image', url: 'required', defaultUrl: 'https://api.openai.com/v1', apiKey: 'required', builtIn: false });
    expect(openaiImagesAdapter.options.parse({})).toEqual({ model: 'gpt-image-1' });
    expect(openaiImagesAdapter.options.safeParse({ quality: 'ultra' }).success).toBe(false);
    const engine: ImageEngine = openaiImagesAdapter.create({ url: server.url, apiKey: OPENAI_TEST_KEY, options: openaiImagesAdapter.options.parse({}), timeoutSeconds: 5 });
    expect(engine.capabilities).toEqual({
      builtIn: false, maxBatch: 10, seed: false, progress: 'none', cancel: false, resume: false,
      // no quality set: the API's `auto` may pick high, so the high non-square price is declared
      cost: { unit: 'image', usd: 0.25 },
      sizes: { kind: 'fixed', sizes: [{ width: 1024, height: 1024 }, { width: 1024, height: 1536 }, { width: 1536, height: 1024 }] },
      negativePrompt: false, referenceFace: false, lora: false, checkpoint: false, samplerControls: false, cards: false, imageToImage: false,
    });
  });

  it('declares the price of the configured model and quality, or the user\'s own', () => {
    expect(engineFor({ options: { quality: 'low' } }).capabilities.cost).toEqual({ unit: 'image', usd: 0.016 });
    expect(engineFor({ options: { quality: 'medium' } }).capabilities.cost).toEqual({ unit: 'image', usd: 0.063 });
    expect(engineFor({ options: { model: 'gpt-image-1-mini', quality: 'high' } }).capabilities.cost).toEqual({ unit: 'image', usd: 0.052 });
    expect(engineFor({ options: { model: 'dall-e-3' } }).capabilities.cost).toEqual({ unit: 'image', usd: 0.08 });
    expect(engineFor({ options: { quality: 'low', usdPerImage: 0.02 } }).capabilities.cost).toEqual({ unit: 'image', usd: 0.02 });
    const dalle3 = engineFor({ options: { model: 'dall-e-3' } }).capabilities;
    expect(dalle3.maxBatch).toBe(4);
    expect(dalle3.sizes).toEqual({ kind: 'fixed', sizes: [{ width: 1024, height: 1024 }, { width: 1024, height: 1792 }, { width: 1792, height: 1024 }] });
  });
});

describe('OpenAI Images adapter: generating', () => {
  it('sends model, prompt, n, size, quality and output_format, and returns the PNGs with the size used', async () => {
    const ctx = recordingContext();
    const req = imageRequest({ prompt: 'mia on a rooftop at dusk', negativePrompt: 'watermark, text', width: 1080, height: 1350, aspect: '4:5', batch: 2, seed: 99, sampler: 'Euler', steps: 30, cfg: 7 });
    const { result, requests } = await during(() => engineFor({ options: { quality: 'medium' } }).generate(req, ctx));

    const [call] = generations(requests);
    expect(call.method).toBe('POST');
    expect(call.headers.authorization).toBe(`Bearer ${OPENAI_TEST_KEY}`);
    // exactly these fields: no negative prompt, seed, steps or response_format exist for it
    expect(call.body).toEqual({ model: 'gpt-image-1', prompt: 'mia on a rooftop at dusk', n: 2, size: '1024x1536', quality: 'medium', output_format: 'png' });

    expect(result.model).toBe('gpt-image-1');
    expect(result.images).toHaveLength(2);
    for (const img of result.images) {
      expect([img.mime, img.seed]).toEqual(['image/png', null]);
      const meta = await sharp(img.data).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 1024, 1536]);
    }
    expect(result.images[0].data.equals(result.images[1].data)).toBe(false);
    expect(result.info).toMatchObject({ size: '1024x1536', requestedSize: '1080x1350', quality: 'medium', requests: 1, outputFormat: 'png', usdEstimate: 0.126 });
    expect(result.info.usage).toMatchObject({ output_tokens: 2 * 1584 });
    expect(ctx.reports[0]).toEqual({ percent: 0, stage: 'waiting for OpenAI' });
    expect(ctx.reports.at(-1)).toEqual({ percent: 100, stage: 'done' });
  });

  const aspects: Array<[AspectRatio, number, number, string, string]> = [
    // aspect, requested width × height, gpt-image size, dall-e-3 size
    ['1:1', 1024, 1024, '1024x1024', '1024x1024'],
    ['4:5', 1080, 1350, '1024x1536', '1024x1024'],
    ['9:16', 1080, 1920, '1024x1536', '1024x1792'],
    ['16:9', 1920, 1080, '1536x1024', '1792x1024'],
  ];

  it.each(aspects)('maps %s (%ix%i) to the nearest accepted size', async (aspect, width, height, gptSize, dalleSize) => {
    const gpt = await during(() => engineFor().generate(imageRequest({ aspect, width, height }), recordingContext()));
    expect((generations(gpt.requests)[0].body as { size: string }).size).toBe(gptSize);
    expect(gpt.result.info.size).toBe(gptSize);
    const [w, h] = gptSize.split('x').map(Number);
    expect(await sharp(gpt.result.images[0].data).metadata()).toMatchObject({ width: w, height: h });

    const dalle = await during(() => engineFor({ options: { model: 'dall-e-3' } }).generate(imageRequest({ aspect, width, height }), recordingContext()));
    expect((generations(dalle.requests)[0].body as { size: string }).size).toBe(dalleSize);
    expect(dalle.result.info.size).toBe(dalleSize);
  });

  it('maps sizes for dall-e-2 by pixel count among its squares', () => {
    const p = profileFor('dall-e-2');
    expect(nearestSize(p, 300, 300)).toEqual({ width: 256, height: 256 });
    expect(nearestSize(p, 640, 800)).toEqual({ width: 512, height: 512 });
    expect(nearestSize(p, 1080, 1350)).toEqual({ width: 1024, height: 1024 });
  });

  it('splits a dall-e-3 batch into requests of n=1 with response_format b64_json and hd for high quality', async () => {
    const ctx = recordingContext();
    const { result, requests } = await during(() => engineFor({ options: { model: 'dall-e-3', quality: 'high' } }).generate(imageRequest({ batch: 3, width: 1080, height: 1920 }), ctx));
    const calls = generations(requests);
    expect(calls).toHaveLength(3);
    for (const c of calls) expect(c.body).toEqual({ model: 'dall-e-3', prompt: imageRequest().prompt, n: 1, size: '1024x1792', quality: 'hd', response_format: 'b64_json' });
    expect(result.images).toHaveLength(3);
    expect(new Set(result.images.map((i) => i.data.toString('base64'))).size).toBe(3);
    expect(result.info).toMatchObject({ requests: 3, quality: 'hd', usdEstimate: 0.36 });
    expect(result.info.revisedPrompts).toHaveLength(3);
    expect(ctx.reports.map((r) => r.percent)).toEqual([0, 33, 67, 100]);
  });

  it('sends no quality to dall-e-2 (standard is its only one)', async () => {
    const { requests } = await during(() => engineFor({ options: { model: 'dall-e-2', quality: 'high' } }).generate(imageRequest({ batch: 2 }), recordingContext()));
    expect(generations(requests)[0].body).toEqual({ model: 'dall-e-2', prompt: imageRequest().prompt, n: 2, size: '512x512', response_format: 'b64_json' });
  });

  it('downloads the images when a compatible server answers with URLs', async () => {
    const compat = await startOpenAIImagesServer({ apiKey: null, answerWithUrls: true });
    try {
      const { result, requests } = await during(() => engineFor({ url: compat.url }).generate(imageRequest({ batch: 2, width: 1024, height: 1024 }), recordingContext()), compat);
      expect(requests.filter((r) => r.path.startsWith('/files/'))).toHaveLength(2);
      expect(result.images.map((i) => i.mime)).toEqual(['image/png', 'image/png']);
      expect((await sharp(result.images[0].data).metadata()).width).toBe(1024);
    } finally {
      await compat.close();
    }
  });

  it('refuses image-to-image and oversized batches before calling OpenAI', async () => {
    const init = { data: Buffer.from('x'), mime: 'image/png', strength: 0.5 };
    const { result: errs, requests } = await during(() => Promise.all([
      failure(engineFor().generate(imageRequest({ init }), recordingContext())),
      failure(engineFor().generate(imageRequest({ batch: 11 }), recordingContext())),
      failure(engineFor({ options: { model: 'dall-e-3' } }).generate(imageRequest({ batch: 5 }), recordingContext())),
    ]));
    expect(errs.map((e) => e.kind)).toEqual(['unsupported', 'unsupported', 'unsupported']);
    expect(requests).toEqual([]);
  });
});

describe('OpenAI Images adapter: cancel', () => {
  it('closes the held request and ends cancelled', async () => {
    const held = server.holdNext();
    const abort = new AbortController();
    const running = failure(engineFor().generate(imageRequest(), recordingContext(abort.signal)));
    await held.started;
    abort.abort();
    const err = await running;
    expect(err.kind).toBe('cancelled');
    expect(err.message).toMatch(/request .* was closed/);
    expect(await held.stopped).toBe(true);
  });

  it('a released held request finishes normally', async () => {
    const held = server.holdNext();
    const running = engineFor().generate(imageRequest(), recordingContext());
    await held.started;
    held.release();
    expect((await running).images).toHaveLength(1);
    expect(await held.stopped).toBe(false);
  });

  it('does not call OpenAI when already cancelled', async () => {
    const abort = new AbortController();
    abort.abort();
    const { result: err, requests } = await during(() => failure(engineFor().generate(imageRequest(), recordingContext(abort.signal))));
    expect(err.kind).toBe('cancelled');
    expect(requests).toEqual([]);
  });
});

describe('OpenAI Images adapter: errors', () => {
  it('a wrong key is an auth failure with OpenAI\'s message', async () => {
    const err = await failure(engineFor({ apiKey: 'sk-wrong-key-00000000' }).generate(imageRequest(), recordingContext()));
    expect([err.kind, err.status]).toEqual(['auth', 401]);
    expect(err.message).toMatch(/Incorrect API key provided: sk-wron\*+0000\. .*\(invalid_api_key\)/);
  });

  it('a rate limit is transient', async () => {
    server.failNext(429);
    const err = await failure(engineFor().generate(imageRequest(), recordingContext()));
    expect([err.kind, err.status]).toEqual(['transient', 429]);
    expect(err.message).toMatch(/Rate limit reached for gpt-image-1 .*\(rate_limit_exceeded\)/);
  });

  it('an exhausted quota is rejected with a clear message (a retry cannot help)', async () => {
    server.failNext(429, 'insufficient_quota');
    const err = await failure(engineFor().generate(imageRequest(), recordingContext()));
    expect([err.kind, err.status]).toEqual(['rejected', 429]);
    expect(err.message).toMatch(/out of quota — add credit or raise the usage limit at OpenAI; retrying will not help\. \(You exceeded your current quota/);
  });

  it('a prompt blocked by moderation (GPT image) or content policy (DALL·E) is rejected with OpenAI\'s message', async () => {
    server.failNext(400, 'moderation_blocked');
    const blocked = await failure(engineFor().generate(imageRequest(), recordingContext()));
    expect([blocked.kind, blocked.status]).toEqual(['rejected', 400]);
    expect(blocked.message).toMatch(/refused the prompt \(safety system\): Your request was rejected by the safety system\. .*safety_violations=\[sexual\]/);

    server.failNext(400, 'content_policy_violation');
    const policy = await failure(engineFor({ options: { model: 'dall-e-3' } }).generate(imageRequest(), recordingContext()));
    expect([policy.kind, policy.status]).toEqual(['rejected', 400]);
    expect(policy.message).toMatch(/refused the prompt \(safety system\): Your request was rejected as a result of our safety system/);
  });

  it('other errors keep OpenAI\'s message and code', async () => {
    server.failNext(500);
    const down = await failure(engineFor().generate(imageRequest(), recordingContext()));
    expect([down.kind, down.status]).toEqual(['transient', 500]);
    expect(down.message).toMatch(/The server had an error while processing your request/);

    server.failNext(400);
    const bad = await failure(engineFor().generate(imageRequest(), recordingContext()));
    expect([bad.kind, bad.status]).toEqual(['rejected', 400]);
    expect(bad.message).toMatch(/Invalid value: '999x999'\. Supported values are: .* \(invalid_value\)/);

    const unknown = await failure(engineFor({ options: { model: 'gpt-image-9' } }).generate(imageRequest(), recordingContext()));
    expect([unknown.kind, unknown.status]).toEqual(['rejected', 404]);
    expect(unknown.message).toMatch(/The model `gpt-image-9` does not exist or you do not have access to it\. \(model_not_found\)/);
  });

  it('a closed port is unreachable', async () => {
    const err = await failure(engineFor({ url: `http://127.0.0.1:${await closedPort()}/v1` }).generate(imageRequest(), recordingContext()));
    expect(err.kind).toBe('unreachable');
  });
});

describe('OpenAI Images adapter: test connection', () => {
  it('lists the model ids and finds the configured model', async () => {
    const { result: report, requests } = await during(() => engineFor().testConnection());
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models']);
    expect(requests[0].headers.authorization).toBe(`Bearer ${OPENAI_TEST_KEY}`);
    expect(report).toMatchObject({ ok: true, reachable: true, auth: 'ok', missing: [] });
    expect(report.models).toContain('gpt-image-1');
    expect(report.message).toBe('Reachable, key accepted, 7 models listed including gpt-image-1.');
  });

  it('reports a configured model the key cannot use, and an unpriced model', async () => {
    const report = await engineFor({ options: { model: 'gpt-image-1.5' } }).testConnection();
    expect(report).toMatchObject({ ok: false, reachable: true, auth: 'ok', missing: [{ kind: 'model', name: 'gpt-image-1.5', neededBy: 'engine settings (model)' }] });
    expect(report.message).toMatch(/but not gpt-image-1\.5 .*No price is known for gpt-image-1\.5/);
  });

  it('reports a refused key, an address without the API, and an unreachable one', async () => {
    const bad = await engineFor({ apiKey: 'sk-wrong-key-00000000' }).testConnection();
    expect(bad).toMatchObject({ ok: false, reachable: true, auth: 'failed', models: [] });
    expect(bad.message).toMatch(/refused the credentials \(HTTP 401\)/);

    const elsewhere = await engineFor({ url: server.url.replace(/\/v1$/, '/v2') }).testConnection();
    expect(elsewhere).toMatchObject({ ok: false, reachable: true, auth: 'unknown' });
    expect(elsewhere.message).toMatch(/Invalid URL \(GET \/v2\/models\).*does not list its models/);

    const down = await engineFor({ url: `http://127.0.0.1:${await closedPort()}/v1` }).testConnection();
    expect(down).toMatchObject({ ok: false, reachable: false, auth: 'unknown' });
  });
});
