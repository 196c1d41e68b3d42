// A character's engine overrides: which engine writes and paints for it, and the model, checkpoint,
// LoRA, style preset and workflow its generations use (empty: the engine's own settings).
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import * as React from 'react';
import { type FieldPath, FormProvider, useForm } from 'react-hook-form';
import { toast } from 'sonner';
import { z } from 'zod';
import { api, call, type CharacterGenerationSettings, type Engine, errorMessage } from '@/api/client';
import { InlineError } from '@/components/app/errors';
import { Field } from '@/components/ui/field';
import { Input, NativeSelect } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { applyServerErrors, errorAt } from '@/lib/character-form';
import { characterSettingsQuery, engineLabel, enginesFor, enginesQuery, genKeys, imageStyles, styleLabel } from '@/lib/generation';
import { useUnsavedChanges } from '@/lib/unsaved';
import { workflowsQuery } from '@/lib/workflows';
import { FormSaveBar, Section } from './shared';

const opt = (max: number) => z.string().trim().max(max, `Use at most ${max} characters.`);

const schema = z
  .object({
    text: z.object({ engineId: z.string(), model: opt(200) }),
    image: z.object({
      engineId: z.string(),
      checkpoint: opt(300),
      lora: z.object({ name: opt(300), weight: z.number({ error: 'Enter a weight from -2 to 2.' }).min(-2, 'Use -2 or more.').max(2, 'Use 2 or less.') }),
      stylePreset: z.string(),
      workflow: opt(120),
    }),
  });
type Values = z.infer<typeof schema>;

const toForm = (s: CharacterGenerationSettings): Values => ({
  text: { engineId: s.text.engineId ?? '', model: s.text.model ?? '' },
  image: {
    engineId: s.image.engineId ?? '',
    checkpoint: s.image.checkpoint ?? '',
    lora: { name: s.image.lora?.name ?? '', weight: s.image.lora?.weight ?? 1 },
    stylePreset: s.image.stylePreset ?? '',
    workflow: s.image.workflow ?? '',
  },
});

const toApi = (v: Values): CharacterGenerationSettings => ({
  text: { engineId: v.text.engineId || null, model: v.text.model || null },
  image: {
    engineId: v.image.engineId || null,
    checkpoint: v.image.checkpoint || null,
    lora: v.image.lora.name ? { name: v.image.lora.name, weight: v.image.lora.weight } : null,
    stylePreset: (v.image.stylePreset || null) as CharacterGenerationSettings['image']['stylePreset'],
    workflow: v.image.workflow || null,
  },
});

function EngineOptions({ engines, current }: { engines: Engine[]; current: string }) {
  return (
    <>
      <option value="">Best available (the fallback order)</option>
      {engines.map((e) => (
        <option key={e.id} value={e.id}>
          {engineLabel(e)}
        </option>
      ))}
      {current && !engines.some((e) => e.id === current) ? <option value={current}>An engine that is no longer available</option> : null}
    </>
  );
}

function WorkflowOptions({ current }: { current: string }) {
  const q = useQuery(workflowsQuery);
  const items = q.data?.items ?? [];
  const shipped = items.filter((w) => w.builtIn);
  const own = [...new Map(items.filter((w) => !w.builtIn).map((w) => [w.slug, w] as const)).values()];
  const known = items.some((w) => w.slug === current);
  return (
    <>
      <option value="">Engine default</option>
      {shipped.length ? (
        <optgroup label="Built in">
          {shipped.map((w) => (
            <option key={w.slug} value={w.slug}>
              {w.title} ({w.slug})
            </option>
          ))}
        </optgroup>
      ) : null}
      {own.length ? (
        <optgroup label="Your workflows">
          {own.map((w) => (
            <option key={w.slug} value={w.slug}>
              {w.title} ({w.slug})
            </option>
          ))}
        </optgroup>
      ) : null}
      {current && !known ? <option value={current}>{q.isPending ? current : `${current} (not found)`}</option> : null}
    </>
  );
}

export function GenerationSettingsPanel({ characterId }: { characterId: string }) {
  const settings = useQuery(characterSettingsQuery(characterId));
  const engines = useQuery(enginesQuery);
  return (
    <Section
      title="Generation settings"
      description={
        <>
          Which engine the Studio uses for this character, and its model, checkpoint, LoRA and style. Empty fields use each engine’s own settings.{' '}
          <Link to="/app/settings/engines" className="underline underline-offset-4">
            Manage engines
          </Link>
          .
        </>
      }
    >
      {settings.isPending || engines.isPending ? (
        <Skeleton className="h-48" />
      ) : settings.isError ? (
        <InlineError error={settings.error} onRetry={() => void settings.refetch()} />
      ) : engines.isError ? (
        <InlineError error={engines.error} onRetry={() => void engines.refetch()} />
      ) : (
        <SettingsForm characterId={characterId} settings={settings.data} engines={engines.data.items} />
      )}
    </Section>
  );
}

