// Upload a ComfyUI workflow: read the API-format JSON (a file or pasted), let the server check it
// and propose where the request's values go, then confirm that mapping (one select per value, built
// from the graph's literal inputs), name it and save it as a new version.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { FileJsonIcon, Loader2Icon, RotateCcwIcon, SaveIcon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { api, ApiError, call, errorMessage } from '@/api/client';
import { Button } from '@/components/ui/button';
import { Field, FormError } from '@/components/ui/field';
import { Input, NativeSelect, Textarea } from '@/components/ui/input';
import {
  asBindingRef, bindableInputs, type Binding, bindingKeys, type BindingKey, type BindingRef, optionValue, outputOptions, slugError, slugFromFileName,
  titleFromSlug, workflowKeys,
} from '@/lib/workflows';

type Suggestion = { ok: boolean; errors: string[]; warnings: string[]; suggestion: { bindings: Record<string, unknown>; output: string | null; notes: string[] } | null };

interface Loaded {
  graph: Record<string, unknown>;
  fileName: string | null;
  check: Suggestion;
}

const MULTI = '__multi__';

export function WorkflowUpload() {
  const id = React.useId();
  const [loaded, setLoaded] = React.useState<Loaded | null>(null);
  const [loadError, setLoadError] = React.useState<string | null>(null);
  const [paste, setPaste] = React.useState('');
  const fileRef = React.useRef<HTMLInputElement>(null);

  const suggest = useMutation({
    mutationFn: (graph: Record<string, unknown>) => call(api.POST('/api/workflows/suggest', { body: { graph } })),
  });

  const load = (text: string, fileName: string | null) => {
    setLoaded(null);
    setLoadError(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      setLoadError(`${fileName ? `“${fileName}” is` : 'This is'} not valid JSON (${e instanceof Error ? e.message : 'it could not be read'}). In ComfyUI, use Workflow → Export (API) and upload the file it saves.`);
      return;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      setLoadError('This JSON is not a workflow: an API-format workflow is an object of nodes. In ComfyUI, use Workflow → Export (API).');
      return;
    }
    const graph = parsed as Record<string, unknown>;
    suggest.mutate(graph, {
      onSuccess: (check) => setLoaded({ graph, fileName, check: check as Suggestion }),
      onError: (err) => setLoadError(errorMessage(err)),
    });
  };

  const onFile = async (e: React.ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    if (file.size > 20 * 1024 * 1024) {
      setLoaded(null);
      setLoadError(`“${file.name}” is too large for a workflow (over 20 MB).`);
      return;
    }
    load(await file.text(), file.name);
  };

  const reset = () => {
    setLoaded(null);
    setLoadError(null);
    setPaste('');
    suggest.reset();
    if (fileRef.current) fileRef.current.value = '';
    fileRef.current?.focus();
  };

  const check = loaded?.check;
  return (
    <div className="flex flex-col gap-5">
      <div className="grid gap-4">
        <Field id={`${id}-file`} label="Workflow file (.json)" hint="In ComfyUI: Workflow → Export (API). The editor’s normal Save is not the API format.">
          <Input ref={fileRef} type="file" accept=".json,application/json" onChange={(e) => void onFile(e)} className="h-auto py-1.5 file:mr-3 file:rounded file:border-0 file:bg-muted file:px-2 file:py-1 file:text-sm file:font-medium file:text-foreground" />
        </Field>
        <details className="rounded-lg border p-3 text-sm">
          <summary className="cursor-pointer font-medium">Or paste the JSON</summary>
          <div className="mt-3 flex flex-col gap-3">
            <Field id={`${id}-paste`} label="Workflow JSON (API format)">
              <Textarea rows={6} spellCheck={false} className="font-mono text-xs" value={paste} onChange={(e) => setPaste(e.target.value)} />
            </Field>
            <div>
              <Button type="button" variant="outline" size="sm" disabled={!paste.trim() || suggest.isPending} onClick={() => load(paste, null)}>
                <FileJsonIcon aria-hidden="true" /> Check pasted workflow
              </Button>
            </div>
          </div>
        </details>
      </div>

      <div aria-live="polite" className="flex flex-col gap-3">
        {suggest.isPending ? (
          <p className="flex items-center gap-2 text-sm text-muted-foreground" role="status">
            <Loader2Icon className="size-4 animate-spin" aria-hidden="true" /> Checking the workflow…
          </p>
        ) : null}
        {loadError ? <FormError error={loadError} /> : null}
        {check && !check.ok ? (
          <div role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-destructive" data-testid="workflow-errors">
            <p className="font-medium">This workflow can’t be used:</p>
            <ul className="mt-1 list-disc pl-5 break-words">
              {check.errors.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          </div>
        ) : null}
        {check && check.warnings.length ? (
          <div className="rounded-md border border-amber-500/40 bg-amber-500/10 px-3 py-2 text-sm" data-testid="workflow-warnings">
            <p className="font-medium">Warnings</p>
            <ul className="mt-1 list-disc pl-5 break-words">
              {check.warnings.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>

      {loaded && check?.ok && check.suggestion ? (
        <MappingForm key={JSON.stringify(Object.keys(loaded.graph))} loaded={loaded} suggestion={check.suggestion} onReset={reset} />
      ) : null}
    </div>
  );
}

function MappingForm({ loaded, suggestion, onReset }: { loaded: Loaded; suggestion: NonNullable<Suggestion['suggestion']>; onReset: () => void }) {
  const id = React.useId();
  const qc = useQueryClient();
  const options = React.useMemo(() => bindableInputs(loaded.graph), [loaded.graph]);
  const byValue = React.useMemo(() => new Map(options.map((o) => [o.value, o])), [options]);
  const outputs = React.useMemo(() => outputOptions(loaded.graph), [loaded.graph]);
  const suggested = React.useMemo(() => {
    const out: Partial<Record<BindingKey, BindingRef>> = {};
    for (const { key } of bindingKeys) {
      const ref = asBindingRef(suggestion.bindings[key]);
      if (ref) out[key] = ref;
    }
    return out;
  }, [suggestion]);

  const [mapping, setMapping] = React.useState<Record<BindingKey, string>>(() => {
    const m = {} as Record<BindingKey, string>;
    for (const { key } of bindingKeys) {
      const ref = suggested[key];
      m[key] = !ref ? '' : Array.isArray(ref) ? (ref.length === 1 ? optionValue(ref[0]!) : MULTI) : optionValue(ref);
    }
    return m;
  });
  const initialSlug = loaded.fileName ? slugFromFileName(loaded.fileName) : '';
  const [slug, setSlug] = React.useState(initialSlug);
  const [title, setTitle] = React.useState(titleFromSlug(initialSlug));
  const [output, setOutput] = React.useState(suggestion.output ?? outputs[0]?.id ?? '');
  const [touched, setTouched] = React.useState(false);
  const [serverSlugError, setServerSlugError] = React.useState<string | null>(null);
  const [formError, setFormError] = React.useState<string | null>(null);
  const [saved, setSaved] = React.useState<string | null>(null);
  const headingRef = React.useRef<HTMLHeadingElement>(null);

  React.useEffect(() => headingRef.current?.focus(), []);

  const slugProblem = slugError(slug.trim());
  const titleProblem = title.trim() ? (title.trim().length > 120 ? 'Use at most 120 characters.' : null) : 'Enter a title.';
  const promptProblem = mapping.prompt ? null : 'Choose the input that takes the prompt.';
  const outputProblem = output ? null : 'Choose the node whose images are the result.';

  const save = useMutation({
    mutationFn: (body: { slug: string; title: string; graph: Record<string, unknown>; bindings: Record<string, unknown>; output: string }) =>
      call(api.POST('/api/workflows', { body })),
    onSuccess: (w) => {
      setSaved(`Saved “${w.slug}”, version ${w.version}.`);
      toast.success(`Workflow ${w.slug} saved (version ${w.version}).`);
      void qc.invalidateQueries({ queryKey: workflowKeys.all });
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 409) {
        setServerSlugError(err.message);
        document.getElementById(`${id}-slug`)?.focus();
      } else setFormError(errorMessage(err));
    },
  });

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setTouched(true);
    setFormError(null);
    setServerSlugError(null);
    setSaved(null);
    const firstBad = slugProblem ? `${id}-slug` : titleProblem ? `${id}-title` : promptProblem ? `${id}-prompt` : outputProblem ? `${id}-output` : null;
    if (firstBad) {
      document.getElementById(firstBad)?.focus();
      return;
    }
    const bindings: Record<string, BindingRef> = {};
    for (const { key } of bindingKeys) {
      const v = mapping[key];
      if (!v) continue;
      if (v === MULTI) {
        const ref = suggested[key];
        if (ref) bindings[key] = ref;
        continue;
      }
      const o = byValue.get(v);
      if (o) bindings[key] = { node: o.node, input: o.input } satisfies Binding;
    }
    save.mutate({ slug: slug.trim(), title: title.trim(), graph: loaded.graph, bindings, output });
  };

  return (
    <form noValidate onSubmit={submit} className="flex flex-col gap-5 border-t pt-5" aria-labelledby={`${id}-heading`} data-testid="workflow-mapping">
      <div>
        <h3 id={`${id}-heading`} ref={headingRef} tabIndex={-1} className="text-base font-semibold focus-visible:outline-2 focus-visible:outline-ring">
          Map the inputs{loaded.fileName ? <span className="font-normal text-muted-foreground"> of {loaded.fileName}</span> : null}
        </h3>
        <p className="mt-1 text-sm text-muted-foreground">
          Pre-filled from the workflow: check each value goes where you expect. Only the prompt is required; “Not used” leaves the workflow’s own value.
        </p>
      </div>
      {suggestion.notes.length ? (
        <div className="rounded-md border bg-muted/50 px-3 py-2 text-sm" data-testid="workflow-notes">
          <p className="font-medium">Notes</p>
          <ul className="mt-1 list-disc pl-5 break-words">
            {suggestion.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      ) : null}

      <fieldset className="flex flex-col gap-4">
        <legend className="mb-3 text-sm font-semibold">Inputs</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          {bindingKeys.map(({ key, label }) => {
            const multi = suggested[key];
            const isMulti = Array.isArray(multi) && multi.length > 1;
            return (
              <Field
                key={key}
                id={`${id}-${key}`}
                label={label}
                required={key === 'prompt'}
                error={key === 'prompt' && touched ? promptProblem : null}
                hint={
                  isMulti && mapping[key] === MULTI ? (
                    <span className="block">
                      Goes to {multi.length} inputs:
                      <span className="mt-0.5 block">
                        {multi.map((b) => byValue.get(optionValue(b))?.label ?? `${b.node} · ${b.input}`).join('; ')}
                      </span>
                    </span>
                  ) : undefined
                }
              >
                <NativeSelect value={mapping[key]} onChange={(e) => setMapping((m) => ({ ...m, [key]: e.target.value }))} data-binding={key}>
                  {key === 'prompt' ? <option value="">Choose an input…</option> : <option value="">Not used</option>}
                  {isMulti ? <option value={MULTI}>{multi.length} inputs (as suggested)</option> : null}
                  {options.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </NativeSelect>
              </Field>
            );
          })}
        </div>
      </fieldset>

      <fieldset className="flex flex-col gap-4">
        <legend className="mb-3 text-sm font-semibold">Result and name</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id={`${id}-output`} label="Output node" required hint="The node whose images are the result (usually Save Image)." error={touched ? outputProblem : null} className="sm:col-span-2">
            <NativeSelect value={output} onChange={(e) => setOutput(e.target.value)}>
              {!output ? <option value="">Choose a node…</option> : null}
              {outputs.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.label}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field id={`${id}-slug`} label="Name" required hint="Lower-case letters, digits and dashes, such as my-portrait-flow. Saving the same name again stores a new version." error={serverSlugError ?? (touched ? slugProblem : null)}>
            <Input
              autoComplete="off"
              spellCheck={false}
              maxLength={60}
              value={slug}
              onChange={(e) => {
                setSlug(e.target.value);
                setServerSlugError(null);
              }}
              onBlur={() => setTouched(true)}
            />
          </Field>
          <Field id={`${id}-title`} label="Title" required error={touched ? titleProblem : null}>
            <Input autoComplete="off" maxLength={120} value={title} onChange={(e) => setTitle(e.target.value)} />
          </Field>
        </div>
      </fieldset>

      <FormError error={formError} />
      <p role="status" className="text-sm font-medium text-emerald-700 dark:text-emerald-400" data-testid="workflow-saved">
        {saved}
      </p>
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button type="button" variant="outline" onClick={onReset}>
          <RotateCcwIcon aria-hidden="true" /> Start over
        </Button>
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : <SaveIcon aria-hidden="true" />} Save workflow
        </Button>
      </div>
    </form>
  );
}
