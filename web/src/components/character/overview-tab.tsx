import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { Trash2Icon } from 'lucide-react';
import * as React from 'react';
import { type FieldPath, FormProvider, useForm, useWatch } from 'react-hook-form';
import { toast } from 'sonner';
import type { z } from 'zod';
import { api, call, type Character, errorMessage } from '@/api/client';
import { FormTagInput, FormTimezoneSelect } from '@/components/app/form-controls';
import { help } from '@/components/app/persona-fields';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { activeHoursSchema, applyServerErrors, basicsSchema, errorAt } from '@/lib/character-form';
import { keys } from '@/lib/queries';
import { useUnsavedChanges } from '@/lib/unsaved';
import { FormSaveBar, Section, useCharacterPatch } from './shared';

const overviewSchema = basicsSchema.extend({ activeHours: activeHoursSchema });
type OverviewValues = z.infer<typeof overviewSchema>;

const pick = (c: Character): OverviewValues => ({
  name: c.name,
  handle: c.handle,
  bio: c.bio,
  age: c.age,
  location: c.location,
  interests: c.interests,
  timezone: c.timezone,
  activeHours: c.activeHours,
});

const fieldOrder = ['name', 'handle', 'age', 'location', 'bio', 'interests', 'timezone', 'activeHours.start', 'activeHours.end'];

export function OverviewTab({ character }: { character: Character }) {
  const values = React.useMemo(() => pick(character), [character]);
  const form = useForm<OverviewValues>({ resolver: zodResolver(overviewSchema), mode: 'onTouched', values, resetOptions: { keepDirtyValues: true } });
  const { register, formState } = form;
  const errors = formState.errors;
  const patch = useCharacterPatch(character.id);
  useUnsavedChanges('overview', 'Overview', formState.isDirty);
  const activeHours = useWatch({ control: form.control, name: 'activeHours' });

  const save = form.handleSubmit(
    (v) => {
      const body: Record<string, unknown> = {};
      for (const k of Object.keys(v) as (keyof OverviewValues)[]) {
        if (JSON.stringify(v[k]) !== JSON.stringify(values[k])) body[k] = v[k];
      }
      if (Object.keys(body).length === 0) {
        form.reset(values);
        return;
      }
      patch.mutate(body, {
        onSuccess: (c) => form.reset(pick(c)),
        onError: (err) => {
          const first = applyServerErrors(form, err)[0];
          if (first) form.setFocus(first as FieldPath<OverviewValues>);
        },
      });
    },
    (errs) => {
      const first = fieldOrder.find((f) => errorAt(errs, f));
      if (first) form.setFocus(first as FieldPath<OverviewValues>);
    },
  );

  return (
    <FormProvider {...form}>
      <form
        noValidate
        onSubmit={(e) => void save(e)}
        className="flex flex-col gap-6"
      >
        <Section title="Basics" description="Who the character is. Everyone sees the name, handle and bio.">
          <div className="grid gap-5 md:grid-cols-2">
            <Field id="ov-name" label="Name" required error={errors.name?.message}>
              <Input maxLength={60} {...register('name')} />
            </Field>
            <Field id="ov-handle" label="Handle" required help={help.handle} error={errors.handle?.message}>
              <Input maxLength={31} spellCheck={false} autoCapitalize="none" {...register('handle')} />
            </Field>
            <Field id="ov-age" label="Age" required help={help.age} error={errors.age?.message}>
              <Input type="number" min={18} max={120} inputMode="numeric" {...register('age', { valueAsNumber: true })} />
            </Field>
            <Field id="ov-location" label="Location" error={errors.location?.message}>
              <Input maxLength={120} {...register('location')} />
            </Field>
            <Field id="ov-bio" label="Bio" error={errors.bio?.message} className="md:col-span-2">
              <Textarea rows={4} maxLength={1000} {...register('bio')} />
            </Field>
            <Field id="ov-interests" label="Interests" help={help.interests} error={errorAt(errors, 'interests')} className="md:col-span-2">
              <FormTagInput name="interests" placeholder="Type an interest and press Enter" />
            </Field>
          </div>
        </Section>

        <Section title="Schedule" description="When the character is around. Times are in the character’s own time zone.">
          <div className="grid gap-5 md:grid-cols-3">
            <Field id="ov-timezone" label="Timezone" help={help.timezone} error={errors.timezone?.message}>
              <FormTimezoneSelect name="timezone" />
            </Field>
            <Field id="ov-active-start" label="Active hours start" help={help.activeHours} error={errors.activeHours?.start?.message}>
              <Input type="time" {...register('activeHours.start')} />
            </Field>
            <Field
              id="ov-active-end"
              label="Active hours end"
              hint={activeHours && activeHours.end < activeHours.start ? 'Ends after midnight.' : undefined}
              error={errors.activeHours?.end?.message}
            >
              <Input type="time" {...register('activeHours.end')} />
            </Field>
          </div>
        </Section>

        <DangerZone character={character} />

        <FormSaveBar form={form} values={values} mutation={patch} onSave={save} />
      </form>
    </FormProvider>
  );
}

function DangerZone({ character }: { character: Character }) {
  const [open, setOpen] = React.useState(false);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const del = useMutation({
    mutationFn: () => call(api.DELETE('/api/characters/{id}', { params: { path: { id: character.id } } })),
    onSuccess: async () => {
      setOpen(false);
      qc.removeQueries({ queryKey: keys.character(character.id) });
      await qc.invalidateQueries({ queryKey: ['characters', 'list'] });
      toast.success(`${character.name} was deleted.`);
      await navigate({ to: '/app', ignoreBlocker: true });
    },
    onError: (err) => {
      setOpen(false);
      toast.error(errorMessage(err));
    },
  });
  return (
    <Section title="Delete character" description="Deleting removes the character, its persona, appearance and reference photos for good." className="border-destructive/40">
      <Button type="button" variant="outline" className="border-destructive/50 text-destructive hover:bg-destructive/10 hover:text-destructive" onClick={() => setOpen(true)}>
        <Trash2Icon aria-hidden="true" /> Delete character
      </Button>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title={`Delete ${character.name}?`}
        description="This permanently deletes the character with its persona, appearance and reference photos. This cannot be undone."
        confirmLabel="Delete permanently"
        destructive
        pending={del.isPending}
        onConfirm={() => del.mutate()}
      />
    </Section>
  );
}
