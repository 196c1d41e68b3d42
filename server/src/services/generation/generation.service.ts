// Generation: from the user's request to stored results. `create` assembles and screens the
// prompts, prices the work, and queues one job per generation with the spend, in one transaction.
// The job (`run`) walks the fallback chain — the highest-priority engine that is up and has a free
// slot; a busy self-hosted engine lets the job overflow to the next free self-hosted one; a paid
// API is used only when the engines before it are down or failed — and records every engine it
// tried and why it moved on. Results go to the vault through the ingest pipeline (images) or onto
// the generation (texts). Progress is pushed live and stored; cancel reaches the engine; a job cut
// off by a restart resumes from the engine's own state where the adapter can.
import { randomInt, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ConflictError, NotFoundError, OperationalError, UnsafeContentError, UserError, ValidationError } from '../../errors.ts';
import { EngineError, type RunContext } from '../../engines/engine.ts';
import type { ImageRequest } from '../../engines/image/image.ts';
import type { TextRequest, TextTask } from '../../engines/text/text.ts';
import { textTaskOutputs, textTaskSchema } from '../../engines/text/tasks.ts';
import type { LiveEvent } from '../../infra/events.ts';
import type { Storage } from '../../infra/storage/storage.ts';
import type { Transactor } from '../../infra/transactions.ts';
import { JobName, type JobFailure, type JobResult } from '../../jobs/jobs.ts';
import type { AssetRepository } from '../../repositories/asset.repository.ts';
import type { CharacterRepository, CharacterRow } from '../../repositories/character.repository.ts';
import type { CreditRepository } from '../../repositories/credit.repository.ts';
import type { GenerationInsert, GenerationRepository, GenerationRow } from '../../repositories/generation.repository.ts';
import type { ReferencePhotoRepository } from '../../repositories/reference-photo.repository.ts';
import type { SafetyBlockRepository } from '../../repositories/safety-block.repository.ts';
import { characterGenerationSettings, type CreateGenerationBody, type GenerationDto } from '../../schemas/generation.schemas.ts';
import { assertPromptsScreened, buildImagePrompt, exportPrompts } from '../prompt-builder.ts';
import { screenDocument } from '../safety/prompt-screen.ts';
import type { SafetyReviewService } from '../safety/safety-review.service.ts';
import type { IngestService } from '../vault/ingest.service.ts';
import type { CreditService } from './credit.service.ts';
import type { EngineDirectory, EngineHandle, RunnableKind } from './engine-directory.ts';
import type { EnginePool } from './engine-pool.ts';
import { assembleImagePrompt, BASE_NEGATIVE, buildTextPrompt, finishText, negativePromptProblem, personaBrief, sizeFor } from './prompts.ts';

type GenRepos = { generations: GenerationRepository; credits: CreditRepository; safetyBlocks: SafetyBlockRepository };

/** How long an engine that was unreachable, or refused our key, is skipped before it is asked again. */
const DOWN_SECONDS = { unreachable: 30, auth: 300 } as const;
/** Progress is stored at most this often (and pushed live at most PUSH_MS). */
const STORE_MS = 1000;
const PUSH_MS = 250;
/** Earlier texts of the task that the next one must not repeat. */
const AVOID_RECENT = 10;

interface TextParams { kind: 'text'; task: TextTask; idea: string; replyTo: string | null; seed: number; engineId: string | null; model: string | null }
interface ImageParams {
  kind: 'image'; task: 'image' | 'card'; idea: string; style: string | null; aspect: ImageRequest['aspect']; batch: number; seed: number;
  variationId: string | null; userNegative: string; cardText: string | null; cardLayout: 'quote' | 'text' | 'photo-caption' | null; engineId: string | null;
  checkpoint: string | null; lora: { name: string; weight: number } | null; workflow: string | null;
  /** "vary": the asset to start from and how far to move from it. */
  init: { assetId: string; strength: number } | null;
  parentId: string | null;
}
type Params = TextParams | ImageParams;

/** A failure that ends the generation (no retry), with what the user should see. */
class FinalFailure extends Error {
  readonly details: Array<Record<string, unknown>> | null;
  constructor(message: string, details: Array<Record<string, unknown>> | null = null) { super(message); this.details = details; }
}
class Cancelled extends Error {}

/** What a run reads before the engine call, loaded once per run (before an engine slot is taken). */
interface RunInputs {
  character(): Promise<CharacterRow>;
  avoid(): Promise<string[]>;
  referenceFaces(): Promise<ImageRequest['referenceFaces']>;
  card(): Promise<ImageRequest['card']>;
  init(): Promise<ImageRequest['init']>;
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null;
  return () => (p ??= fn());
}

