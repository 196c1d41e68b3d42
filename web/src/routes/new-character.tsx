import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { ArrowLeftIcon, ArrowRightIcon, CheckIcon, FileIcon, Loader2Icon } from 'lucide-react';
import * as React from 'react';
import { type FieldErrors, type FieldPath, FormProvider, useForm } from 'react-hook-form';
import { toast } from 'sonner';
import type { z } from 'zod';
import { api, call, type CreateCharacter, errorMessage, type PersonaTemplate } from '@/api/client';
import { InlineError } from '@/components/app/errors';
import { FormTagInput, FormTimezoneSelect } from '@/components/app/form-controls';
import { defaultPersona, emptyAppearance, help, PersonaFields } from '@/components/app/persona-fields';
import { Button } from '@/components/ui/button';
import { Field, FormError } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { applyServerErrors, basicsSchema, errorAt, personaSchema } from '@/lib/character-form';
import { useTitle } from '@/lib/hooks';
import { keys, templatesQuery } from '@/lib/queries';
import { UnsavedChangesGuard, useUnsavedChanges } from '@/lib/unsaved';
import { browserTimezone, cn, suggestHandle } from '@/lib/utils';

const steps = ['Template', 'Basics', 'Persona'] as const;
const BLANK = 'blank';

const wizardSchema = basicsSchema.extend({ persona: personaSchema });
type WizardValues = z.infer<typeof wizardSchema>;

/** The fields each step shows; a step is checked before the wizard moves past it. */
const stepFields: Record<number, FieldPath<WizardValues>[]> = {
  0: [],
  1: ['name', 'handle', 'age', 'location', 'timezone', 'bio'],
  2: ['interests', 'persona'],
};

/** The step that shows a field ("persona.language" → 2), or null for a field no step shows. */
function stepOf(path: string): number | null {
  const top = path.split('.')[0]!;
  for (const [step, fields] of Object.entries(stepFields)) if (fields.some((f) => f === top)) return Number(step);
  return null;
}

/** The first field in form order that has an error. */
function firstErrorPath(errors: FieldErrors<WizardValues>): string | null {
  const order = [...stepFields[1]!, 'interests', 'persona.traits', 'persona.tone', 'persona.language', 'persona.communicationStyle', 'persona.topics', 'persona.tabooTopics', 'persona.emojiUsage', 'persona.hashtagStyle', 'persona.signatureHashtags', 'persona.warmth', 'persona.flirtLevel', 'persona.disclosureLine'];
  return order.find((p) => errorAt(errors, p)) ?? null;
}

export function NewCharacterPage() {
  useTitle('New character');
  return (
    <UnsavedChangesGuard>
      <Wizard />
    </UnsavedChangesGuard>
  );
}

