// Studio → Image: images from an image engine, or cards from the built-in compositor. Several
// styles make one generation per style ("4 images in 3 styles"). The limits mirror
// server/src/schemas/generation.schemas.ts; the server decides.
import { zodResolver } from '@hookform/resolvers/zod';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { ChevronDownIcon, ImageIcon, Loader2Icon, QuoteIcon, SparklesIcon } from 'lucide-react';
import * as React from 'react';
import { type FieldPath, useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import type { Character, Generation } from '@/api/client';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input, NativeSelect, Textarea } from '@/components/ui/input';
import { applyServerErrors } from '@/lib/character-form';
import { type Aspect, aspects, cardLayouts, enginesFor, enginesQuery, type ImageStyle, imageStyles, styleLabel } from '@/lib/generation';
import { cn } from '@/lib/utils';
import { CostLine, EngineSelect, GenerateError, SegmentedRadio, useGenerate } from './composer-bits';

const MAX_STYLES = 5;

const schema = z.object({
  task: z.enum(['image', 'card']),
  idea: z.string().trim().max(2000, 'Use at most 2,000 characters.'),
  cardText: z.string().trim().max(1000, 'Use at most 1,000 characters.'),
  cardLayout: z.enum(['quote', 'text', 'photo-caption']),
  styles: z.array(z.enum(['natural', 'studio', 'cinematic', 'film', 'editorial', 'minimal', 'bold', 'warm', 'pastel', 'noir'])).max(MAX_STYLES, `Pick at most ${MAX_STYLES} styles.`),
  aspect: z.enum(['1:1', '4:5', '9:16', '16:9']),
  batch: z.number({ error: 'Enter how many, from 1 to 8.' }).int('Use a whole number.').min(1, 'At least 1.').max(8, 'At most 8 per style.'),
  variationId: z.string(),
  negativePrompt: z.string().trim().max(2000, 'Use at most 2,000 characters.'),
  seed: z.string().trim().regex(/^\d{0,10}$/, 'Use a whole number, or leave empty for a random seed.').refine((s) => s === '' || Number(s) <= 2 ** 31 - 1, 'Use a number up to 2147483647.'),
  engineId: z.string(),
});
type Values = z.infer<typeof schema>;

function AspectIcon({ w, h }: { w: number; h: number }) {
  return (
    <span className="flex size-5 items-center justify-center" aria-hidden="true">
      <span className="rounded-[2px] border-[1.5px] border-current" style={{ width: w, height: h }} />
    </span>
  );
}

