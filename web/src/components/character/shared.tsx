import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Loader2Icon } from 'lucide-react';
import * as React from 'react';
import type { FieldValues, UseFormReturn } from 'react-hook-form';
import { toast } from 'sonner';
import { api, ApiError, call, errorMessage, type UpdateCharacter } from '@/api/client';
import { Button } from '@/components/ui/button';
import { keys } from '@/lib/queries';
import { cn } from '@/lib/utils';

/** Local editable copy of server data (the vault rules; the form tabs use react-hook-form). Adopts new server values while the user has no edits. */
export function useDraft<T>(base: T) {
  const baseJson = JSON.stringify(base);
  const [draft, setDraft] = React.useState<T>(base);
  const lastBase = React.useRef(baseJson);
  const draftJson = JSON.stringify(draft);
  React.useEffect(() => {
    if (baseJson !== lastBase.current) {
      if (draftJson === lastBase.current) setDraft(JSON.parse(baseJson) as T);
      lastBase.current = baseJson;
    }
  }, [baseJson, draftJson]);
  const dirty = draftJson !== baseJson;
  const reset = React.useCallback((to?: T) => {
    const next = to ?? (JSON.parse(lastBase.current) as T);
    lastBase.current = JSON.stringify(next);
    setDraft(next);
  }, []);
  return { draft, setDraft, dirty, reset };
}

export function useCharacterPatch(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateCharacter) => call(api.PATCH('/api/characters/{id}', { params: { path: { id } }, body })),
    onSuccess: (c) => {
      qc.setQueryData(keys.character(id), c);
      void qc.invalidateQueries({ queryKey: ['characters', 'list'] });
      void qc.invalidateQueries({ queryKey: keys.prompt(id) });
      toast.success('Changes saved.');
    },
    onError: (err) => {
      if (!(err instanceof ApiError) || Object.keys(err.fieldErrors()).length === 0) toast.error(errorMessage(err));
      else toast.error('Some fields need attention.');
    },
  });
}

/** SaveBar of a react-hook-form tab: dirty from the form; Discard restores the loaded values. */
export function FormSaveBar<T extends FieldValues>({ form, values, mutation, onSave }: {
  form: UseFormReturn<T>;
  values: T;
  mutation: { isPending: boolean; reset: () => void };
  onSave: () => unknown;
}) {
  return (
    <SaveBar
      dirty={form.formState.isDirty}
      pending={mutation.isPending}
      onSave={() => void onSave()}
      onDiscard={() => {
        form.reset(values);
        mutation.reset();
      }}
    />
  );
}

export function SaveBar({ dirty, pending, onSave, onDiscard }: { dirty: boolean; pending: boolean; onSave: () => void; onDiscard: () => void }) {
  return (
    <div
      className={cn(
        'z-20 flex items-center justify-end gap-3 rounded-xl border bg-background/95 px-4 py-3 backdrop-blur',
        dirty && 'sticky bottom-2 border-primary/50 shadow-[0_-4px_24px_-8px_rgb(0_0_0/0.25)]',
      )}
    >
      <p className="mr-auto text-sm text-muted-foreground" aria-live="polite">
        {dirty ? (
          <>
            <span className="sm:hidden">Not saved yet.</span>
            <span className="hidden sm:inline">You have unsaved changes.</span>
          </>
        ) : (
          'All changes saved.'
        )}
      </p>
      <Button variant="ghost" onClick={onDiscard} disabled={!dirty || pending}>
        Discard
      </Button>
      <Button onClick={onSave} disabled={!dirty || pending}>
        {pending ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : null}
        Save changes
      </Button>
    </div>
  );
}

export function Section({ title, description, children, actions, className }: { title: string; description?: React.ReactNode; children: React.ReactNode; actions?: React.ReactNode; className?: string }) {
  const id = React.useId();
  return (
    <section aria-labelledby={id} className={cn('rounded-xl border bg-card p-5 shadow-sm sm:p-6', className)}>
      <div className="mb-5 flex flex-wrap items-start justify-between gap-3">
        {/* basis: at phone width the actions wrap under the title instead of squeezing it. */}
        <div className="min-w-0 flex-1 basis-64">
          <h2 id={id} className="text-lg font-semibold">
            {title}
          </h2>
          {description ? <p className="mt-1 text-sm text-muted-foreground">{description}</p> : null}
        </div>
        {actions}
      </div>
      {children}
    </section>
  );
}

