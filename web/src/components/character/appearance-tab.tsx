import { zodResolver } from '@hookform/resolvers/zod';
import { useQuery } from '@tanstack/react-query';
import { ChevronDownIcon, Loader2Icon, PlusIcon, Trash2Icon } from 'lucide-react';
import * as React from 'react';
import { type FieldPath, FormProvider, useFieldArray, useForm, useFormContext, useWatch } from 'react-hook-form';
import { z } from 'zod';
import { api, ApiError, call, type Appearance, type Character, errorMessage, type Variation } from '@/api/client';
import { FormTagInput } from '@/components/app/form-controls';
import { help } from '@/components/app/persona-fields';
import { Button } from '@/components/ui/button';
import { Field, HelpTip } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { appearanceSchema, applyServerErrors, asSentence, errorAt } from '@/lib/character-form';
import { useDebouncedValue } from '@/lib/hooks';
import { useUnsavedChanges } from '@/lib/unsaved';
import { FormSaveBar, Section, useCharacterPatch } from './shared';

type Attributes = Appearance['attributes'];
type AttrKey = keyof Attributes;

const attributeFields: { key: Exclude<AttrKey, 'distinctiveFeatures'>; label: string; placeholder: string; max: number; help?: string }[] = [
  { key: 'hairColor', label: 'Hair color', placeholder: 'e.g. dark brown', max: 60 },
  { key: 'hairStyle', label: 'Hair style', placeholder: 'e.g. shoulder-length waves', max: 80 },
  { key: 'eyeColor', label: 'Eye color', placeholder: 'e.g. green', max: 60 },
  { key: 'skinTone', label: 'Skin tone', placeholder: 'e.g. olive', max: 60 },
  { key: 'bodyType', label: 'Body type', placeholder: 'e.g. athletic', max: 60 },
  { key: 'ageLook', label: 'Age look', placeholder: 'e.g. mid-20s', max: 60, help: help.ageLook },
];

const emptyAttributes: Attributes = { hairColor: '', hairStyle: '', eyeColor: '', skinTone: '', bodyType: '', ageLook: '', distinctiveFeatures: '' };

type FormAppearance = z.infer<typeof appearanceSchema>;
interface AppearanceValues {
  appearance: FormAppearance;
}
const appearanceFormSchema = z.object({ appearance: appearanceSchema });

/** Server shape → form shape: every override field present ('' keeps the usual look). */
function toForm(a: Appearance): FormAppearance {
  return {
    attributes: { ...emptyAttributes, ...a.attributes },
    style: { clothing: a.style.clothing, settings: a.style.settings, aesthetics: a.style.aesthetics },
    variations: a.variations.map((v) => ({
      id: v.id,
      name: v.name,
      description: v.description,
      clothing: v.clothing,
      setting: v.setting,
      overrides: { ...emptyAttributes, ...(v.overrides as Partial<Attributes>) },
    })),
  };
}

/** Form shape → server shape: only the overrides the user filled in. */
function fromForm(a: FormAppearance): Appearance {
  return {
    ...a,
    variations: a.variations.map((v) => {
      const overrides: Partial<Attributes> = {};
      for (const [k, val] of Object.entries(v.overrides)) if (val.trim()) overrides[k as AttrKey] = val;
      return { ...v, overrides: overrides as Variation['overrides'] };
    }),
  };
}

function newVariationId(existing: { id: string }[]) {
  let i = existing.length + 1;
  while (existing.some((v) => v.id === `look-${i}`)) i++;
  return `look-${i}`;
}

