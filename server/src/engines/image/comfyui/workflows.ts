// The shipped ComfyUI workflow templates: the files in ./workflows/<id>.v<version>.json, read once,
// checked (file format, bindings against the graph, every node class listed with its pack) and
// served by id (latest version) or by id and version. A template is never edited in place: a change
// is a new version file, so a stored generation's {id, version} always names the graph that ran.
import { readdirSync, readFileSync } from 'node:fs';
import { validateTemplate, workflowTemplateSchema, type WorkflowTemplate } from './workflow-template.ts';

const dir = new URL('./workflows/', import.meta.url);
const FILE_NAME = /^([a-z0-9][a-z0-9-]*)\.v(\d+)\.json$/;

let loaded: WorkflowTemplate[] | null = null;

/** Parses and checks one template file's text; throws with the file name and every problem. */
export function parseTemplateFile(fileName: string, text: string): WorkflowTemplate {
  const match = FILE_NAME.exec(fileName);
  if (!match) throw new Error(`Workflow template file ${fileName}: the name must be <id>.v<version>.json.`);
  const parsed = workflowTemplateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`Workflow template file ${fileName}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const template = parsed.data as WorkflowTemplate;
  if (template.id !== match[1] || template.version !== Number(match[2])) {
    throw new Error(`Workflow template file ${fileName} holds ${template.id} v${template.version}; the file name and the content must agree.`);
  }
  const problems = validateTemplate(template, { strict: true });
  if (problems.length) throw new Error(`Workflow template ${template.id} v${template.version}: ${problems.join(' ')}`);
  return template;
}

function load(): WorkflowTemplate[] {
  if (loaded) return loaded;
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  loaded = files.map((f) => parseTemplateFile(f, readFileSync(new URL(f, dir), 'utf8')));
  return loaded;
}

/** Every shipped template, every version, ordered by id then version. */
export function listTemplates(): WorkflowTemplate[] {
  return [...load()].sort((a, b) => a.id.localeCompare(b.id) || a.version - b.version);
}

/** The latest version of a shipped template, or the given version; null when there is none. */
export function getTemplate(id: string, version?: number): WorkflowTemplate | null {
  const versions = load().filter((t) => t.id === id);
  if (version !== undefined) return versions.find((t) => t.version === version) ?? null;
  return versions.reduce<WorkflowTemplate | null>((best, t) => (!best || t.version > best.version ? t : best), null);
}

/** The template files on disk (name and bytes), for the test that guards against in-place edits. */
export function templateFiles(): Array<{ name: string; text: string }> {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((name) => ({ name, text: readFileSync(new URL(name, dir), 'utf8') }));
}
