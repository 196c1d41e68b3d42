import { zodResolver } from '@hookform/resolvers/zod';
import { useQuery } from '@tanstack/react-query';
import { WandSparklesIcon } from 'lucide-react';
import * as React from 'react';
import { type FieldPath, FormProvider, useForm, useWatch } from 'react-hook-form';
import { toast } from 'sonner';
import { z } from 'zod';
import type { Character, PersonaTemplate } from '@/api/client';
import { PersonaFields } from '@/components/app/persona-fields';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { applyServerErrors, personaSchema } from '@/lib/character-form';
import { templatesQuery } from '@/lib/queries';
import { useUnsavedChanges } from '@/lib/unsaved';
import { FormSaveBar, Section, useCharacterPatch } from './shared';

const personaFormSchema = z.object({ persona: personaSchema });
type PersonaValues = z.infer<typeof personaFormSchema>;

export function PersonaTab({ character }: { character: Character }) {
  const values = React.useMemo<PersonaValues>(() => ({ persona: character.persona }), [character.persona]);
  const form = useForm<PersonaValues>({ resolver: zodResolver(personaFormSchema), mode: 'onTouched', values, resetOptions: { keepDirtyValues: true } });
  const patch = useCharacterPatch(character.id);
  useUnsavedChanges('persona', 'Persona', form.formState.isDirty);
  const templates = useQuery(templatesQuery);
  const [choice, setChoice] = React.useState('');
  const [pending, setPending] = React.useState<PersonaTemplate | null>(null);
  const templateId = useWatch({ control: form.control, name: 'persona.templateId' });
  const current = templates.data?.items.find((t) => t.id === templateId);

  const apply = (t: PersonaTemplate) => {
    form.setValue('persona', { ...t.persona, templateId: t.id }, { shouldDirty: true });
    setPending(null);
    setChoice('');
    toast.success(`Applied “${t.name}”. Review and save to keep it.`);
  };

  const save = form.handleSubmit(
    (v) =>
      patch.mutate(
        { persona: v.persona },
        {
          onSuccess: (c) => form.reset({ persona: c.persona }),
          onError: (err) => {
            const first = applyServerErrors(form, err, (p) => p.startsWith('persona.'))[0];
            if (first) form.setFocus(first as FieldPath<PersonaValues>);
          },
        },
      ),
    (errs) => {
      const first = Object.keys(errs.persona ?? {})[0];
      if (first) form.setFocus(`persona.${first}` as FieldPath<PersonaValues>);
    },
  );

  return (
    <div className="flex flex-col gap-6">
      <Section
        title="Start from a template"
        description={current ? `Based on the “${current.name}” template.` : 'Replace the persona fields below with one of the ready-made personalities.'}
      >
        <form
          className="flex flex-col gap-3 sm:flex-row sm:items-end"
          onSubmit={(e) => {
            e.preventDefault();
            const t = templates.data?.items.find((x) => x.id === choice);
            if (t) setPending(t);
          }}
        >
          <div className="flex flex-1 flex-col gap-2">
            <Label htmlFor="apply-template">Template</Label>
            <NativeSelect id="apply-template" value={choice} onChange={(e) => setChoice(e.target.value)} disabled={!templates.data}>
              <option value="">Choose a template…</option>
              {templates.data?.items.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} — {t.niche}
                </option>
              ))}
            </NativeSelect>
          </div>
          <Button type="submit" variant="outline" disabled={!choice}>
            <WandSparklesIcon aria-hidden="true" /> Apply template
          </Button>
        </form>
      </Section>

      <FormProvider {...form}>
        <form noValidate onSubmit={(e) => void save(e)} className="flex flex-col gap-6">
          <Section title="Persona" description="How the character thinks, talks and behaves in captions and replies.">
            <PersonaFields />
          </Section>

          <FormSaveBar form={form} values={values} mutation={patch} onSave={save} />
        </form>
      </FormProvider>

      <ConfirmDialog
        open={pending !== null}
        onOpenChange={(o) => !o && setPending(null)}
        title={`Apply “${pending?.name ?? ''}”?`}
        description="This replaces every persona field on this page with the template’s values. Nothing is saved until you click Save changes."
        confirmLabel="Apply template"
        onConfirm={() => pending && apply(pending)}
      />
    </div>
  );
}