function Wizard() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const templates = useQuery(templatesQuery);
  const [step, setStep] = React.useState(0);
  const [templateId, setTemplateId] = React.useState<string>(BLANK);
  const handleEdited = React.useRef(false);
  const [generalError, setGeneralError] = React.useState<string | null>(null);
  const form = useForm<WizardValues>({
    resolver: zodResolver(wizardSchema),
    mode: 'onTouched',
    defaultValues: { name: '', handle: '', age: 25, bio: '', location: '', timezone: browserTimezone(), interests: [], persona: defaultPersona },
  });
  const { register, formState } = form;
  const errors = formState.errors;
  useUnsavedChanges('wizard', 'the new character', formState.isDirty);

  const headingRef = React.useRef<HTMLHeadingElement>(null);
  const focusAfterStep = React.useRef<string | null>(null);
  const firstRender = React.useRef(true);
  React.useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const field = focusAfterStep.current;
    focusAfterStep.current = null;
    if (field) form.setFocus(field as FieldPath<WizardValues>);
    else headingRef.current?.focus();
  }, [step, form]);

  /** Shows the step of a field and puts the cursor in it. */
  const showField = (path: string) => {
    const target = stepOf(path) ?? step;
    if (target === step) form.setFocus(path as FieldPath<WizardValues>);
    else {
      focusAfterStep.current = path;
      setStep(target);
    }
  };

  /** Moves to another step; moving forward first checks every step in between. */
  const goTo = async (target: number) => {
    if (target <= step) {
      setStep(target);
      return;
    }
    const fields = Object.entries(stepFields)
      .filter(([s]) => Number(s) >= step && Number(s) < target)
      .flatMap(([, f]) => f);
    if (fields.length > 0 && !(await form.trigger(fields))) {
      const first = firstErrorPath(form.formState.errors);
      if (first) showField(first);
      return;
    }
    setStep(target);
  };

  const applyTemplate = (t: PersonaTemplate | null) => {
    setTemplateId(t?.id ?? BLANK);
    form.setValue('persona', t ? { ...t.persona, templateId: t.id } : defaultPersona, { shouldDirty: true });
    form.setValue('bio', t?.suggestedBio ?? '', { shouldDirty: true });
    form.setValue('interests', t?.suggestedInterests ?? [], { shouldDirty: true });
  };

  const create = useMutation({
    mutationFn: (body: CreateCharacter) => call(api.POST('/api/characters', { body })),
    onSuccess: async (c) => {
      await qc.invalidateQueries({ queryKey: keys.characters });
      qc.setQueryData(keys.character(c.id), c);
      toast.success(`${c.name} is ready.`);
      await navigate({ to: '/app/characters/$id', params: { id: c.id }, ignoreBlocker: true });
    },
    onError: (err) => {
      // The server is the source of truth: its refusal lands on the field it names, on that field's step.
      const applied = applyServerErrors(form, err, (path) => stepOf(path) !== null);
      if (applied.length > 0) {
        setGeneralError(null);
        showField(applied[0]!);
      } else setGeneralError(errorMessage(err));
    },
  });

  const submit = form.handleSubmit(
    (v) => {
      setGeneralError(null);
      create.mutate({
        name: v.name,
        handle: v.handle,
        age: v.age,
        bio: v.bio,
        location: v.location,
        timezone: v.timezone,
        interests: v.interests,
        activeHours: { start: '09:00', end: '22:00' },
        persona: v.persona,
        appearance: emptyAppearance,
      });
    },
    (errs) => {
      const first = firstErrorPath(errs);
      if (first) showField(first);
    },
  );

  const createButton = (variant: 'default' | 'outline' = 'default') => (
    <Button type="button" variant={variant} onClick={() => void submit()} disabled={create.isPending}>
      {create.isPending ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : <CheckIcon aria-hidden="true" />}
      Create character
    </Button>
  );

  const ageField = register('age', {
    valueAsNumber: true,
    // Say at once when a typed age is under 18, without waiting for the field to lose focus.
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => {
      if (!form.getFieldState('age').isTouched && e.target.value.length >= 2) void form.trigger('age');
    },
  });
  const nameField = register('name', {
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => {
      if (handleEdited.current) return;
      const touched = form.getFieldState('handle').isTouched;
      form.setValue('handle', suggestHandle(e.target.value), { shouldDirty: true, shouldValidate: touched });
    },
  });
  const handleField = register('handle', { onChange: () => (handleEdited.current = true) });

  return (
    <div className="mx-auto flex max-w-3xl flex-col gap-6">
      <div>
        <Link to="/app" className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
          <ArrowLeftIcon className="size-4" aria-hidden="true" /> Characters
        </Link>
        <h1 className="mt-2 text-2xl font-bold tracking-tight sm:text-3xl">Create a character</h1>
        <p className="mt-1 text-sm text-muted-foreground">Three quick steps. Only name, handle and age are required — everything else can be changed later.</p>
      </div>

      <nav aria-label="Progress">
        <ol className="grid grid-cols-3 gap-2">
          {steps.map((s, i) => (
            <li key={s}>
              <button
                type="button"
                onClick={() => void goTo(i)}
                aria-current={i === step ? 'step' : undefined}
                className={cn(
                  'flex w-full flex-col gap-1.5 rounded-md border-t-4 pt-2 text-left text-sm focus-visible:outline-2 focus-visible:outline-ring cursor-pointer',
                  i <= step ? 'border-primary' : 'border-border',
                )}
              >
                <span className={cn('text-xs font-medium', i <= step ? 'text-primary' : 'text-muted-foreground')}>Step {i + 1}</span>
                <span className="font-medium">{s}</span>
              </button>
            </li>
          ))}
        </ol>
      </nav>

      <FormProvider {...form}>
        <form
          noValidate
          className="flex flex-col gap-6 rounded-xl border bg-card p-5 shadow-sm sm:p-6"
          onSubmit={(e) => {
            e.preventDefault();
            if (step < steps.length - 1) void goTo(step + 1);
            else void submit();
          }}
        >
          {step === 0 ? (
            <fieldset className="flex flex-col gap-4">
              <legend className="contents">
                <h2 ref={headingRef} tabIndex={-1} className="text-lg font-semibold outline-none">
                  Start from a template
                </h2>
              </legend>
              <p className="text-sm text-muted-foreground">A template fills in a personality you can tweak. Pick one, or start blank.</p>
              {templates.isPending ? (
                <div className="grid gap-3 sm:grid-cols-2" role="status" aria-label="Loading templates">
                  {Array.from({ length: 8 }, (_, i) => (
                    <Skeleton key={i} className="h-24" />
                  ))}
                </div>
              ) : templates.isError ? (
                <InlineError error={templates.error} onRetry={() => void templates.refetch()} />
              ) : (
                <div className="grid gap-3 sm:grid-cols-2" role="radiogroup" aria-label="Template">
                  <TemplateOption id={BLANK} name="Blank" summary="Start from scratch with neutral defaults." niche="" checked={templateId === BLANK} onSelect={() => applyTemplate(null)} />
                  {templates.data.items.map((t) => (
                    <TemplateOption key={t.id} id={t.id} name={t.name} summary={t.summary} niche={t.niche} checked={templateId === t.id} onSelect={() => applyTemplate(t)} />
                  ))}
                </div>
              )}
            </fieldset>
          ) : null}

          {step === 1 ? (
            <div className="flex flex-col gap-5">
              <h2 ref={headingRef} tabIndex={-1} className="text-lg font-semibold outline-none">
                The basics
              </h2>
              <div className="grid gap-5 sm:grid-cols-2">
                <Field id="basics-name" label="Name" required error={errors.name?.message}>
                  <Input autoFocus autoComplete="off" maxLength={60} {...nameField} />
                </Field>
                <Field id="basics-handle" label="Handle" required help={help.handle} hint="Suggested from the name." error={errors.handle?.message}>
                  <Input autoComplete="off" spellCheck={false} autoCapitalize="none" maxLength={31} {...handleField} />
                </Field>
                <Field id="basics-age" label="Age" required help={help.age} error={errors.age?.message}>
                  <Input type="number" inputMode="numeric" min={18} max={120} {...ageField} />
                </Field>
                <Field id="basics-location" label="Location" error={errors.location?.message}>
                  <Input maxLength={120} {...register('location')} placeholder="e.g. Lisbon, Portugal" />
                </Field>
                <Field id="basics-timezone" label="Timezone" help={help.timezone} hint="Defaults to your browser’s time zone." error={errors.timezone?.message} className="sm:col-span-2">
                  <FormTimezoneSelect name="timezone" />
                </Field>
                <Field id="basics-bio" label="Bio" error={errors.bio?.message} className="sm:col-span-2">
                  <Textarea rows={3} maxLength={1000} {...register('bio')} placeholder="A line or two the audience will see." />
                </Field>
              </div>
            </div>
          ) : null}

          {step === 2 ? (
            <div className="flex flex-col gap-5">
              <div>
                <h2 ref={headingRef} tabIndex={-1} className="text-lg font-semibold outline-none">
                  Review the persona
                </h2>
                <p className="mt-1 text-sm text-muted-foreground">Optional. These settings shape every caption and reply. You can fine-tune them any time.</p>
              </div>
              <Field id="basics-interests" label="Interests" help={help.interests} error={errorAt(errors, 'interests')}>
                <FormTagInput name="interests" placeholder="e.g. yoga, street food" />
              </Field>
              <PersonaFields />
            </div>
          ) : null}

          <FormError error={generalError} />

          <div className="sticky bottom-0 z-10 -mx-5 -mb-5 flex flex-wrap items-center justify-between gap-2 rounded-b-xl border-t bg-card/95 px-5 py-3 backdrop-blur sm:-mx-6 sm:-mb-6 sm:px-6 sm:py-4">
            <div>
              {step > 0 ? (
                <Button type="button" variant="ghost" onClick={() => setStep(step - 1)}>
                  <ArrowLeftIcon aria-hidden="true" /> Back
                </Button>
              ) : null}
            </div>
            <div className="ml-auto flex flex-wrap justify-end gap-2">
              {step === 1 ? createButton('outline') : null}
              {step < 2 ? (
                <Button type="submit">
                  Next <ArrowRightIcon aria-hidden="true" />
                </Button>
              ) : (
                createButton()
              )}
            </div>
          </div>
        </form>
      </FormProvider>
    </div>
  );
}