export function ImageForm({ character, onCreated }: { character: Character; onCreated: (items: Generation[]) => void }) {
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    mode: 'onTouched',
    defaultValues: { task: 'image', idea: '', cardText: '', cardLayout: 'quote', styles: [], aspect: '4:5', batch: 1, variationId: '', negativePrompt: '', seed: '', engineId: '' },
  });
  const { register, formState, control, setValue } = form;
  const errors = formState.errors;
  const [task, styles, aspect, batch, engineId] = useWatch({ control, name: ['task', 'styles', 'aspect', 'batch', 'engineId'] });
  const engines = useQuery(enginesQuery);
  const candidates = React.useMemo(() => enginesFor(engines.data?.items, 'image', task), [engines.data, task]);
  const noImageEngine = engines.isSuccess && enginesFor(engines.data.items, 'image', 'image').length === 0;
  const generate = useGenerate(character.id, onCreated);
  const setEngine = React.useCallback((v: string) => setValue('engineId', v), [setValue]);
  const stylesId = React.useId();
  const variations = character.appearance.variations;

  const send = (v: Values) => {
    generate.mutate(
      {
        kind: 'image',
        task: v.task,
        idea: v.idea,
        styles: v.styles,
        aspect: v.aspect,
        batch: v.batch,
        seed: v.seed ? Number(v.seed) : null,
        variationId: v.task === 'image' && v.variationId ? v.variationId : null,
        negativePrompt: v.task === 'image' ? v.negativePrompt : '',
        cardText: v.task === 'card' && v.cardText ? v.cardText : null,
        cardLayout: v.task === 'card' ? v.cardLayout : null,
        engineId: v.engineId || null,
      },
      {
        onError: (err) => {
          const first = applyServerErrors(form, err, (p) => p in v)[0];
          if (first) form.setFocus(first as FieldPath<Values>);
        },
      },
    );
  };
  const submit = form.handleSubmit(send, (errs) => {
    const first = (['cardText', 'idea', 'batch', 'negativePrompt', 'seed'] as const).find((f) => errs[f]);
    if (first) form.setFocus(first);
  });
  const makeCard = () => {
    setValue('task', 'card');
    void form.handleSubmit(send)();
  };

  const perStyle = Number.isFinite(batch) && batch > 0 ? batch : 1;
  const generations = Math.max(1, styles.length);
  const total = perStyle * generations;
  const noun = task === 'card' ? 'card' : 'image';
  const summary = `${total} ${total === 1 ? noun : `${noun}s`}${styles.length > 1 ? ` — ${perStyle} in each of ${styles.length} styles` : ''}`;
  const toggleStyle = (s: ImageStyle) => setValue('styles', styles.includes(s) ? styles.filter((x) => x !== s) : [...styles, s], { shouldDirty: true, shouldValidate: true });

  return (
    <form noValidate onSubmit={(e) => void submit(e)} className="flex flex-col gap-5" aria-label="Make images">
      <SegmentedRadio
        legend="Make"
        name="image-task"
        value={task}
        onChange={(v) => setValue('task', v)}
        options={[
          { value: 'image', label: 'Image', icon: <ImageIcon className="size-4" aria-hidden="true" /> },
          { value: 'card', label: 'Card', icon: <QuoteIcon className="size-4" aria-hidden="true" /> },
        ]}
      />

      {task === 'image' && noImageEngine ? (
        <div className="flex flex-col gap-3 rounded-lg border border-dashed p-4 text-sm" data-testid="no-image-engine">
          <p>
            <span className="font-medium">No image engine yet:</span> add one (ComfyUI, AUTOMATIC1111 / Forge or an image API), or make a card — cards work offline.
          </p>
          <div className="flex flex-wrap gap-2">
            <Button asChild size="sm" variant="outline">
              <Link to="/app/settings/engines">Add an engine</Link>
            </Button>
            <Button size="sm" variant="secondary" onClick={() => setValue('task', 'card')}>
              <QuoteIcon aria-hidden="true" /> Make a card
            </Button>
          </div>
        </div>
      ) : null}

      {task === 'card' ? (
        <div className="grid gap-5 sm:grid-cols-[minmax(0,12rem)_1fr]">
          <Field id="img-layout" label="Card layout">
            <NativeSelect {...register('cardLayout')}>
              {cardLayouts.map((l) => (
                <option key={l.value} value={l.value}>
                  {l.label}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field id="img-card-text" label="Card text" hint="The words on the card. Empty: the idea is used." error={errors.cardText?.message}>
            <Textarea rows={2} maxLength={1000} placeholder="e.g. Slow mornings are a love language." {...register('cardText')} />
          </Field>
        </div>
      ) : null}

      <Field id="img-idea" label="Idea" hint={task === 'card' ? 'What the card is about.' : 'The scene, mood or outfit. The character’s look is added for you.'} error={errors.idea?.message}>
        <Textarea rows={3} maxLength={2000} placeholder={task === 'card' ? 'e.g. Gratitude for 10k followers' : 'e.g. Reading in a sunlit café, linen shirt, morning light'} {...register('idea')} />
      </Field>

      <div className="flex flex-col gap-2" role="group" aria-labelledby={`${stylesId}-label`} aria-describedby={`${stylesId}-hint`}>
        <span id={`${stylesId}-label`} className="text-sm leading-none font-medium">
          Styles
        </span>
        <ul className="flex flex-wrap gap-1.5">
          {imageStyles.map((s) => {
            const on = styles.includes(s);
            return (
              <li key={s}>
                <button
                  type="button"
                  aria-pressed={on}
                  disabled={!on && styles.length >= MAX_STYLES}
                  onClick={() => toggleStyle(s)}
                  className={cn(
                    'inline-flex h-8 cursor-pointer items-center rounded-full border px-3 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring disabled:cursor-not-allowed disabled:opacity-50',
                    on ? 'border-primary bg-primary text-primary-foreground' : 'bg-background hover:bg-accent hover:text-accent-foreground',
                  )}
                >
                  {styleLabel(s)}
                </button>
              </li>
            );
          })}
        </ul>
        <p id={`${stylesId}-hint`} className="text-xs text-muted-foreground">
          Pick up to {MAX_STYLES}; each style is its own generation. None: the character’s usual style.
        </p>
        {errors.styles?.message ? (
          <p className="text-sm font-medium text-destructive" role="alert">
            {errors.styles.message}
          </p>
        ) : null}
      </div>

      <SegmentedRadio
        legend="Aspect ratio"
        name="image-aspect"
        value={aspect}
        onChange={(v: Aspect) => setValue('aspect', v)}
        options={aspects.map((a) => ({ value: a.value, label: a.value, icon: <AspectIcon w={a.w} h={a.h} /> }))}
      />

      <div className="grid gap-5 sm:grid-cols-2">
        <Field id="img-batch" label={styles.length > 1 ? 'Per style' : 'How many'} hint={summary} error={errors.batch?.message}>
          <Input type="number" inputMode="numeric" min={1} max={8} step={1} {...register('batch', { valueAsNumber: true })} />
        </Field>
        {task === 'image' ? (
          <Field id="img-variation" label="Appearance variation" error={errors.variationId?.message}>
            <NativeSelect {...register('variationId')}>
              <option value="">Usual look</option>
              {variations.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name}
                </option>
              ))}
            </NativeSelect>
          </Field>
        ) : null}
      </div>

      <Field id="img-engine" label="Engine" error={errors.engineId?.message}>
        <EngineSelect candidates={candidates} value={engineId} onChange={setEngine} />
      </Field>

      <details className="group rounded-lg border px-4 py-3" open={Boolean(errors.negativePrompt || errors.seed) || undefined}>
        <summary className="flex cursor-pointer items-center gap-1.5 rounded-md text-sm font-medium focus-visible:outline-2 focus-visible:outline-ring">
          <ChevronDownIcon className="size-4 -rotate-90 transition-transform group-open:rotate-0" aria-hidden="true" />
          Advanced
        </summary>
        <div className="mt-4 flex flex-col gap-5">
          {task === 'image' ? (
            <Field id="img-negative" label="Negative prompt" hint="What the engine should avoid, added to the usual list." error={errors.negativePrompt?.message}>
              <Textarea rows={2} maxLength={2000} placeholder="e.g. sunglasses, text, watermark" {...register('negativePrompt')} />
            </Field>
          ) : null}
          <Field id="img-seed" label="Seed" hint="The same seed and settings give the same picture. Empty: random." error={errors.seed?.message}>
            <Input inputMode="numeric" autoComplete="off" className="sm:max-w-48" {...register('seed')} />
          </Field>
        </div>
      </details>

      <GenerateError error={generate.error && !Object.keys(errors).length ? generate.error : null} onMakeCard={task === 'image' ? makeCard : undefined} />
      <div className="flex flex-col-reverse gap-3 sm:flex-row sm:items-center sm:justify-between">
        <CostLine id="img-cost" candidates={candidates} engineId={engineId} kind="image" units={total} />
        <Button type="submit" size="lg" disabled={generate.isPending} aria-describedby="img-cost">
          {generate.isPending ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : <SparklesIcon aria-hidden="true" />}
          {task === 'card' ? 'Make card' : 'Generate'}
        </Button>
      </div>
    </form>
  );
}