function toGenerationDto(g: GenerationRow): GenerationDto {
  const actions: GenerationDto['actions'] = [];
  if (g.status === 'queued' || g.status === 'running') actions.push('cancel');
  else actions.push('regenerate');
  if (g.status === 'succeeded' && g.kind === 'image' && g.task === 'image' && g.results.some((r) => typeof r.assetId === 'string')) actions.push('vary');
  return {
    id: g.id, characterId: g.characterId, batchId: g.batchId, kind: g.kind, task: g.task, status: g.status, percent: g.percent, stage: g.stage,
    params: g.params, prompt: g.prompt, negativePrompt: g.negativePrompt, engineConfigId: g.engineConfigId, engineAdapter: g.engineAdapter,
    engineName: g.engineName, model: g.model, attempts: g.attempts, results: g.results, error: g.error, errorDetails: g.errorDetails ?? null,
    credits: g.credits, actions, createdAt: g.createdAt.toISOString(), startedAt: g.startedAt?.toISOString() ?? null, finishedAt: g.finishedAt?.toISOString() ?? null,
  };
}

function characterSettings(c: CharacterRow & { generationSettings?: unknown }) {
  const parsed = characterGenerationSettings.safeParse(c.generationSettings ?? {});
  return parsed.success ? parsed.data : characterGenerationSettings.parse({});
}

export class GenerationService {
  private readonly generations: GenerationRepository;
  private readonly characters: Pick<CharacterRepository, 'getForPrompt'>;
  private readonly photos: Pick<ReferencePhotoRepository, 'listForCharacter'>;
  private readonly assets: Pick<AssetRepository, 'approvedImagesOf' | 'get'>;
  private readonly storage: Pick<Storage, 'get'>;
  private readonly tx: Transactor<GenRepos>;
  private readonly directory: EngineDirectory;
  private readonly pool: EnginePool;
  private readonly ingest: Pick<IngestService, 'ingest'>;
  private readonly safety: Pick<SafetyReviewService, 'guard' | 'recordIn'>;
  private readonly credits: CreditService;
  private readonly publish: (userId: string, e: LiveEvent) => Promise<void>;
  private readonly log: Logger;
  /** Generations this process is running: their cancel switches. */
  private readonly running = new Map<string, AbortController>();

  constructor(deps: {
    generations: GenerationRepository; characters: Pick<CharacterRepository, 'getForPrompt'>; photos: Pick<ReferencePhotoRepository, 'listForCharacter'>;
    assets: Pick<AssetRepository, 'approvedImagesOf' | 'get'>; storage: Pick<Storage, 'get'>; tx: Transactor<GenRepos>; directory: EngineDirectory; pool: EnginePool;
    ingest: Pick<IngestService, 'ingest'>; safety: Pick<SafetyReviewService, 'guard' | 'recordIn'>; credits: CreditService;
    publish: (userId: string, e: LiveEvent) => Promise<void>; log: Logger;
  }) {
    this.generations = deps.generations;
    this.characters = deps.characters;
    this.photos = deps.photos;
    this.assets = deps.assets;
    this.storage = deps.storage;
    this.tx = deps.tx;
    this.directory = deps.directory;
    this.pool = deps.pool;
    this.ingest = deps.ingest;
    this.safety = deps.safety;
    this.credits = deps.credits;
    this.publish = deps.publish;
    this.log = deps.log;
  }

  // ---- asking for generations ----

  async create(userId: string, characterId: string, body: CreateGenerationBody): Promise<GenerationDto[]> {
    const c = await this.characters.getForPrompt(userId, characterId);
    if (!c) throw new NotFoundError('Character');
    if (c.status === 'archived') throw new ConflictError('This character is archived. Restore it to generate for it.');
    const overrides = characterSettings(c);
    const batchId = randomUUID();
    const specs: Params[] = [];
    if (body.kind === 'text') {
      const first = body.seed ?? randomInt(2 ** 31 - 1);
      for (let i = 0; i < body.count; i++) {
        specs.push({ kind: 'text', task: body.task, idea: body.idea, replyTo: body.replyTo ?? null, seed: (first + i) % (2 ** 31 - 1), engineId: body.engineId ?? overrides.text.engineId ?? null, model: overrides.text.model ?? null });
      }
    } else {
      if (body.variationId && !c.appearance.variations.some((v) => v.id === body.variationId)) throw new ValidationError('That appearance variation does not exist.', [{ path: ['variationId'], message: 'unknown variation' }]);
      const problem = negativePromptProblem(body.negativePrompt);
      if (problem) throw new ValidationError(problem, [{ path: ['negativePrompt'], message: problem }]);
      const styles = body.styles.length ? body.styles : [overrides.image.stylePreset ?? null];
      const first = body.seed ?? randomInt(2 ** 31 - 1);
      styles.forEach((style, i) => specs.push({
        kind: 'image', task: body.task, idea: body.idea, style, aspect: body.aspect, batch: body.batch, seed: (first + i * body.batch) % (2 ** 31 - 1),
        variationId: body.variationId ?? null, userNegative: body.negativePrompt, cardText: body.cardText ?? null, cardLayout: body.cardLayout ?? null,
        // A character's image engine paints; cards are the compositor's unless one is chosen here.
        engineId: body.engineId ?? (body.task === 'card' ? null : overrides.image.engineId ?? null), checkpoint: overrides.image.checkpoint ?? null, lora: overrides.image.lora ?? null,
        workflow: overrides.image.workflow ?? null, init: null, parentId: null,
      }));
    }
    return this.queue(userId, c, batchId, specs);
  }

