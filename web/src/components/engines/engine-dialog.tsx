// Add or edit an engine: kind → adapter (from the server's catalogue), name, URL, API key (never
// shown again once stored), the adapter's options, concurrency, timeout and price; "Test
// connection" tries the settings before they are saved.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Loader2Icon, PlugZapIcon } from 'lucide-react';
import * as React from 'react';
import { type FieldPath, FormProvider, useForm, useWatch } from 'react-hook-form';
import { toast } from 'sonner';
import { z } from 'zod';
import { api, ApiError, call, type CreateEngine, type Engine, type EngineAdapter, errorMessage } from '@/api/client';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input, NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { applyServerErrors, asSentence } from '@/lib/character-form';
import { genKeys, kindLabel } from '@/lib/generation';
import { ConnectionReportView } from './connection-report';
import { optionFields, optionFormValues, optionsFromForm, OptionsFields, type OptionValues } from './options-fields';

const whole = (min: number, max: number, what: string) =>
  z.number({ error: `Enter ${what}.` }).int('Use a whole number.').min(min, `Use ${min} or more.`).max(max, `Use ${max} or less.`);

const schema = z.object({
  kind: z.string().min(1, 'Choose a kind.'),
  adapter: z.string().min(1, 'Choose an engine type.'),
  name: z.string().trim().min(1, 'Give the engine a name.').max(80, 'Use at most 80 characters.'),
  url: z
    .string()
    .trim()
    .max(2000)
    .refine((v) => v === '' || /^https?:\/\/[^\s]+$/i.test(v), 'Use an http:// or https:// address, such as http://127.0.0.1:8188.'),
  apiKey: z.string().max(4000),
  removeKey: z.boolean(),
  options: z.record(z.string(), z.union([z.string(), z.boolean()])),
  concurrency: whole(1, 64, 'how many at once'),
  timeoutSeconds: whole(5, 3600, 'a timeout in seconds'),
  creditsPerUnit: z
    .string()
    .trim()
    .regex(/^\d{0,6}$/, 'Use a whole number, or leave empty for the studio’s price.')
    .refine((v) => v === '' || Number(v) <= 100_000, 'Use 100000 or less.'),
});
type Values = z.infer<typeof schema>;

export function EngineDialog({ open, onOpenChange, adapters, engine, kind }: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  adapters: EngineAdapter[];
  /** The engine to edit; absent to add one. */
  engine?: Engine | null;
  /** The kind to start with when adding. */
  kind?: string;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-xl" data-testid="engine-dialog">
        <DialogHeader>
          <DialogTitle>{engine ? `Edit ${engine.name}` : 'Add engine'}</DialogTitle>
          <DialogDescription>
            {engine ? `${engine.adapterName} · ${kindLabel[engine.kind] ?? engine.kind}` : 'Connect a model server or an API. Test the connection before you save.'}
          </DialogDescription>
        </DialogHeader>
        {open ? <EngineForm key={engine?.id ?? 'new'} adapters={adapters} engine={engine ?? null} initialKind={kind} onDone={() => onOpenChange(false)} /> : null}
      </DialogContent>
    </Dialog>
  );
}