export function AppearanceTab({ character }: { character: Character }) {
  const values = React.useMemo<AppearanceValues>(() => ({ appearance: toForm(character.appearance) }), [character.appearance]);
  const form = useForm<AppearanceValues>({ resolver: zodResolver(appearanceFormSchema), mode: 'onTouched', values, resetOptions: { keepDirtyValues: true } });
  const { control, register, formState } = form;
  const variations = useFieldArray({ control, name: 'appearance.variations', keyName: 'key' });
  const patch = useCharacterPatch(character.id);
  useUnsavedChanges('appearance', 'Appearance', formState.isDirty);
  const appearance = useWatch({ control, name: 'appearance' }) as FormAppearance;
  const preview = usePromptPreview(character, appearance);
  // What the server refuses while the user types (an apparent age that is not clearly adult) is
  // shown under that field from the live preview, before anything is saved.
  const previewErrors = preview.error instanceof ApiError ? preview.error.fieldErrors() : {};
  const err = (path: string) => errorAt(formState.errors, `appearance.${path}`) ?? (previewErrors[`appearance.${path}`] ? asSentence(previewErrors[`appearance.${path}`]!) : undefined);

  const save = form.handleSubmit(
    (v) =>
      patch.mutate(
        { appearance: fromForm(v.appearance) },
        {
          onSuccess: (c) => form.reset({ appearance: toForm(c.appearance) }),
          onError: (e) => {
            const first = applyServerErrors(form, e, (p) => p.startsWith('appearance.'))[0];
            if (first) focusField(first);
          },
        },
      ),
    () => {
      const el = document.querySelector<HTMLElement>('[data-appearance-form] [aria-invalid="true"]');
      el?.focus();
    },
  );

  /** Focus a field by path, opening the variation's overrides if it is inside them. */
  const focusField = (path: string) => {
    const m = /^appearance\.variations\.(\d+)\.overrides\./.exec(path);
    if (m) {
      const details = document.getElementById(`var-${m[1]}-overrides`) as HTMLDetailsElement | null;
      if (details) details.open = true;
    }
    requestAnimationFrame(() => form.setFocus(path as FieldPath<AppearanceValues>));
  };

  return (
    <FormProvider {...form}>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <form noValidate data-appearance-form onSubmit={(e) => void save(e)} className="flex min-w-0 flex-col gap-6">
          <Section title="Attributes" description="How the character looks in every image. Be specific — it keeps images consistent.">
            <div className="grid gap-5 md:grid-cols-2">
              {attributeFields.map((f) => (
                <Field key={f.key} id={`attr-${f.key}`} label={f.label} help={f.help} error={err(`attributes.${f.key}`)}>
                  <Input maxLength={f.max} placeholder={f.placeholder} {...register(`appearance.attributes.${f.key}`)} />
                </Field>
              ))}
              <Field id="attr-distinctiveFeatures" label="Distinctive features" error={err('attributes.distinctiveFeatures')} className="md:col-span-2">
                <Textarea rows={2} maxLength={300} placeholder="e.g. freckles, small tattoo on the left wrist" {...register('appearance.attributes.distinctiveFeatures')} />
              </Field>
            </div>
          </Section>

          <Section title="Style" description="The wardrobe, places and visual mood the character is usually shown in.">
            <div className="grid gap-5">
              <Field id="style-clothing" label="Clothing" error={err('style.clothing')}>
                <FormTagInput name="appearance.style.clothing" placeholder="e.g. denim jacket, sneakers" maxItems={20} />
              </Field>
              <Field id="style-settings" label="Settings" error={err('style.settings')}>
                <FormTagInput name="appearance.style.settings" placeholder="e.g. city café, beach at sunset" maxItems={20} />
              </Field>
              <Field id="style-aesthetics" label="Aesthetics" error={err('style.aesthetics')}>
                <FormTagInput name="appearance.style.aesthetics" placeholder="e.g. film grain, warm tones" maxItems={20} />
              </Field>
            </div>
          </Section>

          <section aria-labelledby="variations-title" className="rounded-xl border bg-card p-5 shadow-sm sm:p-6">
            <div className="mb-5 flex flex-wrap items-start justify-between gap-3">
              <div className="min-w-0 flex-1">
                <div className="flex items-center gap-1.5">
                  <h2 id="variations-title" className="text-lg font-semibold">
                    Variations
                  </h2>
                  <HelpTip label="Variations" id="variations-help-text">
                    {help.variations}
                  </HelpTip>
                  <span id="variations-help-text" className="sr-only">
                    {help.variations}
                  </span>
                </div>
                <p className="mt-1 text-sm text-muted-foreground" id="variations-help">
                  Named looks, each with its own clothing, setting and optional attribute changes.
                </p>
              </div>
              <Button
                variant="outline"
                size="sm"
                disabled={variations.fields.length >= 20}
                onClick={() => {
                  const list = form.getValues('appearance.variations');
                  variations.append(
                    { id: newVariationId(list), name: `Look ${list.length + 1}`, description: '', clothing: [], setting: '', overrides: { ...emptyAttributes } },
                    { shouldFocus: true, focusName: `appearance.variations.${list.length}.name` },
                  );
                }}
              >
                <PlusIcon aria-hidden="true" /> Add variation
              </Button>
            </div>
            {err('variations') ? (
              <p role="alert" className="mb-3 text-sm font-medium text-destructive">
                {err('variations')}
              </p>
            ) : null}
            {variations.fields.length === 0 ? (
              <p className="rounded-lg border border-dashed p-6 text-center text-sm text-muted-foreground">
                No variations yet. Add one for each look you want, like “Gym” or “Evening out”.
              </p>
            ) : (
              <ul className="flex flex-col gap-4">
                {variations.fields.map((v, i) => (
                  <VariationEditor key={v.key} index={i} base={appearance.attributes} err={err} onRemove={() => variations.remove(i)} />
                ))}
              </ul>
            )}
          </section>

          <FormSaveBar form={form} values={values} mutation={patch} onSave={save} />
        </form>
        <PromptPreview preview={preview} />
      </div>
    </FormProvider>
  );
}