  /** The same request again, with a new seed. */
  async regenerate(userId: string, id: string): Promise<GenerationDto[]> {
    const g = await this.generations.get(userId, id);
    if (!g) throw new NotFoundError('Generation');
    const c = await this.characters.getForPrompt(userId, g.characterId);
    if (!c) throw new NotFoundError('Character');
    const params = { ...(g.params as unknown as Params), seed: randomInt(2 ** 31 - 1) } as Params;
    if (params.kind === 'image') params.parentId = g.id;
    return this.queue(userId, c, randomUUID(), [params]);
  }

  /** A variation of an image result: the same prompt, starting from that image (img2img). */
  async vary(userId: string, id: string, strength: number): Promise<GenerationDto[]> {
    const g = await this.generations.get(userId, id);
    if (!g) throw new NotFoundError('Generation');
    const assetId = g.results.map((r) => r.assetId).find((a): a is string => typeof a === 'string');
    if (g.kind !== 'image' || g.task !== 'image' || g.status !== 'succeeded' || !assetId) throw new ConflictError('Only a finished image generation can be varied.');
    const c = await this.characters.getForPrompt(userId, g.characterId);
    if (!c) throw new NotFoundError('Character');
    const params = { ...(g.params as unknown as ImageParams), seed: randomInt(2 ** 31 - 1), init: { assetId, strength }, parentId: g.id, batch: 1 };
    return this.queue(userId, c, randomUUID(), [params]);
  }

  private async queue(userId: string, c: CharacterRow, batchId: string, specs: Params[]): Promise<GenerationDto[]> {
    const rows: GenerationInsert[] = [];
    // The character (once) and each final prompt are screened before anything is queued or charged.
    await this.safety.guard(userId, 'generation.create', () => assertPromptsScreened(c));
    for (const p of specs) {
      const { prompt, negative, screened } = this.prompts(c, p);
      await this.safety.guard(userId, 'generation.create', () => {
        const doc = screenDocument(screened);
        if (doc.blocked) {
          throw new UnsafeContentError(
            `This can't be generated. ${doc.reasons[0] ?? ''}`.trim(),
            { field: 'the generation request', rule: doc.rule ?? 'sexual-with-minor', terms: [...doc.sexualTerms, ...doc.minorTerms], text: Object.values(screened).join('\n') },
            { sexualTerms: doc.sexualTerms, minorTerms: doc.minorTerms },
          );
        }
      });
      const chain = this.capable(await this.directory.chain(userId, p.kind, p.engineId), p);
      if (chain.length === 0) throw this.noEngine(p);
      const units = p.kind === 'image' ? p.batch : 1;
      const price = await this.credits.unitPrice(p.kind, chain[0]!.creditsPerUnit);
      rows.push({ userId, characterId: c.id, batchId, kind: p.kind, task: p.task, params: p as unknown as Record<string, unknown>, prompt, negativePrompt: negative, credits: price * units });
    }
    const creditSettings = await this.credits.config();
    const inserted = await this.tx.run(async (t) => {
      const out = await t.repos.generations.insert(rows);
      for (const g of out) {
        await this.credits.spendIn(t, creditSettings, userId, g.id, g.credits, `${g.kind} ${g.task} for ${c.name}`);
        await t.jobs.send(JobName.GenerationRun, { generationId: g.id }, { singletonKey: g.id });
        await t.events.emit(userId, { type: 'GenerationQueued', data: { generationId: g.id, characterId: c.id, kind: g.kind } });
      }
      return out;
    });
    return inserted.map(toGenerationDto);
  }

  private noEngine(p: Params): UserError {
    if (p.engineId) return new ValidationError('The chosen engine is not available (disabled, removed, or of another kind). Pick another engine or "best available".', [{ path: ['engineId'], message: 'engine not available' }]);
    if (p.kind === 'image' && p.task === 'image') {
      return new ConflictError('No image engine is set up. Add ComfyUI, AUTOMATIC1111 / Forge or OpenAI Images in Settings → Engines — or make a card, which works offline.', { reason: 'no_engine' });
    }
    return new ConflictError(`No ${p.kind} engine can do this. Check Settings → Engines.`, { reason: 'no_engine' });
  }

