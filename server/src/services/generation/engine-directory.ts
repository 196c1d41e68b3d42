// The engines a user's generation may run on: the engines they added (decrypted, built from the
// adapter catalogue, cached until the config changes) in their priority order, then the built-in
// engine of the kind, the offline default that is always there. Generic code reads capabilities;
// nothing here or in the service branches on an adapter's id.
import type { AdapterDefinition, GenerationKind } from '../../engines/engine.ts';
import type { ImageEngine } from '../../engines/image/image.ts';
import type { TextEngine } from '../../engines/text/text.ts';
import type { SecretBox } from '../../infra/secrets.ts';
import type { EngineConfigRepository, EngineConfigWithSecret } from '../../repositories/engine-config.repository.ts';

interface EnginesByKind {
  text: TextEngine;
  image: ImageEngine;
}
export type RunnableKind = keyof EnginesByKind;

export const BUILTIN_PREFIX = 'builtin:';

/** One engine a generation can run on. */
export interface EngineHandle<K extends RunnableKind = RunnableKind> {
  /** Pool key: the config id, or builtin:<adapter>. */
  key: string;
  configId: string | null;
  name: string;
  adapter: string;
  definition: AdapterDefinition;
  engine: EnginesByKind[K];
  concurrency: number;
  /** Credits per unit on this engine, or null for the kind's default price. */
  creditsPerUnit: number | null;
  /** The engine's own options (model, checkpoint, workflow) as configured. */
  options: Record<string, unknown>;
}

export class EngineDirectory {
  private readonly configs: Pick<EngineConfigRepository, 'listForRun' | 'getForRun' | 'latestWorkflows'>;
  private readonly secrets: SecretBox;
  private readonly catalog: ReadonlyArray<AdapterDefinition>;
  private readonly cache = new Map<string, { stamp: string; engine: unknown }>();
  private readonly builtins = new Map<string, unknown>();

  constructor(deps: { configs: Pick<EngineConfigRepository, 'listForRun' | 'getForRun' | 'latestWorkflows'>; secrets: SecretBox; catalog: ReadonlyArray<AdapterDefinition> }) {
    this.configs = deps.configs;
    this.secrets = deps.secrets;
    this.catalog = deps.catalog;
  }

  definition(adapter: string): AdapterDefinition | null {
    return this.catalog.find((d) => d.adapter === adapter) ?? null;
  }

  adapters(): ReadonlyArray<AdapterDefinition> {
    return this.catalog;
  }

  /** The built-in engines of a kind (the offline defaults). */
  builtinHandles<K extends RunnableKind>(kind: K): Array<EngineHandle<K>> {
    return this.catalog.filter((d) => d.kind === kind && d.builtIn).map((d) => {
      let engine = this.builtins.get(d.adapter);
      if (!engine) {
        engine = d.create({ url: '', apiKey: null, options: {}, timeoutSeconds: 60 });
        this.builtins.set(d.adapter, engine);
      }
      return { key: `${BUILTIN_PREFIX}${d.adapter}`, configId: null, name: d.displayName, adapter: d.adapter, definition: d, engine: engine as EnginesByKind[K], concurrency: 4, creditsPerUnit: null, options: {} };
    });
  }

  /** The user's uploaded workflows as the templates adapters run (latest version of each). */
  private async workflowsOf(userId: string): Promise<unknown[]> {
    const rows = await this.configs.latestWorkflows(userId);
    return rows.map((w) => ({
      id: w.slug, version: w.version, title: w.title, description: 'Uploaded workflow', requires: { nodes: [], models: [] },
      bindings: w.bindings, output: w.output, graph: w.graph,
    }));
  }

  /**
   * Builds (or reuses) the engine of a stored config; null when its adapter is unknown here.
   * `workflows`: the user's uploaded workflows, for adapters that run them.
   */
  fromConfig<K extends RunnableKind>(row: EngineConfigWithSecret, workflows: ReadonlyArray<unknown> = []): EngineHandle<K> | null {
    const d = this.definition(row.adapter);
    if (!d || d.kind !== row.kind) return null;
    const wf = d.workflows ? workflows : [];
    const stamp = `${row.updatedAt.toISOString()}|${row.secret ?? ''}|${wf.map((w) => `${(w as { id: string }).id}@${(w as { version: number }).version}`).join(',')}`;
    let hit = this.cache.get(row.id);
    if (!hit || hit.stamp !== stamp) {
      const options = d.options.safeParse(row.options);
      const engine = d.create({
        url: row.url, apiKey: row.secret ? this.secrets.decrypt(row.secret) : null,
        options: options.success ? options.data : {}, timeoutSeconds: row.timeoutSeconds, workflows: wf,
      });
      hit = { stamp, engine };
      this.cache.set(row.id, hit);
    }
    return {
      key: row.id, configId: row.id, name: row.name, adapter: row.adapter, definition: d, engine: hit.engine as EnginesByKind[K],
      concurrency: row.concurrency, creditsPerUnit: row.creditsPerUnit, options: row.options,
    };
  }

  /** The engine of one stored config, with the user's workflows where its adapter runs them. */
  async handleFor<K extends RunnableKind>(userId: string, row: EngineConfigWithSecret): Promise<EngineHandle<K> | null> {
    return this.fromConfig<K>(row, this.definition(row.adapter)?.workflows ? await this.workflowsOf(userId) : []);
  }

  /**
   * The fallback chain of a kind: enabled engines by priority, then the built-ins. With `only`,
   * just that engine (an engine the user picked; null when it is gone or disabled).
   */
  async chain<K extends RunnableKind>(userId: string, kind: K, only?: string | null): Promise<Array<EngineHandle<K>>> {
    if (only) {
      if (only.startsWith(BUILTIN_PREFIX)) return this.builtinHandles(kind).filter((h) => h.key === only);
      const row = await this.configs.getForRun(userId, only);
      if (!row || !row.enabled || row.kind !== kind) return [];
      const h = this.fromConfig<K>(row, this.definition(row.adapter)?.workflows ? await this.workflowsOf(userId) : []);
      return h ? [h] : [];
    }
    const rows = await this.configs.listForRun(userId, kind);
    const workflows = rows.some((r) => r.enabled && this.definition(r.adapter)?.workflows) ? await this.workflowsOf(userId) : [];
    const out: Array<EngineHandle<K>> = [];
    for (const row of rows) {
      if (!row.enabled) continue;
      const h = this.fromConfig<K>(row, workflows);
      if (h) out.push(h);
    }
    return [...out, ...this.builtinHandles(kind)];
  }

  /** Drops cached engines (tests; a config change is noticed by its stamp anyway). */
  forget(configId: string): void {
    this.cache.delete(configId);
  }
}

/** Which generation kinds this build can run (voice and video arrive with their engines). */
export function runnableKind(kind: GenerationKind): kind is RunnableKind {
  return kind === 'text' || kind === 'image';
}