function VariationEditor({ index, base, err: appearanceErr, onRemove }: { index: number; base: Attributes; err: (path: string) => string | undefined; onRemove: () => void }) {
  const { register } = useFormContext<AppearanceValues>();
  const id = (k: string) => `var-${index}-${k}`;
  const err = (k: string) => appearanceErr(`variations.${index}.${k}`);
  const name = useWatch<AppearanceValues>({ name: `appearance.variations.${index}.name` }) as string | undefined;
  const overrides = (useWatch<AppearanceValues>({ name: `appearance.variations.${index}.overrides` }) ?? {}) as Partial<Attributes>;
  const overrideCount = Object.values(overrides).filter((x) => x && String(x).trim()).length;
  const overrideError = attributeFields.some((f) => err(`overrides.${f.key}`));
  const label = name?.trim() || `Variation ${index + 1}`;
  return (
    <li className="rounded-lg border bg-background p-4" data-testid="variation">
      <fieldset>
        <legend className="mb-4 text-sm font-semibold">
          <span className="text-muted-foreground">Variation {index + 1}:</span> {name?.trim() || 'Untitled'}
        </legend>
        <div className="grid gap-4 md:grid-cols-2">
          <Field id={id('name')} label="Variation name" required error={err('name')}>
            <Input maxLength={60} {...register(`appearance.variations.${index}.name`)} />
          </Field>
          <Field id={id('setting')} label="Setting" error={err('setting')}>
            <Input maxLength={120} placeholder="e.g. rooftop bar at night" {...register(`appearance.variations.${index}.setting`)} />
          </Field>
          <Field id={id('description')} label="Description" error={err('description')} className="md:col-span-2">
            <Textarea rows={2} maxLength={400} {...register(`appearance.variations.${index}.description`)} />
          </Field>
          <Field id={id('clothing')} label="Clothing" error={err('clothing')} className="md:col-span-2">
            <FormTagInput name={`appearance.variations.${index}.clothing`} placeholder="e.g. little black dress" maxItems={20} />
          </Field>
        </div>
        <details id={id('overrides')} className="group mt-4 rounded-md border" open={overrideError || undefined}>
          <summary className="flex cursor-pointer list-none items-center justify-between gap-2 rounded-md px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-ring">
            <span>
              Attribute overrides{' '}
              <span className="font-normal text-muted-foreground">{overrideCount ? `(${overrideCount} changed)` : '(none)'}</span>
            </span>
            <ChevronDownIcon className="size-4 transition-transform group-open:rotate-180" aria-hidden="true" />
          </summary>
          <div className="grid gap-4 border-t p-3 md:grid-cols-2">
            <p className="text-xs text-muted-foreground md:col-span-2">Leave a field empty to keep the character’s usual look.</p>
            {attributeFields.map((f) => (
              <Field key={f.key} id={id(`ov-${f.key}`)} label={f.label} error={err(`overrides.${f.key}`)}>
                <Input maxLength={f.max} placeholder={base[f.key] ? `Usual: ${base[f.key]}` : f.placeholder} {...register(`appearance.variations.${index}.overrides.${f.key}`)} />
              </Field>
            ))}
          </div>
        </details>
        <div className="mt-4 flex justify-end">
          <Button variant="ghost" size="sm" className="text-destructive hover:bg-destructive/10 hover:text-destructive" onClick={onRemove} aria-label={`Remove variation ${label}`}>
            <Trash2Icon aria-hidden="true" /> Remove
          </Button>
        </div>
      </fieldset>
    </li>
  );
}