  /** The final prompt, the negative prompt, and the texts the screen reads together. */
  private prompts(c: CharacterRow, p: Params): { prompt: string; negative: string; screened: Record<string, string> } {
    if (p.kind === 'text') {
      const prompt = buildTextPrompt(p.task, p.idea, { avoid: [], replyTo: p.replyTo });
      const screened: Record<string, string> = { idea: p.idea };
      if (p.replyTo) screened.comment = p.replyTo;
      return { prompt, negative: '', screened };
    }
    const base = buildImagePrompt(c, p.variationId ?? undefined);
    const prompt = p.task === 'card' ? (p.cardText || p.idea || c.bio || c.name) : assembleImagePrompt(base, p.style, p.idea);
    const negative = [BASE_NEGATIVE, p.userNegative].filter(Boolean).join(', ');
    const screened: Record<string, string> = { idea: p.idea, prompt: p.task === 'card' ? prompt : `${prompt}` };
    if (p.cardText) screened.card = p.cardText;
    return { prompt, negative, screened };
  }

  /** The chain's engines that can do this request (capabilities only, never adapter ids). */
  private capable<K extends RunnableKind>(chain: Array<EngineHandle<K>>, p: Params): Array<EngineHandle<K>> {
    return chain.filter((h) => {
      if (p.kind === 'text') {
        const caps = (h as EngineHandle<'text'>).engine.capabilities;
        return caps.tasks.includes(p.task);
      }
      const caps = (h as EngineHandle<'image'>).engine.capabilities;
      if (p.task === 'card') return caps.cards;
      if (caps.cards) return false;
      if (p.init && !caps.imageToImage) return false;
      return true;
    });
  }

  // ---- reading ----

  async get(userId: string, id: string): Promise<GenerationDto> {
    const g = await this.generations.get(userId, id);
    if (!g) throw new NotFoundError('Generation');
    return toGenerationDto(g);
  }

  async list(userId: string, q: Parameters<GenerationRepository['list']>[1]) {
    const page = await this.generations.list(userId, q);
    return { items: page.items.map(toGenerationDto), nextCursor: page.nextCursor };
  }

  // ---- cancelling ----

  async cancel(userId: string, id: string): Promise<GenerationDto> {
    const out = await this.tx.run(async (t) => {
      const g = await t.repos.generations.lockForUpdate(id);
      if (!g || g.userId !== userId) throw new NotFoundError('Generation');
      if (g.status === 'queued') {
        const done = await this.finishIn(t, g, { status: 'cancelled', stage: 'cancelled', error: null });
        return { row: done, notify: false };
      }
      if (g.status === 'running') {
        const row = await t.repos.generations.update(id, { cancelRequestedAt: new Date(), stage: 'cancelling' }, ['running']);
        return { row: row ?? g, notify: true };
      }
      throw new ConflictError(`This generation has already ${g.status === 'succeeded' ? 'finished' : g.status}.`, { status: g.status });
    });
    if (out.notify) {
      this.running.get(id)?.abort(); // here at once; other worker processes hear it via NOTIFY
      await this.onCancelRequested(id);
    }
    return toGenerationDto(out.row);
  }

  /** Set by the composition root: tells every process (NOTIFY) that `id` was cancelled. */
  onCancelRequested: (id: string) => Promise<void> = async () => {};

  /** A cancel heard from another process (or this one): aborts the engine call if it runs here. */
  abortLocal(id: string): void {
    this.running.get(id)?.abort();
  }

  // ---- running (job GenerationRun) ----

  async run({ generationId }: { generationId: string }): Promise<JobResult> {
    const g0 = await this.generations.getForRun(generationId);
    if (!g0) return { status: 'skipped', reason: 'generation deleted' };
    if (g0.status !== 'queued' && g0.status !== 'running') return { status: 'skipped', reason: `already ${g0.status}` };
    if (g0.cancelRequestedAt) {
      await this.tx.run(async (t) => { await this.finishIn(t, g0, { status: 'cancelled', stage: 'cancelled', error: null }); });
      return { status: 'skipped', reason: 'cancelled' };
    }
    const g = await this.generations.update(generationId, { status: 'running', stage: g0.resumeState ? 'resuming' : 'starting', startedAt: g0.startedAt ?? new Date() }, ['queued', 'running']);
    if (!g) return { status: 'skipped', reason: 'changed meanwhile' };
    await this.pushProgress(g, g.percent, g.stage);
    const controller = new AbortController();
    this.running.set(g.id, controller);
    try {
      await this.runChain(g, controller.signal);
      return { status: 'success' };
    } catch (err) {
      if (err instanceof Cancelled || (err instanceof EngineError && err.kind === 'cancelled')) {
        await this.tx.run(async (t) => { await this.finishIn(t, g, { status: 'cancelled', stage: 'cancelled', error: null }); });
        return { status: 'skipped', reason: 'cancelled' };
      }
      if (err instanceof FinalFailure) {
        await this.tx.run(async (t) => { await this.finishIn(t, g, { status: 'failed', stage: 'failed', error: err.message, errorDetails: err.details }); });
        return { status: 'failed', reason: err.message };
      }
      throw err; // transient: the queue retries with backoff; onRunFailed records the end
    } finally {
      this.running.delete(g.id);
    }
  }

