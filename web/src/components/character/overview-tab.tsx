import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { Trash2Icon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { api, call, type Character, errorMessage } from '@/api/client';
import { help, TimezoneSelect } from '@/components/app/persona-fields';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { TagInput } from '@/components/ui/tag-input';
import { keys } from '@/lib/queries';
import { fieldErrorsOf, SaveBar, Section, useCharacterPatch, useDraft } from './shared';

const pick = (c: Character) => ({
  name: c.name,
  handle: c.handle,
  bio: c.bio,
  age: String(c.age),
  location: c.location,
  interests: c.interests,
  timezone: c.timezone,
  activeHours: c.activeHours,
});

export function OverviewTab({ character }: { character: Character }) {
  const { draft, setDraft, dirty, reset } = useDraft(pick(character));
  const patch = useCharacterPatch(character.id);
  const server = fieldErrorsOf(patch.error);
  const [local, setLocal] = React.useState<Record<string, string>>({});
  const errors: Record<string, string | undefined> = { ...server, ...local };
  const set = <K extends keyof typeof draft>(k: K, v: (typeof draft)[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const save = () => {
    const age = Number(draft.age);
    const errs: Record<string, string> = {};
    if (!draft.name.trim()) errs.name = 'Enter a name.';
    if (!Number.isInteger(age)) errs.age = 'Enter a whole number.';
    else if (age < 18) errs.age = 'Characters must be adults: age must be 18 or older.';
    setLocal(errs);
    if (Object.keys(errs).length) return;
    const base = pick(character);
    const body: Record<string, unknown> = {};
    for (const k of Object.keys(draft) as (keyof typeof draft)[]) {
      if (JSON.stringify(draft[k]) !== JSON.stringify(base[k])) body[k] = k === 'age' ? age : draft[k];
    }
    patch.mutate(body, { onSuccess: (c) => reset(pick(c)) });
  };

  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
      className="flex flex-col gap-6"
    >
      <Section title="Basics" description="Who the character is. Everyone sees the name, handle and bio.">
        <div className="grid gap-5 md:grid-cols-2">
          <Field id="ov-name" label="Name" required error={errors.name}>
            <Input maxLength={60} value={draft.name} onChange={(e) => set('name', e.target.value)} />
          </Field>
          <Field id="ov-handle" label="Handle" required help={help.handle} error={errors.handle}>
            <Input maxLength={31} spellCheck={false} value={draft.handle} onChange={(e) => set('handle', e.target.value)} />
          </Field>
          <Field id="ov-age" label="Age" required help={help.age} error={errors.age}>
            <Input type="number" min={18} max={120} inputMode="numeric" value={draft.age} onChange={(e) => set('age', e.target.value)} />
          </Field>
          <Field id="ov-location" label="Location" error={errors.location}>
            <Input maxLength={120} value={draft.location} onChange={(e) => set('location', e.target.value)} />
          </Field>
          <Field id="ov-bio" label="Bio" error={errors.bio} className="md:col-span-2">
            <Textarea rows={4} maxLength={1000} value={draft.bio} onChange={(e) => set('bio', e.target.value)} />
          </Field>
          <Field id="ov-interests" label="Interests" help={help.interests} error={errors.interests} className="md:col-span-2">
            <TagInput value={draft.interests} onChange={(v) => set('interests', v)} placeholder="Type an interest and press Enter" />
          </Field>
        </div>
      </Section>

      <Section title="Schedule" description="When the character is around. Times are in the character’s own time zone.">
        <div className="grid gap-5 md:grid-cols-3">
          <Field id="ov-timezone" label="Timezone" help={help.timezone} error={errors.timezone}>
            <TimezoneSelect value={draft.timezone} onChange={(e) => set('timezone', e.target.value)} />
          </Field>
          <Field id="ov-active-start" label="Active hours start" help={help.activeHours} error={errors['activeHours.start']}>
            <Input type="time" value={draft.activeHours.start} onChange={(e) => set('activeHours', { ...draft.activeHours, start: e.target.value })} />
          </Field>
          <Field id="ov-active-end" label="Active hours end" hint={draft.activeHours.end < draft.activeHours.start ? 'Ends after midnight.' : undefined} error={errors['activeHours.end']}>
            <Input type="time" value={draft.activeHours.end} onChange={(e) => set('activeHours', { ...draft.activeHours, end: e.target.value })} />
          </Field>
        </div>
      </Section>

      <DangerZone character={character} />

      <SaveBar
        dirty={dirty}
        pending={patch.isPending}
        onSave={save}
        onDiscard={() => {
          reset();
          setLocal({});
          patch.reset();
        }}
      />
    </form>
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
      await navigate({ to: '/app' });
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
