import { useQuery } from '@tanstack/react-query';
import { WandSparklesIcon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import type { Character, PersonaTemplate } from '@/api/client';
import { PersonaFields } from '@/components/app/persona-fields';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { templatesQuery } from '@/lib/queries';
import { fieldErrorsOf, SaveBar, Section, useCharacterPatch, useDraft } from './shared';

export function PersonaTab({ character }: { character: Character }) {
  const { draft, setDraft, dirty, reset } = useDraft(character.persona);
  const patch = useCharacterPatch(character.id);
  const templates = useQuery(templatesQuery);
  const [choice, setChoice] = React.useState('');
  const [pending, setPending] = React.useState<PersonaTemplate | null>(null);
  const current = templates.data?.items.find((t) => t.id === draft.templateId);

  const apply = (t: PersonaTemplate) => {
    setDraft({ ...t.persona, templateId: t.id });
    setPending(null);
    setChoice('');
    toast.success(`Applied “${t.name}”. Review and save to keep it.`);
  };

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

      <Section title="Persona" description="How the character thinks, talks and behaves in captions and replies.">
        <PersonaFields value={draft} onChange={(p) => setDraft((d) => ({ ...d, ...p }))} errors={fieldErrorsOf(patch.error)} />
      </Section>

      <SaveBar
        dirty={dirty}
        pending={patch.isPending}
        onSave={() => patch.mutate({ persona: draft }, { onSuccess: (c) => reset(c.persona) })}
        onDiscard={() => {
          reset();
          patch.reset();
        }}
      />

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