  /** Dead letter: retries ran out (every engine kept failing or was down). */
  async onRunFailed({ generationId }: { generationId: string }, failure: JobFailure): Promise<void> {
    await this.tx.run(async (t) => {
      const g = await t.repos.generations.lockForUpdate(generationId);
      if (!g || (g.status !== 'queued' && g.status !== 'running')) return;
      await this.finishIn(t, g, { status: g.cancelRequestedAt ? 'cancelled' : 'failed', stage: 'failed', error: failure.permanent ? failure.reason : `Gave up after several tries: ${failure.reason}` });
    });
  }

  /** Queued or running generations whose job is gone (restore, a job deleted by hand): queued again. */
  async reconcile(olderThan: Date, hasLiveJob: (id: string) => Promise<boolean>, requeue: (id: string) => Promise<void>): Promise<{ requeued: number; failed: number }> {
    let requeued = 0;
    const failed = 0;
    for (const g of await this.generations.stale(olderThan)) {
      if (this.running.has(g.id) || (await hasLiveJob(g.id))) continue;
      await requeue(g.id);
      requeued++;
    }
    return { requeued, failed };
  }

  private async runChain(g: GenerationRow, signal: AbortSignal): Promise<void> {
    const p = g.params as unknown as Params;
    let chain = this.capable(await this.directory.chain(g.userId, p.kind, p.engineId), p);
    if (chain.length === 0) throw new FinalFailure(this.noEngine(p).message);
    // A re-run after a restart goes back to the engine that has the work, when it can resume it.
    if (g.resumeState) {
      const i = chain.findIndex((h) => h.configId === g.resumeState!.engineConfigId);
      if (i > 0) chain = [chain[i]!, ...chain.slice(0, i), ...chain.slice(i + 1)];
    }
    const inputs = this.inputsFor(g, p);
    await inputs.character();
    if (p.kind === 'text') await inputs.avoid();
    else {
      const caps = chain.map((h) => (h as EngineHandle<'image'>).engine.capabilities);
      if (caps.some((c) => c.referenceFace)) await inputs.referenceFaces();
      if (caps.some((c) => c.cards)) await inputs.card();
      if (p.init) await inputs.init();
    }
    const attempts = [...g.attempts];
    const note = async (h: EngineHandle, outcome: string, reason: string) => {
      attempts.push({ engine: h.name, adapter: h.adapter, engineConfigId: h.configId, outcome, reason, at: new Date().toISOString() });
      await this.generations.update(g.id, { attempts });
    };
    const remaining = [...chain];
    const noted = new Set<string>();
    let lastTransient: EngineError | null = null;
    // Whether waiting could help: an engine was unreachable or busy with a passing error. Refused
    // credentials and refused requests need the user; then the generation fails at once.
    let mayRecover = false;
    while (remaining.length > 0) {
      if (signal.aborted) throw new Cancelled();
      // Skip engines that are down; take the first free one (a paid API only when it is first).
      let picked: EngineHandle | null = null;
      for (const h of [...remaining]) {
        const down = this.pool.downReason(h.key);
        if (down) {
          if (this.pool.mayRecover(h.key)) mayRecover = true;
          if (!noted.has(h.key)) { noted.add(h.key); await note(h, 'skipped', down); }
          remaining.splice(remaining.indexOf(h), 1);
          continue;
        }
        const firstUp = remaining.find((x) => !this.pool.downReason(x.key));
        const paid = h.engine.capabilities.cost !== null;
        if (paid && h !== firstUp) continue; // overflow never spends money
        if (this.pool.tryAcquire(h.key, h.concurrency)) { picked = h; break; }
      }
      if (!picked) {
        if (remaining.length === 0) break;
        await this.generations.update(g.id, { stage: 'waiting for a free engine' }, ['running']);
        await this.pool.waitForRelease(signal);
        continue;
      }
      // The engine's slot is held for the engine call only; storing the results (ingest, the
      // final transaction) happens after it is free again, so the next job can use the engine.
      let finish: (() => Promise<void>) | undefined;
      try {
        finish = await this.callEngine(g, picked, p, inputs, signal);
        this.pool.markUp(picked.key);
      } catch (err) {
        if (!(err instanceof EngineError)) throw err;
        if (err.kind === 'cancelled' || signal.aborted) throw new Cancelled();
        remaining.splice(remaining.indexOf(picked), 1);
        await note(picked, err.kind, err.message);
        if (err.kind === 'unreachable' || err.kind === 'auth') {
          this.pool.markDown(picked.key, DOWN_SECONDS[err.kind], err.kind === 'auth' ? `refused the credentials: ${err.message}` : `unreachable: ${err.message}`, err.kind === 'unreachable');
          if (err.kind === 'unreachable') mayRecover = true;
          continue;
        }
        if (err.kind === 'transient') { lastTransient = err; mayRecover = true; continue; }
        if (err.kind === 'invalid_output' || err.kind === 'unsupported') {
          if (remaining.length) continue;
          throw new FinalFailure(`${picked.name}: ${err.message}`);
        }
        // rejected: the engine's own reason (and ComfyUI's node errors) for the user
        throw new FinalFailure(`${picked.name}: ${err.message}`, err.nodeErrors.length ? err.nodeErrors.map((n) => ({ ...n })) : null);
      } finally {
        this.pool.release(picked.key);
      }
      if (finish) {
        await finish();
        return;
      }
    }
    const why = attempts.filter((a) => a.outcome !== 'succeeded').map((a) => `${a.engine}: ${a.reason}`).join('; ');
    if (!mayRecover) throw new FinalFailure(`No engine could run this. ${why}`);
    if (lastTransient) throw new OperationalError(`${lastTransient.message} (will try again)`, { cause: lastTransient });
    throw new OperationalError(`No engine could run this now; trying again shortly. ${why}`);
  }