/** Asks the server for the prompts this (unsaved) appearance would produce, as the user types. */
function usePromptPreview(character: Character, appearance: FormAppearance) {
  const body = React.useMemo(
    () => ({
      name: character.name,
      handle: character.handle,
      bio: character.bio,
      age: character.age,
      location: character.location,
      interests: character.interests,
      timezone: character.timezone,
      activeHours: character.activeHours,
      persona: character.persona,
      appearance: fromForm(appearance),
    }),
    [character, appearance],
  );
  const debounced = useDebouncedValue(body, 400);
  const key = JSON.stringify(debounced.appearance);
  const query = useQuery({
    queryKey: ['prompt-preview', character.id, key, character.updatedAt],
    queryFn: ({ signal }) => call(api.POST('/api/prompt-preview', { body: debounced, signal })),
    placeholderData: (prev) => prev,
    staleTime: 60_000,
    retry: false,
  });
  const updating = query.isFetching || JSON.stringify(body) !== JSON.stringify(debounced);
  // The last prompts that could be built stay on screen while the current input is refused.
  const lastGood = React.useRef(query.data);
  if (query.data) lastGood.current = query.data;
  return { ...query, data: query.data ?? lastGood.current, updating };
}

function PromptPreview({ preview }: { preview: ReturnType<typeof usePromptPreview> }) {
  const fieldProblem = preview.error instanceof ApiError && Object.keys(preview.error.fieldErrors()).length > 0;
  return (
    <aside aria-labelledby="preview-title" className="lg:sticky lg:top-20 lg:self-start">
      <div className="rounded-xl border bg-card p-5 shadow-sm">
        <div className="flex items-center justify-between gap-2">
          <h2 id="preview-title" className="text-lg font-semibold">
            Image prompt preview
          </h2>
          {preview.updating ? <Loader2Icon className="size-4 animate-spin text-muted-foreground" aria-label="Updating preview" /> : null}
        </div>
        <p className="mt-1 text-sm text-muted-foreground">What the image engine is asked for, updated as you type.</p>
        <div className="mt-4 flex flex-col gap-4" aria-live="polite" aria-busy={preview.updating}>
          {preview.isError ? (
            <p className="text-sm text-destructive" data-testid="preview-error">
              {fieldProblem
                ? 'Not updated until the highlighted field is fixed.'
                : `${preview.data ? 'Not updated' : 'Preview unavailable'}: ${errorMessage(preview.error)}`}
            </p>
          ) : null}
          {preview.isPending && !preview.data ? (
            <>
              <Skeleton className="h-24" />
              <Skeleton className="h-16" />
            </>
          ) : preview.data ? (
            <>
              <PreviewBlock title="Base look" text={preview.data.imagePrompt} />
              {preview.data.variations.map((v) => (
                <PreviewBlock key={v.id} title={v.name} text={v.imagePrompt} />
              ))}
            </>
          ) : null}
        </div>
      </div>
    </aside>
  );
}

function PreviewBlock({ title, text }: { title: string; text: string }) {
  return (
    <div>
      <h3 className="text-sm font-medium">{title}</h3>
      <p className="mt-1 rounded-md bg-muted px-3 py-2 font-mono text-xs leading-relaxed break-words whitespace-pre-wrap">{text}</p>
    </div>
  );
}
