import { useQuery } from '@tanstack/react-query';
import { ChevronDownIcon, Loader2Icon, PlusIcon, Trash2Icon } from 'lucide-react';
import * as React from 'react';
import { api, call, type Appearance, type Character, errorMessage, type Variation } from '@/api/client';
import { help } from '@/components/app/persona-fields';
import { Button } from '@/components/ui/button';
import { Field, HelpTip } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { TagInput } from '@/components/ui/tag-input';
import { useDebouncedValue } from '@/lib/hooks';
import { fieldErrorsOf, SaveBar, Section, useCharacterPatch, useDraft } from './shared';

type Attributes = Appearance['attributes'];
type AttrKey = keyof Attributes;

const attributeFields: { key: AttrKey; label: string; placeholder: string; help?: string }[] = [
  { key: 'hairColor', label: 'Hair color', placeholder: 'e.g. dark brown' },
  { key: 'hairStyle', label: 'Hair style', placeholder: 'e.g. shoulder-length waves' },
  { key: 'eyeColor', label: 'Eye color', placeholder: 'e.g. green' },
  { key: 'skinTone', label: 'Skin tone', placeholder: 'e.g. olive' },
  { key: 'bodyType', label: 'Body type', placeholder: 'e.g. athletic' },
  { key: 'ageLook', label: 'Age look', placeholder: 'e.g. mid-20s', help: help.ageLook },
];

/** Keep only the attribute overrides the user actually filled in. */
function cleanOverrides(o: Partial<Attributes> | undefined): Partial<Attributes> {
  const out: Partial<Attributes> = {};
  for (const [k, v] of Object.entries(o ?? {})) if (typeof v === 'string' && v.trim()) out[k as AttrKey] = v;
  return out;
}

function normalize(a: Appearance): Appearance {
  return { ...a, variations: a.variations.map((v) => ({ ...v, overrides: cleanOverrides(v.overrides) as Variation['overrides'] })) };
}

function newVariationId(existing: Variation[]) {
  let i = existing.length + 1;
  while (existing.some((v) => v.id === `look-${i}`)) i++;
  return `look-${i}`;
}