  private runContext(g: GenerationRow, h: EngineHandle, signal: AbortSignal): RunContext {
    let lastStore = 0;
    let lastPush = 0;
    let lastStage = '';
    return {
      signal,
      resumeState: g.resumeState && g.resumeState.engineConfigId === h.configId ? g.resumeState.state : null,
      progress: ({ percent, stage }) => {
        const pct = Math.max(0, Math.min(99, Math.round(percent)));
        const now = Date.now();
        if (stage !== lastStage || now - lastStore >= STORE_MS) {
          lastStore = now;
          lastStage = stage;
          void this.generations.setProgress(g.id, pct, stage).catch((err) => this.log.warn({ err, generationId: g.id }, 'could not store progress'));
        }
        if (now - lastPush >= PUSH_MS || pct >= 99) {
          lastPush = now;
          void this.pushProgress(g, pct, stage);
        }
      },
      checkpoint: async (state) => {
        await this.generations.update(g.id, { resumeState: { engineConfigId: h.configId, state } });
      },
    };
  }

  private async pushProgress(g: GenerationRow, percent: number, stage: string): Promise<void> {
    await this.publish(g.userId, { type: 'generation.updated', data: { id: g.id, characterId: g.characterId, status: 'running', percent, stage } })
      .catch((err) => this.log.warn({ err }, 'could not push progress'));
  }

  /** Runs the engine call; resolves with the step that stores its results (run once the slot is free). */
  private async callEngine(g: GenerationRow, h: EngineHandle, p: Params, inputs: RunInputs, signal: AbortSignal): Promise<() => Promise<void>> {
    const started = performance.now();
    // Not awaited: the engine call starts at once; the row follows.
    void this.generations.update(g.id, { stage: `starting on ${h.name}`, engineConfigId: h.configId, engineAdapter: h.adapter, engineName: h.name }, ['running'])
      .catch((err) => this.log.warn({ err, generationId: g.id }, 'could not store the stage'));
    const ctx = this.runContext(g, h, signal);
    const usage = async (outcome: 'succeeded' | 'failed' | 'cancelled', units: number, usd: number | null) => {
      const cost = h.engine.capabilities.cost;
      await this.generations.addUsage({
        userId: g.userId, generationId: g.id, characterId: g.characterId, engineConfigId: h.configId, adapter: h.adapter, engineName: h.name,
        kind: g.kind, outcome, units, unit: cost?.unit ?? (p.kind === 'image' ? 'image' : 'text'), seconds: (performance.now() - started) / 1000, usd,
      }).catch((err) => this.log.warn({ err }, 'could not record usage'));
    };
    try {
      if (p.kind === 'text') return await this.runText(g, h as EngineHandle<'text'>, p, inputs, ctx, usage);
      return await this.runImage(g, h as EngineHandle<'image'>, p, inputs, ctx, usage);
    } catch (err) {
      await usage(err instanceof EngineError && err.kind === 'cancelled' ? 'cancelled' : 'failed', 0, null);
      throw err;
    }
  }

  private async runText(g: GenerationRow, h: EngineHandle<'text'>, p: TextParams, inputs: RunInputs, ctx: RunContext, usage: (o: 'succeeded', units: number, usd: number | null) => Promise<void>) {
    const c = await inputs.character();
    const brief = personaBrief(c);
    const avoid = await inputs.avoid();
    const req: TextRequest = {
      task: p.task, system: exportPrompts(c).systemPrompt, prompt: buildTextPrompt(p.task, p.idea, { avoid, replyTo: p.replyTo }),
      schema: textTaskSchema(p.task), brief, idea: p.idea, avoid, replyTo: p.replyTo, seed: p.seed, maxTokens: p.task === 'video-script' || p.task === 'x-thread' ? 1500 : 600,
      model: p.model ?? null,
    };
    const res = await h.engine.generate(req, ctx);
    const parsed = textTaskOutputs[p.task].safeParse(res.output);
    if (!parsed.success) {
      throw new EngineError('invalid_output', `The answer did not have the expected shape (${z.prettifyError(parsed.error).split('\n')[0]}).`);
    }
    const result = finishText(p.task, parsed.data as never, brief);
    // What a model wrote is screened like what a user writes; a block ends the generation.
    const text = String(result.text ?? '');
    const doc = screenDocument({ text });
    if (doc.blocked) {
      await this.tx.run((t) => this.safety.recordIn(t, g.userId, 'generation.output', { field: 'the generated text', rule: doc.rule ?? 'sexual-with-minor', terms: [...doc.sexualTerms, ...doc.minorTerms], text }));
      throw new FinalFailure('The engine wrote something the safety screen refuses, so it was discarded. Try again with another idea.');
    }
    const units = (res.usage.inputTokens ?? 0) + (res.usage.outputTokens ?? 0);
    const cost = h.engine.capabilities.cost;
    const usd = cost?.unit === '1k-tokens' ? (units / 1000) * cost.usd : cost?.unit === 'request' ? cost.usd : null;
    return async () => {
      await usage('succeeded', h.engine.capabilities.cost?.unit === '1k-tokens' ? units : 1, usd);
      await this.succeed(g, h, res.model, [{ ...result, seed: p.seed }]);
    };
  }

