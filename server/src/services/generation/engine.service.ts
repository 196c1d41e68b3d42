// Settings → Engines: the engines a user added, the built-in ones, the adapter catalogue, "test
// connection", the fallback order per kind, per-character overrides and usage. API keys are
// encrypted before they are stored (infra/secrets.ts) and never leave the server: answers carry
// `hasApiKey` only.
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError, isUniqueViolation } from '../../errors.ts';
import type { ConnectionReport, GenerationKind } from '../../engines/engine.ts';
import { EngineError } from '../../engines/engine.ts';
import type { SecretBox } from '../../infra/secrets.ts';
import type { CharacterRepository } from '../../repositories/character.repository.ts';
import type { EngineConfigRepository, EngineConfigRow } from '../../repositories/engine-config.repository.ts';
import type { GenerationRepository } from '../../repositories/generation.repository.ts';
import {
  characterGenerationSettings, type CharacterGenerationSettings, type CreateEngineBody, type EngineDto, type UpdateEngineBody,
} from '../../schemas/generation.schemas.ts';
import { BUILTIN_PREFIX, runnableKind, type EngineDirectory } from './engine-directory.ts';
import type { EnginePool } from './engine-pool.ts';

const TEST_TIMEOUT_MS = 20_000;

function optionsSchemaJson(schema: z.ZodType): Record<string, unknown> {
  try { return z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>; } catch { return {}; }
}

export class EngineService {
  private readonly configs: EngineConfigRepository;
  private readonly characters: Pick<CharacterRepository, 'getForPrompt' | 'setGenerationSettings'>;
  private readonly generations: Pick<GenerationRepository, 'usageByEngine' | 'usageByCharacter'>;
  private readonly directory: EngineDirectory;
  private readonly secrets: SecretBox;
  private readonly pool: Pick<EnginePool, 'markUp'>;

  constructor(deps: {
    configs: EngineConfigRepository; characters: Pick<CharacterRepository, 'getForPrompt' | 'setGenerationSettings'>;
    generations: Pick<GenerationRepository, 'usageByEngine' | 'usageByCharacter'>; directory: EngineDirectory; secrets: SecretBox;
    /** A changed or successfully tested engine is tried again at once, not after its down time. */
    pool: Pick<EnginePool, 'markUp'>;
  }) {
    this.configs = deps.configs;
    this.characters = deps.characters;
    this.generations = deps.generations;
    this.directory = deps.directory;
    this.secrets = deps.secrets;
    this.pool = deps.pool;
  }

  private capabilitiesOf(adapter: string, options: Record<string, unknown> = {}): Record<string, unknown> {
    const d = this.directory.definition(adapter);
    if (!d) return {};
    try {
      const engine = d.create({ url: 'http://127.0.0.1:1', apiKey: null, options, timeoutSeconds: 1 }) as { capabilities?: Record<string, unknown> };
      return { ...(engine.capabilities ?? {}) };
    } catch { return {}; }
  }

  private toDto(r: EngineConfigRow): EngineDto {
    const d = this.directory.definition(r.adapter);
    return {
      id: r.id, kind: r.kind, adapter: r.adapter, adapterName: d?.displayName ?? `${r.adapter} (not available in this version)`, name: r.name, url: r.url,
      hasApiKey: r.hasSecret, options: r.options, enabled: r.enabled, builtIn: false, priority: r.priority, concurrency: r.concurrency,
      timeoutSeconds: r.timeoutSeconds, creditsPerUnit: r.creditsPerUnit, capabilities: this.capabilitiesOf(r.adapter, r.options), lastTest: r.lastTest ?? null,
    };
  }

  /** The user's engines by kind and priority, each kind's built-in engine last, and the catalogue. */
  async list(userId: string) {
    const rows = await this.configs.list(userId);
    const items: EngineDto[] = [];
    const kinds = [...new Set([...rows.map((r) => r.kind), 'text', 'image'])] as GenerationKind[];
    for (const kind of kinds) {
      for (const r of rows.filter((x) => x.kind === kind)) items.push(this.toDto(r));
      if (!runnableKind(kind)) continue;
      for (const h of this.directory.builtinHandles(kind)) {
        items.push({
          id: h.key, kind, adapter: h.adapter, adapterName: h.definition.displayName, name: h.name, url: '', hasApiKey: false, options: {},
          enabled: true, builtIn: true, priority: 1_000_000, concurrency: h.concurrency, timeoutSeconds: 60, creditsPerUnit: null,
          capabilities: { ...h.engine.capabilities }, lastTest: null,
        });
      }
    }
    const adapters = this.directory.adapters().map((d) => ({
      adapter: d.adapter, kind: d.kind, displayName: d.displayName, description: d.description, builtIn: d.builtIn, url: d.url,
      defaultUrl: d.defaultUrl ?? null, apiKey: d.apiKey, options: optionsSchemaJson(d.options),
    }));
    return { items, adapters };
  }

