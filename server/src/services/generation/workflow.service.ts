// Workflows a user uploads for ComfyUI (Settings → Engines → Workflows): an API-format graph ("Save
// (API format)" in ComfyUI) and where the request's values go in it. Checked before it is stored
// (graph shape, every binding pointing at a real node input, an output node), stored as a new
// version every time (never edited in place), and run by ComfyUI engines by its name, like the
// shipped templates. `suggest` proposes the mapping the user then confirms in the UI.
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { suggestBindings, type BindingSuggestion } from '../../engines/image/comfyui/bindings.ts';
import { validateWorkflowGraph } from '../../engines/image/comfyui/workflow-graph.ts';
import { validateTemplate, workflowTemplateSchema, type WorkflowTemplate } from '../../engines/image/comfyui/workflow-template.ts';
import { listTemplates } from '../../engines/image/comfyui/workflows.ts';
import type { EngineConfigRepository } from '../../repositories/engine-config.repository.ts';

export interface WorkflowInput {
  slug: string;
  title: string;
  graph: unknown;
  bindings: unknown;
  output: string;
}

export class WorkflowService {
  private readonly configs: Pick<EngineConfigRepository, 'listWorkflows' | 'insertWorkflow' | 'deleteWorkflow' | 'getWorkflow'>;

  constructor(deps: { configs: Pick<EngineConfigRepository, 'listWorkflows' | 'insertWorkflow' | 'deleteWorkflow' | 'getWorkflow'> }) {
    this.configs = deps.configs;
  }

  /** The shipped templates and the user's own workflows (latest version first). */
  async list(userId: string) {
    const shipped = listTemplates().map((t) => ({
      slug: t.id, version: t.version, title: t.title, description: t.description, builtIn: true, requires: t.requires, createdAt: null,
    }));
    const own = (await this.configs.listWorkflows(userId)).map((w) => ({
      slug: w.slug, version: w.version, title: w.title, description: 'Uploaded workflow', builtIn: false, requires: { nodes: [], models: [] }, createdAt: w.createdAt.toISOString(),
    }));
    return { items: [...shipped, ...own] };
  }

  /** Checks a graph and proposes where the request's values go. */
  suggest(graph: unknown): { ok: boolean; errors: string[]; warnings: string[]; suggestion: BindingSuggestion | null } {
    const check = validateWorkflowGraph(graph);
    if (!check.ok) return { ok: false, errors: check.errors, warnings: check.warnings, suggestion: null };
    return { ok: true, errors: [], warnings: check.warnings, suggestion: suggestBindings(check.graph) };
  }

  async save(userId: string, input: WorkflowInput) {
    if (listTemplates().some((t) => t.id === input.slug)) {
      throw new ConflictError(`"${input.slug}" is the name of a built-in template; choose another name.`, { field: 'slug' });
    }
    const check = validateWorkflowGraph(input.graph);
    if (!check.ok) throw new ValidationError(check.errors[0] ?? 'The workflow is not an API-format graph.', check.errors.map((m) => ({ path: ['graph'], message: m })));
    const parsed = workflowTemplateSchema.safeParse({
      id: input.slug, version: 1, title: input.title, description: 'Uploaded workflow', requires: { nodes: [], models: [] },
      bindings: input.bindings, output: input.output, graph: check.graph,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ValidationError(`The mapping is not valid: ${issue.path.join('.')} ${issue.message}`, parsed.error.issues.map((i) => ({ path: i.path, message: i.message })));
    }
    const problems = validateTemplate(parsed.data as WorkflowTemplate);
    if (problems.length) throw new ValidationError(problems[0]!, problems.map((m) => ({ path: ['bindings'], message: m })));
    const row = await this.configs.insertWorkflow(userId, { slug: input.slug, title: input.title, graph: check.graph as Record<string, unknown>, bindings: parsed.data.bindings as Record<string, unknown>, output: input.output });
    return { slug: row.slug, version: row.version, title: row.title, description: 'Uploaded workflow', builtIn: false, requires: { nodes: [], models: [] }, createdAt: row.createdAt.toISOString() };
  }

  async remove(userId: string, slug: string): Promise<void> {
    if (!(await this.configs.deleteWorkflow(userId, slug))) throw new NotFoundError('Workflow');
  }
}