  private async runImage(g: GenerationRow, h: EngineHandle<'image'>, p: ImageParams, inputs: RunInputs, ctx: RunContext, usage: (o: 'succeeded', units: number, usd: number | null) => Promise<void>) {
    const c = await inputs.character();
    const caps = h.engine.capabilities;
    const { width, height } = sizeFor(p.aspect, caps);
    const referenceFaces = caps.referenceFace ? await inputs.referenceFaces() : [];
    const card = caps.cards ? await inputs.card() : { layout: 'quote' as const, text: '', attribution: '', photo: null, style: null };
    const init = await inputs.init();
    const req: ImageRequest = {
      prompt: g.prompt, negativePrompt: g.negativePrompt, width, height, aspect: p.aspect, seed: p.seed, batch: Math.min(p.batch, caps.maxBatch),
      checkpoint: p.checkpoint, lora: p.lora, workflow: p.workflow, referenceFaces, init, card,
    };
    const images: Array<{ data: Buffer; mime: string; seed: number | null }> = [];
    let model: string | null = null;
    let workflow: { id: string; version: number } | null = null;
    let info: Record<string, unknown> = {};
    // Engines that make fewer per call than asked are called again with the next seeds.
    while (images.length < p.batch) {
      const res = await h.engine.generate({ ...req, batch: Math.min(p.batch - images.length, caps.maxBatch), seed: p.seed + images.length }, ctx);
      if (res.images.length === 0) throw new EngineError('invalid_output', 'The engine finished without an image.');
      images.push(...res.images);
      model = res.model;
      workflow = res.workflow ?? null;
      info = res.info;
    }
    const cost = caps.cost;
    // Into the vault, like an upload: the gates decide (rating, identity, age); the Studio shows it.
    return async () => {
    await usage('succeeded', images.length, cost?.unit === 'image' ? cost.usd * images.length : null);
    ctx.progress({ percent: 99, stage: 'saving to the vault' });
    const results: Array<Record<string, unknown>> = [];
    for (const [i, img] of images.entries()) {
      const generation = {
        generationId: g.id, prompt: g.prompt, negativePrompt: g.negativePrompt, seed: img.seed ?? p.seed + i, width, height, aspect: p.aspect,
        style: p.style, engine: h.name, adapter: h.adapter, model, workflow, checkpoint: p.checkpoint, lora: p.lora, info, task: p.task,
        startedAt: g.startedAt?.toISOString() ?? null, finishedAt: new Date().toISOString(),
      };
      const ext = img.mime === 'image/jpeg' ? 'jpg' : img.mime === 'image/webp' ? 'webp' : 'png';
      try {
        const asset = await this.ingest.ingest({
          userId: g.userId, characterId: g.characterId, source: 'generated', filename: `${c.handle}-${g.id.slice(0, 8)}-${i + 1}.${ext}`,
          prompt: g.prompt, engine: h.name, generation, data: img.data, tags: p.task === 'card' ? ['card'] : [],
        });
        results.push({ assetId: asset.id, seed: generation.seed });
      } catch (err) {
        // The same image already stored (a re-run after a restart): link the existing asset.
        const dup = err instanceof ConflictError ? (err.details as { duplicateOf?: string } | undefined)?.duplicateOf : undefined;
        if (!dup) throw err;
        results.push({ assetId: dup, seed: generation.seed, duplicate: true });
      }
    }
    await this.succeed(g, h, model, results);
    };
  }