export function AppearanceTab({ character }: { character: Character }) {
  const { draft, setDraft, dirty, reset } = useDraft(normalize(character.appearance));
  const patch = useCharacterPatch(character.id);
  const errors = fieldErrorsOf(patch.error);
  const err = (path: string) => errors[`appearance.${path}`];
  const setAttr = (k: AttrKey, v: string) => setDraft((d) => ({ ...d, attributes: { ...d.attributes, [k]: v } }));
  const setStyle = (k: keyof Appearance['style'], v: string[]) => setDraft((d) => ({ ...d, style: { ...d.style, [k]: v } }));
  const setVariation = (i: number, v: Partial<Variation>) =>
    setDraft((d) => ({ ...d, variations: d.variations.map((x, j) => (j === i ? { ...x, ...v } : x)) }));
  const addVariation = () =>
    setDraft((d) => ({
      ...d,
      variations: [
        ...d.variations,
        { id: newVariationId(d.variations), name: `Look ${d.variations.length + 1}`, description: '', clothing: [], setting: '', overrides: {} as Variation['overrides'] },
      ],
    }));
  const focusAfterAdd = React.useRef(false);
  React.useEffect(() => {
    if (focusAfterAdd.current) {
      focusAfterAdd.current = false;
      document.getElementById(`var-${draft.variations.length - 1}-name`)?.focus();
    }
  }, [draft.variations.length]);

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <div className="flex min-w-0 flex-col gap-6">
        <Section title="Attributes" description="How the character looks in every image. Be specific — it keeps images consistent.">
          <div className="grid gap-5 md:grid-cols-2">
            {attributeFields.map((f) => (
              <Field key={f.key} id={`attr-${f.key}`} label={f.label} help={f.help} error={err(`attributes.${f.key}`)}>
                <Input maxLength={80} value={draft.attributes[f.key]} placeholder={f.placeholder} onChange={(e) => setAttr(f.key, e.target.value)} />
              </Field>
            ))}
            <Field id="attr-distinctiveFeatures" label="Distinctive features" error={err('attributes.distinctiveFeatures')} className="md:col-span-2">
              <Textarea rows={2} maxLength={300} value={draft.attributes.distinctiveFeatures} placeholder="e.g. freckles, small tattoo on the left wrist" onChange={(e) => setAttr('distinctiveFeatures', e.target.value)} />
            </Field>
          </div>
        </Section>

        <Section title="Style" description="The wardrobe, places and visual mood the character is usually shown in.">
          <div className="grid gap-5">
            <Field id="style-clothing" label="Clothing" error={err('style.clothing')}>
              <TagInput value={draft.style.clothing} onChange={(v) => setStyle('clothing', v)} placeholder="e.g. denim jacket, sneakers" maxItems={20} />
            </Field>
            <Field id="style-settings" label="Settings" error={err('style.settings')}>
              <TagInput value={draft.style.settings} onChange={(v) => setStyle('settings', v)} placeholder="e.g. city café, beach at sunset" maxItems={20} />
            </Field>
            <Field id="style-aesthetics" label="Aesthetics" error={err('style.aesthetics')}>
              <TagInput value={draft.style.aesthetics} onChange={(v) => setStyle('aesthetics', v)} placeholder="e.g. film grain, warm tones" maxItems={20} />
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
              disabled={draft.variations.length >= 20}
              onClick={() => {
                focusAfterAdd.current = true;
                addVariation();
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
          {draft.variations.length === 0 ? (
            <p className="rounded-lg border border-dashed p-6 text-center text-sm text-muted-foreground">
              No variations yet. Add one for each look you want, like “Gym” or “Evening out”.
            </p>
          ) : (
            <ul className="flex flex-col gap-4">
              {draft.variations.map((v, i) => (
                <VariationEditor
                  key={v.id}
                  index={i}
                  variation={v}
                  base={draft.attributes}
                  errors={errors}
                  onChange={(p) => setVariation(i, p)}
                  onRemove={() => setDraft((d) => ({ ...d, variations: d.variations.filter((_, j) => j !== i) }))}
                />
              ))}
            </ul>
          )}
        </section>

        <SaveBar
          dirty={dirty}
          pending={patch.isPending}
          onSave={() => patch.mutate({ appearance: draft }, { onSuccess: (c) => reset(normalize(c.appearance)) })}
          onDiscard={() => {
            reset();
            patch.reset();
          }}
        />
      </div>
      <PromptPreview character={character} appearance={draft} />
    </div>
  );
}

function VariationEditor({
  index,
  variation: v,
  base,
  errors,
  onChange,
  onRemove,
}: {
  index: number;
  variation: Variation;
  base: Attributes;
  errors: Record<string, string>;
  onChange: (p: Partial<Variation>) => void;
  onRemove: () => void;
}) {
  const id = (k: string) => `var-${index}-${k}`;
  const err = (k: string) => errors[`appearance.variations.${index}.${k}`];
  const overrides = (v.overrides ?? {}) as Partial<Attributes>;
  const overrideCount = Object.values(overrides).filter((x) => x && String(x).trim()).length;
  const label = v.name.trim() || `Variation ${index + 1}`;
  return (
    <li className="rounded-lg border bg-background p-4" data-testid="variation">
      <fieldset>
      <legend className="mb-4 text-sm font-semibold">
        <span className="text-muted-foreground">Variation {index + 1}:</span> {v.name.trim() || 'Untitled'}
      </legend>
      <div className="grid gap-4 md:grid-cols-2">
        <Field id={id('name')} label="Variation name" required error={err('name')}>
          <Input maxLength={60} value={v.name} onChange={(e) => onChange({ name: e.target.value })} />
        </Field>
        <Field id={id('setting')} label="Setting" error={err('setting')}>
          <Input maxLength={120} value={v.setting} placeholder="e.g. rooftop bar at night" onChange={(e) => onChange({ setting: e.target.value })} />
        </Field>
        <Field id={id('description')} label="Description" error={err('description')} className="md:col-span-2">
          <Textarea rows={2} maxLength={400} value={v.description} onChange={(e) => onChange({ description: e.target.value })} />
        </Field>
        <Field id={id('clothing')} label="Clothing" error={err('clothing')} className="md:col-span-2">
          <TagInput value={v.clothing} onChange={(clothing) => onChange({ clothing })} placeholder="e.g. little black dress" maxItems={20} />
        </Field>
      </div>
      <details className="group mt-4 rounded-md border">
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
              <Input
                maxLength={80}
                value={overrides[f.key] ?? ''}
                placeholder={base[f.key] ? `Usual: ${base[f.key]}` : f.placeholder}
                onChange={(e) => onChange({ overrides: { ...overrides, [f.key]: e.target.value } as Variation['overrides'] })}
              />
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

function PromptPreview({ character, appearance }: { character: Character; appearance: Appearance }) {
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
      appearance: normalize(appearance),
    }),
    [character, appearance],
  );
  const debounced = useDebouncedValue(body, 400);
  const key = JSON.stringify(debounced.appearance);
  const preview = useQuery({
    queryKey: ['prompt-preview', character.id, key, character.updatedAt],
    queryFn: ({ signal }) => call(api.POST('/api/prompt-preview', { body: debounced, signal })),
    placeholderData: (prev) => prev,
    staleTime: 60_000,
    retry: false,
  });
  const updating = preview.isFetching || JSON.stringify(body) !== JSON.stringify(debounced);
  return (
    <aside aria-labelledby="preview-title" className="lg:sticky lg:top-20 lg:self-start">
      <div className="rounded-xl border bg-card p-5 shadow-sm">
        <div className="flex items-center justify-between gap-2">
          <h2 id="preview-title" className="text-lg font-semibold">
            Image prompt preview
          </h2>
          {updating ? <Loader2Icon className="size-4 animate-spin text-muted-foreground" aria-label="Updating preview" /> : null}
        </div>
        <p className="mt-1 text-sm text-muted-foreground">What the image engine is asked for, updated as you type.</p>
        <div className="mt-4 flex flex-col gap-4" aria-live="polite" aria-busy={updating}>
          {preview.isPending ? (
            <>
              <Skeleton className="h-24" />
              <Skeleton className="h-16" />
            </>
          ) : preview.isError && !preview.data ? (
            <p className="text-sm text-destructive">Preview unavailable: {errorMessage(preview.error)}</p>
          ) : preview.data ? (
            <>
              {preview.isError ? <p className="text-sm text-destructive">Preview not updated: {errorMessage(preview.error)}</p> : null}
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