  private checkAdapter(kind: GenerationKind, adapter: string, input: { url?: string; apiKey?: string | null; options?: Record<string, unknown> }) {
    const d = this.directory.definition(adapter);
    if (!d || d.kind !== kind) throw new ValidationError(`There is no ${kind} adapter "${adapter}".`, [{ path: ['adapter'], message: 'unknown adapter' }]);
    if (d.builtIn) throw new ValidationError(`${d.displayName} is built in and needs no setup.`, [{ path: ['adapter'], message: 'built in' }]);
    if (d.url === 'required' && input.url !== undefined && !input.url) throw new ValidationError(`${d.displayName} needs a URL, such as ${d.defaultUrl ?? 'http://127.0.0.1:8080'}.`, [{ path: ['url'], message: 'is required' }]);
    let options: Record<string, unknown> | undefined;
    if (input.options !== undefined) {
      const parsed = d.options.safeParse(input.options);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new ValidationError(`Option ${issue.path.join('.') || ''} ${issue.message}`.replace(/\s+/g, ' '), parsed.error.issues.map((i) => ({ path: ['options', ...i.path], message: i.message })));
      }
      options = parsed.data;
    }
    return { d, options };
  }

  async create(userId: string, body: CreateEngineBody): Promise<EngineDto> {
    const { d, options } = this.checkAdapter(body.kind, body.adapter, body);
    if (d.url === 'required' && !body.url) throw new ValidationError(`${d.displayName} needs a URL, such as ${d.defaultUrl ?? 'http://127.0.0.1:8080'}.`, [{ path: ['url'], message: 'is required' }]);
    if (d.apiKey === 'required' && !body.apiKey) throw new ValidationError(`${d.displayName} needs an API key.`, [{ path: ['apiKey'], message: 'is required' }]);
    try {
      const row = await this.configs.insert(userId, {
        kind: body.kind, adapter: body.adapter, name: body.name, url: body.url, secret: body.apiKey ? this.secrets.encrypt(body.apiKey) : null,
        options: options ?? {}, enabled: body.enabled, concurrency: body.concurrency, timeoutSeconds: body.timeoutSeconds, creditsPerUnit: body.creditsPerUnit ?? null,
      });
      return this.toDto(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`You already have an engine called "${body.name}".`, { field: 'name' });
      throw err;
    }
  }

  async update(userId: string, id: string, body: UpdateEngineBody): Promise<EngineDto> {
    const current = await this.configs.get(userId, id);
    if (!current) throw new NotFoundError('Engine');
    const { d, options } = this.checkAdapter(current.kind, current.adapter, body);
    if (d.apiKey === 'required' && body.apiKey === null) throw new ValidationError(`${d.displayName} needs an API key; enter a new one instead of removing it.`, [{ path: ['apiKey'], message: 'is required' }]);
    try {
      const row = await this.configs.update(userId, id, {
        ...(body.name !== undefined ? { name: body.name } : {}), ...(body.url !== undefined ? { url: body.url } : {}),
        ...(body.apiKey !== undefined ? { secret: body.apiKey ? this.secrets.encrypt(body.apiKey) : null } : {}),
        ...(options !== undefined ? { options } : {}), ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        ...(body.concurrency !== undefined ? { concurrency: body.concurrency } : {}), ...(body.timeoutSeconds !== undefined ? { timeoutSeconds: body.timeoutSeconds } : {}),
        ...(body.creditsPerUnit !== undefined ? { creditsPerUnit: body.creditsPerUnit } : {}),
      });
      if (!row) throw new NotFoundError('Engine');
      this.pool.markUp(id);
      return this.toDto(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`You already have an engine called "${body.name}".`, { field: 'name' });
      throw err;
    }
  }

  async remove(userId: string, id: string): Promise<void> {
    if (!(await this.configs.delete(userId, id))) throw new NotFoundError('Engine');
    this.directory.forget(id);
  }

  async reorder(userId: string, kind: GenerationKind, ids: string[]): Promise<EngineDto[]> {
    const own = new Set((await this.configs.list(userId, kind)).map((r) => r.id));
    const unknown = ids.find((i) => !own.has(i));
    if (unknown) throw new ValidationError(`Engine ${unknown} is not one of your ${kind} engines.`, [{ path: ['ids'], message: 'unknown engine' }]);
    await this.configs.reorder(userId, kind, ids);
    return (await this.configs.list(userId, kind)).map((r) => this.toDto(r));
  }

  /** Test a stored engine (the result is kept on it) or a built-in one. */
  async test(userId: string, id: string): Promise<ConnectionReport> {
    if (id.startsWith(BUILTIN_PREFIX)) {
      for (const kind of ['text', 'image'] as const) {
        const h = this.directory.builtinHandles(kind).find((x) => x.key === id);
        if (h) return this.safeTest(() => h.engine.testConnection(AbortSignal.timeout(TEST_TIMEOUT_MS)));
      }
      throw new NotFoundError('Engine');
    }
    const row = await this.configs.getForRun(userId, id);
    if (!row) throw new NotFoundError('Engine');
    const h = this.directory.fromConfig(row);
    if (!h) throw new ConflictError(`The adapter "${row.adapter}" is not available in this version.`);
    const report = await this.safeTest(() => (h.engine as { testConnection(s?: AbortSignal): Promise<ConnectionReport> }).testConnection(AbortSignal.timeout(TEST_TIMEOUT_MS)));
    await this.configs.setLastTest(userId, id, { at: new Date().toISOString(), ok: report.ok, message: report.message });
    if (report.ok) this.pool.markUp(id);
    return report;
  }

  /** Test settings before saving them (the Add engine form). */
  async testUnsaved(body: CreateEngineBody): Promise<ConnectionReport> {
    const { d, options } = this.checkAdapter(body.kind, body.adapter, body);
    const engine = d.create({ url: body.url, apiKey: body.apiKey ?? null, options: options ?? {}, timeoutSeconds: Math.min(body.timeoutSeconds, 30) }) as { testConnection(s?: AbortSignal): Promise<ConnectionReport> };
    return this.safeTest(() => engine.testConnection(AbortSignal.timeout(TEST_TIMEOUT_MS)));
  }

  /** An adapter's test never throws at the user: a failure is a report that says what happened. */
  private async safeTest(fn: () => Promise<ConnectionReport>): Promise<ConnectionReport> {
    try {
      return await fn();
    } catch (err) {
      const message = err instanceof EngineError ? err.message : 'The test failed unexpectedly; the server log has the details.';
      const reachable = !(err instanceof EngineError && err.kind === 'unreachable');
      return { ok: false, reachable, auth: err instanceof EngineError && err.kind === 'auth' ? 'failed' : 'unknown', models: [], missing: [], message };
    }
  }

  // ---- per-character overrides ----

  async characterSettings(userId: string, characterId: string): Promise<CharacterGenerationSettings> {
    const c = await this.characters.getForPrompt(userId, characterId);
    if (!c) throw new NotFoundError('Character');
    const parsed = characterGenerationSettings.safeParse((c as { generationSettings?: unknown }).generationSettings ?? {});
    return parsed.success ? parsed.data : characterGenerationSettings.parse({});
  }

  async setCharacterSettings(userId: string, characterId: string, s: CharacterGenerationSettings): Promise<CharacterGenerationSettings> {
    for (const [kind, v] of [['text', s.text.engineId], ['image', s.image.engineId]] as const) {
      if (!v || v.startsWith(BUILTIN_PREFIX)) continue;
      const row = await this.configs.get(userId, v);
      if (!row || row.kind !== kind) throw new ValidationError(`The ${kind} engine chosen for this character does not exist.`, [{ path: [kind, 'engineId'], message: 'unknown engine' }]);
    }
    if (!(await this.characters.setGenerationSettings(userId, characterId, s))) throw new NotFoundError('Character');
    return s;
  }

  // ---- usage ----

  async usage(userId: string, days: number) {
    const since = new Date(Date.now() - days * 86_400_000);
    const [engines, characters] = await Promise.all([this.generations.usageByEngine(userId, since), this.generations.usageByCharacter(userId, since)]);
    return {
      since: since.toISOString(),
      engines: engines.map((e) => ({ ...e, successRate: e.calls ? e.succeeded / e.calls : null })),
      characters,
    };
  }
}
