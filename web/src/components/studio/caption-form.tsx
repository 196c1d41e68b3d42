// Studio → Caption: captions, X posts and threads, replies, bios and video scripts in the
// character's voice. The limits mirror server/src/schemas/generation.schemas.ts; the server decides.
import { zodResolver } from '@hookform/resolvers/zod';
import { useQuery } from '@tanstack/react-query';
import { Loader2Icon, SparklesIcon } from 'lucide-react';
import * as React from 'react';
import { type FieldPath, useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import type { Generation } from '@/api/client';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input, NativeSelect, Textarea } from '@/components/ui/input';
import { applyServerErrors } from '@/lib/character-form';
import { enginesFor, enginesQuery, type TextTask, textTasks } from '@/lib/generation';
import { CostLine, EngineSelect, GenerateError, useGenerate } from './composer-bits';

const schema = z
  .object({
    task: z.enum(['caption', 'x-post', 'x-thread', 'reply', 'bio', 'video-script']),
    idea: z.string().trim().max(2000, 'Use at most 2,000 characters.'),
    replyTo: z.string().trim().max(2000, 'Use at most 2,000 characters.'),
    count: z.number({ error: 'Enter how many, from 1 to 20.' }).int('Use a whole number.').min(1, 'At least 1.').max(20, 'At most 20 at once.'),
    engineId: z.string(),
  })
  .superRefine((v, ctx) => {
    if (v.task === 'reply' && !v.replyTo) ctx.addIssue({ code: 'custom', path: ['replyTo'], message: 'Paste the comment or message to answer.' });
  });
type Values = z.infer<typeof schema>;

const placeholders: Record<TextTask, string> = {
  caption: 'e.g. Sunday morning at the farmers’ market, first strawberries of the year',
  'x-post': 'e.g. A hot take on morning routines',
  'x-thread': 'e.g. 5 things I learned from a month without my phone',
  reply: 'e.g. Thank them warmly and invite them to the next live stream',
  bio: 'e.g. Mention the cooking classes and the new podcast',
  'video-script': 'e.g. A 30-second reel: my 3-ingredient breakfast',
};

const countWords: Record<TextTask, string> = { caption: 'captions', 'x-post': 'posts', 'x-thread': 'threads', reply: 'replies', bio: 'bios', 'video-script': 'scripts' };

export function CaptionForm({ characterId, onCreated }: { characterId: string; onCreated: (items: Generation[]) => void }) {
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    mode: 'onTouched',
    defaultValues: { task: 'caption', idea: '', replyTo: '', count: 3, engineId: '' },
  });
  const { register, formState, control, setValue } = form;
  const errors = formState.errors;
  const [task, count, engineId] = useWatch({ control, name: ['task', 'count', 'engineId'] });
  const engines = useQuery(enginesQuery);
  const candidates = React.useMemo(() => enginesFor(engines.data?.items, 'text', task), [engines.data, task]);
  const generate = useGenerate(characterId, onCreated);
  const setEngine = React.useCallback((v: string) => setValue('engineId', v), [setValue]);

  const submit = form.handleSubmit(
    (v) => {
      generate.mutate(
        { kind: 'text', task: v.task, idea: v.idea, replyTo: v.task === 'reply' ? v.replyTo : null, count: v.count, engineId: v.engineId || null },
        {
          onError: (err) => {
            const first = applyServerErrors(form, err, (p) => ['task', 'idea', 'replyTo', 'count', 'engineId'].includes(p))[0];
            if (first) form.setFocus(first as FieldPath<Values>);
          },
        },
      );
    },
    (errs) => {
      const first = (['replyTo', 'idea', 'count'] as const).find((f) => errs[f]);
      if (first) form.setFocus(first);
    },
  );
  const units = Number.isFinite(count) && count > 0 ? count : 1;

  return (
    <form noValidate onSubmit={(e) => void submit(e)} className="flex flex-col gap-5" aria-label="Write texts">
      <div className="grid gap-5 sm:grid-cols-2">
        <Field id="cap-task" label="What to write">
          <NativeSelect {...register('task')}>
            {textTasks.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field id="cap-count" label="How many" hint={`${units} ${units === 1 ? countWords[task].replace(/s$/, '') : countWords[task]}, each different — “10 captions for next week”.`} error={errors.count?.message}>
          <Input type="number" inputMode="numeric" min={1} max={20} step={1} {...register('count', { valueAsNumber: true })} />
        </Field>
      </div>
      {task === 'reply' ? (
        <Field id="cap-reply" label="Comment to answer" required error={errors.replyTo?.message}>
          <Textarea rows={3} maxLength={2000} placeholder="Paste the comment or message here" {...register('replyTo')} />
        </Field>
      ) : null}
      <Field id="cap-idea" label="Idea" hint="What it is about. Leave empty for something on-brand." error={errors.idea?.message}>
        <Textarea rows={3} maxLength={2000} placeholder={placeholders[task]} {...register('idea')} />
      </Field>
      <Field id="cap-engine" label="Engine" hint="Best available tries your engines in their fallback order, then the built-in one." error={errors.engineId?.message}>
        <EngineSelect candidates={candidates} value={engineId} onChange={setEngine} />
      </Field>
      <GenerateError error={generate.error && !Object.keys(errors).length ? generate.error : null} />
      <div className="flex flex-col-reverse gap-3 sm:flex-row sm:items-center sm:justify-between">
        <CostLine id="cap-cost" candidates={candidates} engineId={engineId} kind="text" units={units} />
        <Button type="submit" size="lg" disabled={generate.isPending} aria-describedby="cap-cost">
          {generate.isPending ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : <SparklesIcon aria-hidden="true" />}
          Generate
        </Button>
      </div>
    </form>
  );
}