  private inputsFor(g: GenerationRow, p: Params): RunInputs {
    const character = once(async () => {
      const c = await this.characters.getForPrompt(g.userId, g.characterId);
      if (!c) throw new FinalFailure('The character was deleted.');
      return c;
    });
    return {
      character,
      avoid: once(async () => {
        const recent = await this.generations.recentTexts(g.userId, g.characterId, g.task, AVOID_RECENT);
        return recent.flat().map((r) => (typeof r.text === 'string' ? r.text : '')).filter(Boolean);
      }),
      referenceFaces: once(() => this.referenceFaces(g.userId, g.characterId)),
      card: once(async () => this.cardSpec(g, await character(), p as ImageParams)),
      init: once(async () => {
        if (p.kind !== 'image' || !p.init) return null;
        const a = await this.assets.get(g.userId, p.init.assetId);
        if (!a || !a.storageKey) throw new FinalFailure('The image to vary is no longer in the vault.');
        return { data: await this.read(a.storageKey), mime: a.mimeType, strength: p.init.strength };
      }),
    };
  }

  private async read(key: string): Promise<Buffer> {
    const { body } = await this.storage.get(key);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
    return Buffer.concat(chunks);
  }

  private async referenceFaces(userId: string, characterId: string): Promise<ImageRequest['referenceFaces']> {
    const photos = (await this.photos.listForCharacter(userId, characterId)).filter((p) => p.status === 'ready' && p.faceCount === 1).slice(0, 4);
    const out: ImageRequest['referenceFaces'] = [];
    for (const ph of photos) out.push({ data: await this.read(ph.storageKey), mime: ph.mimeType, filename: ph.originalName || `${ph.id}.jpg` });
    return out;
  }

  private async cardSpec(g: GenerationRow, c: CharacterRow, p: ImageParams): Promise<ImageRequest['card']> {
    const layout = p.cardLayout ?? 'quote';
    let photo: { data: Buffer; mime: string } | null = null;
    if (layout === 'photo-caption') {
      const approved = await this.assets.approvedImagesOf(g.userId, g.characterId, 20);
      const pickFrom = approved.length ? approved.map((a) => ({ key: a.storageKey, mime: a.mimeType }))
        : (await this.photos.listForCharacter(g.userId, g.characterId)).filter((x) => x.status === 'ready').map((x) => ({ key: x.storageKey, mime: x.mimeType }));
      if (pickFrom.length === 0) throw new FinalFailure('A photo card needs an approved image or a reference photo of this character. Add one, or choose a quote or text card.');
      const chosen = pickFrom[p.seed % pickFrom.length]!;
      photo = { data: await this.read(chosen.key), mime: chosen.mime };
    }
    return { layout, text: g.prompt, attribution: `@${c.handle}`, photo, style: p.style };
  }

  private async succeed(g: GenerationRow, h: EngineHandle, model: string | null, results: Array<Record<string, unknown>>) {
    // The price of the engine that did the work; a cheaper fallback gives back the difference.
    // (Read before the transaction: on the embedded database a read outside it would wait for it.)
    const unit = await this.credits.unitPrice(g.kind, h.creditsPerUnit);
    await this.tx.run(async (t) => {
      const row = await t.repos.generations.lockForUpdate(g.id);
      if (!row || row.status !== 'running') return;
      const p = row.params as unknown as Params;
      const units = p.kind === 'image' ? results.length : 1;
      const actual = Math.min(row.credits, unit * units);
      await t.repos.generations.update(g.id, { model, engineConfigId: h.configId, engineAdapter: h.adapter, engineName: h.name, credits: actual, resumeState: null, attempts: [...row.attempts, { engine: h.name, adapter: h.adapter, engineConfigId: h.configId, outcome: 'succeeded', reason: '', at: new Date().toISOString() }] });
      if (actual < row.credits) await this.credits.refundIn(t, row.userId, row.id, row.credits - actual, `${h.name} cost less than the estimate`);
      await this.finishIn(t, { ...row, credits: actual }, { status: 'succeeded', stage: 'done', error: null, results });
    });
  }

  /** Ends a generation inside a transaction: status, refund for failures and cancels, the event. */
  private async finishIn(
    t: Parameters<Parameters<Transactor<GenRepos>['run']>[0]>[0], g: GenerationRow,
    end: { status: 'succeeded' | 'failed' | 'cancelled'; stage: string; error: string | null; errorDetails?: Array<Record<string, unknown>> | null; results?: Array<Record<string, unknown>> },
  ): Promise<GenerationRow> {
    const row = await t.repos.generations.update(g.id, {
      status: end.status, stage: end.stage, error: end.error, errorDetails: end.errorDetails ?? null, percent: end.status === 'succeeded' ? 100 : g.percent,
      finishedAt: new Date(), resumeState: end.status === 'succeeded' ? null : g.resumeState, ...(end.results ? { results: end.results } : {}),
      ...(end.status !== 'succeeded' ? { credits: 0 } : {}),
    }, ['queued', 'running']);
    if (!row) return g;
    if (end.status !== 'succeeded' && g.credits > 0) {
      await this.credits.refundIn(t, g.userId, g.id, g.credits, end.status === 'cancelled' ? 'Cancelled' : 'The generation failed');
    }
    await t.events.emit(g.userId, { type: 'GenerationFinished', data: { generationId: g.id, characterId: g.characterId, kind: g.kind, status: end.status } });
    return row;
  }
}