function SettingsForm({ characterId, settings, engines }: { characterId: string; settings: CharacterGenerationSettings; engines: Engine[] }) {
  const qc = useQueryClient();
  const values = React.useMemo(() => toForm(settings), [settings]);
  const form = useForm<Values>({ resolver: zodResolver(schema), mode: 'onTouched', values, resetOptions: { keepDirtyValues: true } });
  const { register, formState, watch } = form;
  const errors = formState.errors;
  useUnsavedChanges('generation-settings', 'Generation settings', formState.isDirty);
  const textEngines = React.useMemo(() => enginesFor(engines, 'text', 'caption'), [engines]);
  const imageEngines = React.useMemo(() => enginesFor(engines, 'image', 'image'), [engines]);
  const save = useMutation({
    mutationFn: (body: CharacterGenerationSettings) => call(api.PUT('/api/characters/{id}/generation-settings', { params: { path: { id: characterId } }, body })),
    onSuccess: (s) => {
      qc.setQueryData(genKeys.characterSettings(characterId), s);
      form.reset(toForm(s));
      toast.success('Generation settings saved.');
    },
    onError: (err) => {
      const first = applyServerErrors(form, err)[0];
      if (first) form.setFocus(first as FieldPath<Values>);
      else toast.error(errorMessage(err));
    },
  });
  const submit = form.handleSubmit((v) => save.mutate(toApi(v)));
  const err = (p: string) => errorAt(errors, p);

  return (
    <FormProvider {...form}>
      <form noValidate onSubmit={(e) => void submit(e)} className="flex flex-col gap-6" aria-label="Generation settings">
        <fieldset className="flex flex-col gap-4">
          <legend className="mb-3 text-sm font-semibold">Texts</legend>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="gs-text-engine" label="Text engine" error={err('text.engineId')}>
              <NativeSelect {...register('text.engineId')}>
                <EngineOptions engines={textEngines} current={watch('text.engineId')} />
              </NativeSelect>
            </Field>
            <Field id="gs-text-model" label="Model" hint="A model the engine has, e.g. llama3.1:8b." error={err('text.model')}>
              <Input autoComplete="off" spellCheck={false} {...register('text.model')} />
            </Field>
          </div>
        </fieldset>
        <fieldset className="flex flex-col gap-4">
          <legend className="mb-3 text-sm font-semibold">Images</legend>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="gs-image-engine" label="Image engine" error={err('image.engineId')}>
              <NativeSelect {...register('image.engineId')}>
                <EngineOptions engines={imageEngines} current={watch('image.engineId')} />
              </NativeSelect>
            </Field>
            <Field id="gs-style" label="Style preset" hint="Used when the Studio request picks no style." error={err('image.stylePreset')}>
              <NativeSelect {...register('image.stylePreset')}>
                <option value="">None</option>
                {imageStyles.map((s) => (
                  <option key={s} value={s}>
                    {styleLabel(s)}
                  </option>
                ))}
              </NativeSelect>
            </Field>
            <Field id="gs-checkpoint" label="Checkpoint" hint="A model file on the image engine." error={err('image.checkpoint')}>
              <Input autoComplete="off" spellCheck={false} placeholder="e.g. sdxl/juggernautXL.safetensors" {...register('image.checkpoint')} />
            </Field>
            <Field
              id="gs-workflow"
              label="Workflow"
              hint={
                <>
                  The ComfyUI workflow its images use.{' '}
                  <Link to="/app/settings/workflows" className="underline underline-offset-4">
                    Manage workflows
                  </Link>
                </>
              }
              error={err('image.workflow')}
            >
              <NativeSelect {...register('image.workflow')}>
                <WorkflowOptions current={watch('image.workflow')} />
              </NativeSelect>
            </Field>
            <Field id="gs-lora" label="LoRA" hint="Empty for none." error={err('image.lora.name')}>
              <Input autoComplete="off" spellCheck={false} placeholder="e.g. mia-face-v2.safetensors" {...register('image.lora.name')} />
            </Field>
            <Field id="gs-lora-weight" label="LoRA weight" hint="From -2 to 2; 1 is the usual strength." error={err('image.lora.weight')}>
              <Input type="number" inputMode="decimal" step={0.05} min={-2} max={2} {...register('image.lora.weight', { valueAsNumber: true })} />
            </Field>
          </div>
        </fieldset>
        <FormSaveBar form={form} values={values} mutation={save} onSave={submit} />
      </form>
    </FormProvider>
  );
}