function TemplateOption({ id, name, summary, niche, checked, onSelect }: { id: string; name: string; summary: string; niche: string; checked: boolean; onSelect: () => void }) {
  const inputId = `template-${id}`;
  return (
    <label
      htmlFor={inputId}
      data-testid="template-option"
      className={cn(
        'relative flex cursor-pointer gap-3 rounded-lg border p-4 transition-colors focus-within:outline-2 focus-within:outline-offset-2 focus-within:outline-ring hover:bg-accent/50',
        checked && 'border-primary bg-accent/60 ring-1 ring-primary',
      )}
    >
      <input id={inputId} type="radio" name="template" value={id} checked={checked} onChange={onSelect} className="sr-only" />
      <span className="flex flex-1 flex-col gap-1">
        {niche ? <span className="text-xs font-medium text-primary">{niche}</span> : null}
        <span className="flex items-center gap-2 font-medium">
          {id === BLANK ? <FileIcon className="size-4 text-muted-foreground" aria-hidden="true" /> : null}
          {name}
        </span>
        <span className="text-sm text-muted-foreground">{summary}</span>
      </span>
      <span
        aria-hidden="true"
        className={cn('mt-0.5 flex size-5 shrink-0 items-center justify-center rounded-full border', checked ? 'border-primary bg-primary text-primary-foreground' : 'border-input')}
      >
        {checked ? <CheckIcon className="size-3" strokeWidth={3} /> : null}
      </span>
    </label>
  );
}