function EngineForm({ adapters, engine, initialKind, onDone }: { adapters: EngineAdapter[]; engine: Engine | null; initialKind?: string; onDone: () => void }) {
  const qc = useQueryClient();
  const addable = adapters.filter((a) => !a.builtIn);
  const kinds = [...new Set(addable.map((a) => a.kind))];
  const startKind = engine?.kind ?? (initialKind && kinds.includes(initialKind as never) ? initialKind : kinds[0] ?? '');
  const startAdapter = engine ? addable.find((a) => a.adapter === engine.adapter) : addable.find((a) => a.kind === startKind);
  const defaults = React.useMemo<Values>(() => {
    const fields = optionFields(startAdapter?.options);
    return {
      kind: startKind,
      adapter: engine?.adapter ?? startAdapter?.adapter ?? '',
      name: engine?.name ?? startAdapter?.displayName ?? '',
      url: engine?.url ?? startAdapter?.defaultUrl ?? '',
      apiKey: '',
      removeKey: false,
      options: optionFormValues(fields, engine?.options),
      concurrency: engine?.concurrency ?? 1,
      timeoutSeconds: engine?.timeoutSeconds ?? 300,
      creditsPerUnit: engine?.creditsPerUnit != null ? String(engine.creditsPerUnit) : '',
    };
    // The form is mounted per dialog opening; later catalogue refetches must not reset it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const form = useForm<Values>({ resolver: zodResolver(schema), mode: 'onTouched', defaultValues: defaults });
  const { register, formState, control, setValue, getValues } = form;
  const errors = formState.errors;
  const [kind, adapterId, removeKey] = useWatch({ control, name: ['kind', 'adapter', 'removeKey'] });
  const adapter = addable.find((a) => a.adapter === adapterId) ?? null;
  const fields = React.useMemo(() => optionFields(adapter?.options), [adapter]);
  const [general, setGeneral] = React.useState<string | null>(null);
  const reportRef = React.useRef<HTMLDivElement>(null);

  const chooseAdapter = (id: string) => {
    const next = addable.find((a) => a.adapter === id);
    const prev = addable.find((a) => a.adapter === getValues('adapter'));
    setValue('adapter', id, { shouldDirty: true });
    if (!next) return;
    const name = getValues('name');
    if (!name || name === prev?.displayName) setValue('name', next.displayName, { shouldDirty: true });
    setValue('url', next.defaultUrl ?? '', { shouldDirty: true });
    setValue('options', optionFormValues(optionFields(next.options)), { shouldDirty: true });
    test.reset();
  };

  /** The request body, or null when an option is not valid (the errors are on the fields). */
  const body = (v: Values): CreateEngine | null => {
    const optErrors: Record<string, string> = {};
    const options = optionsFromForm(fields, v.options as OptionValues, optErrors);
    for (const [k, message] of Object.entries(optErrors)) form.setError(`options.${k}` as FieldPath<Values>, { type: 'client', message });
    const first = Object.keys(optErrors)[0];
    if (first) {
      form.setFocus(`options.${first}` as FieldPath<Values>);
      return null;
    }
    return {
      kind: v.kind as CreateEngine['kind'],
      adapter: v.adapter,
      name: v.name.trim(),
      url: adapter?.url === 'none' ? '' : v.url.trim(),
      apiKey: v.apiKey ? v.apiKey : null,
      options,
      enabled: engine?.enabled ?? true,
      concurrency: v.concurrency,
      timeoutSeconds: v.timeoutSeconds,
      creditsPerUnit: v.creditsPerUnit === '' ? null : Number(v.creditsPerUnit),
    };
  };

  const onServerError = (err: unknown) => {
    const applied = applyServerErrors(form, err, (p) => p === 'name' || p === 'url' || p === 'apiKey' || p.startsWith('options.') || p === 'concurrency' || p === 'timeoutSeconds' || p === 'creditsPerUnit');
    if (applied[0]) form.setFocus(applied[0] as FieldPath<Values>);
    else setGeneral(err instanceof ApiError ? asSentence(err.message) : errorMessage(err));
  };

  const test = useMutation({
    mutationFn: async (b: CreateEngine | null) => {
      if (b === null && engine) return call(api.POST('/api/engines/{id}/test', { params: { path: { id: engine.id } } }));
      return call(api.POST('/api/engines/test', { body: b! }));
    },
    onError: onServerError,
  });
  const save = useMutation({
    mutationFn: async (b: CreateEngine) => {
      if (!engine) return call(api.POST('/api/engines', { body: b }));
      const patch: Record<string, unknown> = {
        name: b.name,
        url: b.url,
        options: b.options,
        concurrency: b.concurrency,
        timeoutSeconds: b.timeoutSeconds,
        creditsPerUnit: b.creditsPerUnit,
      };
      if (b.apiKey) patch.apiKey = b.apiKey;
      else if (getValues('removeKey')) patch.apiKey = null;
      return call(api.PATCH('/api/engines/{id}', { params: { path: { id: engine.id } }, body: patch }));
    },
    onSuccess: (saved) => {
      void qc.invalidateQueries({ queryKey: genKeys.engines });
      toast.success(engine ? `${saved.name} saved.` : `${saved.name} added.`);
      onDone();
    },
    onError: onServerError,
  });

  React.useEffect(() => {
    if (test.data) reportRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [test.data]);

  const runTest = form.handleSubmit((v) => {
    setGeneral(null);
    // An unchanged stored engine is tested as saved (with its stored key).
    if (engine && !formState.isDirty) return test.mutate(null);
    const b = body(v);
    if (b) test.mutate(b);
  });
  const submit = form.handleSubmit((v) => {
    setGeneral(null);
    const b = body(v);
    if (b) save.mutate(b);
  });

  if (addable.length === 0 && !engine) {
    return (
      <div className="flex flex-col gap-4">
        <p className="text-sm text-muted-foreground" data-testid="no-adapters">
          This version of the studio has no engine adapters to add yet — only the built-in engines, which need no setup.
        </p>
        <DialogFooter>
          <Button variant="outline" onClick={onDone}>
            Close
          </Button>
        </DialogFooter>
      </div>
    );
  }

  const keyHint = engine?.hasApiKey
    ? 'Stored — leave empty to keep it. It is never shown again.'
    : adapter?.apiKey === 'required'
      ? 'Required. Stored encrypted and never shown again.'
      : 'Optional. Stored encrypted and never shown again.';
  const busy = test.isPending || save.isPending;

  return (
    <FormProvider {...form}>
      <form noValidate onSubmit={(e) => void submit(e)} className="flex flex-col gap-5">
        {engine ? null : (
          <div className="grid gap-4 sm:grid-cols-[minmax(0,10rem)_1fr]">
            <Field id="eng-kind" label="Kind" error={errors.kind?.message}>
              <NativeSelect
                {...register('kind', {
                  onChange: (e: React.ChangeEvent<HTMLSelectElement>) => {
                    const first = addable.find((a) => a.kind === e.target.value);
                    if (first) chooseAdapter(first.adapter);
                  },
                })}
              >
                {kinds.map((k) => (
                  <option key={k} value={k}>
                    {kindLabel[k] ?? k}
                  </option>
                ))}
              </NativeSelect>
            </Field>
            <Field id="eng-adapter" label="Engine type" error={errors.adapter?.message} hint={adapter?.description}>
              <NativeSelect value={adapterId} onChange={(e) => chooseAdapter(e.target.value)}>
                {addable
                  .filter((a) => a.kind === kind)
                  .map((a) => (
                    <option key={a.adapter} value={a.adapter}>
                      {a.displayName}
                    </option>
                  ))}
              </NativeSelect>
            </Field>
          </div>
        )}
        <Field id="eng-name" label="Name" required error={errors.name?.message} hint="How it appears in the Studio and in the fallback order.">
          <Input autoComplete="off" maxLength={80} {...register('name')} />
        </Field>
        {adapter?.url !== 'none' ? (
          <Field id="eng-url" label="URL" required={adapter?.url === 'required'} error={errors.url?.message} hint={adapter?.defaultUrl ? `Usually ${adapter.defaultUrl}` : undefined}>
            <Input type="url" inputMode="url" autoComplete="off" spellCheck={false} placeholder={adapter?.defaultUrl ?? 'http://127.0.0.1:8080'} {...register('url')} />
          </Field>
        ) : null}
        {adapter?.apiKey !== 'none' ? (
          <div className="flex flex-col gap-2">
            <Field id="eng-key" label="API key" required={adapter?.apiKey === 'required' && !engine?.hasApiKey} error={errors.apiKey?.message} hint={keyHint}>
              <Input type="password" autoComplete="new-password" spellCheck={false} disabled={removeKey} placeholder={engine?.hasApiKey ? '•••••••• (stored)' : undefined} {...register('apiKey')} />
            </Field>
            {engine?.hasApiKey && adapter?.apiKey === 'optional' ? (
              <div className="flex items-center gap-2">
                <Checkbox id="eng-remove-key" checked={removeKey} onCheckedChange={(v) => setValue('removeKey', v === true, { shouldDirty: true })} />
                <Label htmlFor="eng-remove-key" className="font-normal">
                  Remove the stored key
                </Label>
              </div>
            ) : null}
          </div>
        ) : null}

        <OptionsFields<Values> fields={fields} idPrefix="eng" />

        <div className="grid gap-4 sm:grid-cols-3">
          <Field id="eng-concurrency" label="At once" hint="Jobs it runs in parallel." error={errors.concurrency?.message}>
            <Input type="number" inputMode="numeric" min={1} max={64} {...register('concurrency', { valueAsNumber: true })} />
          </Field>
          <Field id="eng-timeout" label="Timeout (s)" hint="Longest one job may take." error={errors.timeoutSeconds?.message}>
            <Input type="number" inputMode="numeric" min={5} max={3600} {...register('timeoutSeconds', { valueAsNumber: true })} />
          </Field>
          <Field id="eng-credits" label="Credits per unit" hint="Empty: the studio’s price." error={errors.creditsPerUnit?.message}>
            <Input inputMode="numeric" autoComplete="off" {...register('creditsPerUnit')} />
          </Field>
        </div>

        <div ref={reportRef} className="empty:hidden">{test.data ? <ConnectionReportView report={test.data} /> : null}</div>
        {engine && formState.isDirty && engine.hasApiKey && !getValues('apiKey') ? (
          <p className="text-xs text-muted-foreground">Testing changed settings does not send the stored key; type it again to test with it, or save first.</p>
        ) : null}
        <FormError error={general} />

        <DialogFooter className="sm:justify-between">
          <Button type="button" variant="outline" onClick={() => void runTest()} disabled={busy}>
            {test.isPending ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : <PlugZapIcon aria-hidden="true" />}
            Test connection
          </Button>
          <div className="flex flex-col-reverse gap-2 sm:flex-row">
            <Button type="button" variant="ghost" onClick={onDone}>
              Cancel
            </Button>
            <Button type="submit" disabled={busy}>
              {save.isPending ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : null}
              {engine ? 'Save changes' : 'Add engine'}
            </Button>
          </div>
        </DialogFooter>
      </form>
    </FormProvider>
  );
}
