import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { ArrowLeftIcon, ArrowRightIcon, CheckIcon, FileIcon, Loader2Icon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { api, ApiError, call, type CreateCharacter, errorMessage, type Persona, type PersonaTemplate } from '@/api/client';
import { InlineError } from '@/components/app/errors';
import { defaultPersona, emptyAppearance, help, PersonaFields, TimezoneSelect } from '@/components/app/persona-fields';
import { Button } from '@/components/ui/button';
import { Field, FormError } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { TagInput } from '@/components/ui/tag-input';
import { useTitle } from '@/lib/hooks';
import { keys, templatesQuery } from '@/lib/queries';
import { browserTimezone, cn, suggestHandle } from '@/lib/utils';

const steps = ['Template', 'Basics', 'Persona'] as const;
const BLANK = 'blank';

interface Basics {
  name: string;
  handle: string;
  age: string;
  bio: string;
  location: string;
  timezone: string;
  interests: string[];
}

const handleRe = /^@?[A-Za-z0-9_.]{2,30}$/;

function validateBasics(b: Basics) {
  const e: Record<string, string> = {};
  if (!b.name.trim()) e.name = 'Enter a name.';
  if (!b.handle.trim()) e.handle = 'Enter a handle.';
  else if (!handleRe.test(b.handle.trim())) e.handle = 'Use 2–30 letters, digits, dots or underscores.';
  const age = Number(b.age);
  if (b.age.trim() === '' || !Number.isFinite(age)) e.age = 'Enter an age.';
  else if (!Number.isInteger(age)) e.age = 'Use a whole number.';
  else if (age < 18) e.age = 'Characters must be adults: age must be 18 or older.';
  else if (age > 120) e.age = 'Age must be 120 or less.';
  return e;
}

export function NewCharacterPage() {
  useTitle('New character');
  const navigate = useNavigate();
  const qc = useQueryClient();
  const templates = useQuery(templatesQuery);
  const [step, setStep] = React.useState(0);
  const [templateId, setTemplateId] = React.useState<string>(BLANK);
  const [handleTouched, setHandleTouched] = React.useState(false);
  const [basics, setBasics] = React.useState<Basics>({
    name: '',
    handle: '',
    age: '25',
    bio: '',
    location: '',
    timezone: browserTimezone(),
    interests: [],
  });
  const [persona, setPersona] = React.useState<Persona>(defaultPersona);
  const [touched, setTouched] = React.useState<Record<string, boolean>>({});
  const [showAll, setShowAll] = React.useState(false);
  const headingRef = React.useRef<HTMLHeadingElement>(null);
  const firstRender = React.useRef(true);

  React.useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    headingRef.current?.focus();
  }, [step]);

  const applyTemplate = (t: PersonaTemplate | null) => {
    setTemplateId(t?.id ?? BLANK);
    setPersona(t ? { ...t.persona, templateId: t.id } : defaultPersona);
    setBasics((b) => ({ ...b, bio: t?.suggestedBio ?? '', interests: t?.suggestedInterests ?? [] }));
  };

  const create = useMutation({
    mutationFn: (body: CreateCharacter) => call(api.POST('/api/characters', { body })),
    onSuccess: async (c) => {
      await qc.invalidateQueries({ queryKey: keys.characters });
      qc.setQueryData(keys.character(c.id), c);
      toast.success(`${c.name} is ready.`);
      await navigate({ to: '/app/characters/$id', params: { id: c.id } });
    },
    onError: (err) => {
      if (err instanceof ApiError) {
        const fe = err.fieldErrors();
        const keysWithErr = Object.keys(fe);
        if (keysWithErr.some((k) => ['name', 'handle', 'age', 'bio', 'location', 'timezone'].includes(k.split('.')[0]!))) setStep(1);
        else if (keysWithErr.some((k) => k.startsWith('persona') || k.startsWith('interests'))) setStep(2);
        window.setTimeout(() => document.querySelector<HTMLElement>('form [aria-invalid="true"]')?.focus(), 80);
      }
    },
  });

  const serverErrors = create.error instanceof ApiError ? create.error.fieldErrors() : {};
  const localErrors = validateBasics(basics);
  const visibleLocal = Object.fromEntries(Object.entries(localErrors).filter(([k]) => touched[k] || showAll));
  const errors: Record<string, string | undefined> = { ...serverErrors, ...visibleLocal };
  const serverFieldKeys = Object.keys(serverErrors);
  const generalError = create.error && serverFieldKeys.length === 0 ? errorMessage(create.error) : null;

  const setB = <K extends keyof Basics>(k: K, v: Basics[K]) => setBasics((b) => ({ ...b, [k]: v }));

  const submit = () => {
    if (Object.keys(localErrors).length > 0) {
      setShowAll(true);
      setStep(1);
      window.setTimeout(() => document.getElementById(`basics-${Object.keys(localErrors)[0]}`)?.focus(), 50);
      return;
    }
    create.mutate({
      name: basics.name.trim(),
      handle: basics.handle.trim(),
      age: Number(basics.age),
      bio: basics.bio.trim(),
      location: basics.location.trim(),
      timezone: basics.timezone,
      interests: basics.interests,
      activeHours: { start: '09:00', end: '22:00' },
      persona,
      appearance: emptyAppearance,
    });
  };

  const createButton = (variant: 'default' | 'outline' = 'default') => (
    <Button type="button" variant={variant} onClick={submit} disabled={create.isPending}>
      {create.isPending ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : <CheckIcon aria-hidden="true" />}
      Create character
    </Button>
  );

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
                onClick={() => setStep(i)}
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

      <form
        noValidate
        className="flex flex-col gap-6 rounded-xl border bg-card p-5 shadow-sm sm:p-6"
        onSubmit={(e) => {
          e.preventDefault();
          if (step < 2) setStep(step + 1);
          else submit();
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
              <Field id="basics-name" label="Name" required error={errors.name}>
                <Input
                  autoFocus
                  autoComplete="off"
                  maxLength={60}
                  value={basics.name}
                  onBlur={() => setTouched((t) => ({ ...t, name: true }))}
                  onChange={(e) => {
                    const name = e.target.value;
                    setBasics((b) => ({ ...b, name, handle: handleTouched ? b.handle : suggestHandle(name) }));
                  }}
                />
              </Field>
              <Field id="basics-handle" label="Handle" required help={help.handle} hint="Suggested from the name." error={errors.handle}>
                <Input
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={31}
                  value={basics.handle}
                  onBlur={() => setTouched((t) => ({ ...t, handle: true }))}
                  onChange={(e) => {
                    setHandleTouched(true);
                    setB('handle', e.target.value);
                  }}
                />
              </Field>
              <Field id="basics-age" label="Age" required help={help.age} error={errors.age}>
                <Input
                  type="number"
                  inputMode="numeric"
                  min={18}
                  max={120}
                  value={basics.age}
                  onChange={(e) => {
                    setB('age', e.target.value);
                    setTouched((t) => ({ ...t, age: true }));
                  }}
                />
              </Field>
              <Field id="basics-location" label="Location" error={errors.location}>
                <Input maxLength={120} value={basics.location} onChange={(e) => setB('location', e.target.value)} placeholder="e.g. Lisbon, Portugal" />
              </Field>
              <Field id="basics-timezone" label="Timezone" help={help.timezone} hint="Defaults to your browser’s time zone." error={errors.timezone} className="sm:col-span-2">
                <TimezoneSelect value={basics.timezone} onChange={(e) => setB('timezone', e.target.value)} />
              </Field>
              <Field id="basics-bio" label="Bio" error={errors.bio} className="sm:col-span-2">
                <Textarea rows={3} maxLength={1000} value={basics.bio} onChange={(e) => setB('bio', e.target.value)} placeholder="A line or two the audience will see." />
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
            <Field id="basics-interests" label="Interests" help={help.interests} error={errors.interests}>
              <TagInput value={basics.interests} onChange={(v) => setB('interests', v)} placeholder="e.g. yoga, street food" />
            </Field>
            <PersonaFields value={persona} onChange={(p) => setPersona((old) => ({ ...old, ...p }))} errors={errors} />
          </div>
        ) : null}

        <FormError error={generalError} />

        <div className="sticky bottom-0 z-10 -mx-5 -mb-5 flex flex-col-reverse gap-2 rounded-b-xl border-t bg-card/95 px-5 py-4 backdrop-blur sm:-mx-6 sm:-mb-6 sm:flex-row sm:items-center sm:justify-between sm:px-6">
          <div>
            {step > 0 ? (
              <Button type="button" variant="ghost" onClick={() => setStep(step - 1)}>
                <ArrowLeftIcon aria-hidden="true" /> Back
              </Button>
            ) : null}
          </div>
          <div className="flex flex-col-reverse gap-2 sm:flex-row">
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
