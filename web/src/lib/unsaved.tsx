// Guards unsaved edits on a page: forms report whether they are dirty, and while any is, leaving
// the page asks first — in-app navigation with a "Discard changes?" dialog (TanStack Router's
// blocker), closing or reloading the tab with the browser's own beforeunload prompt. Moving
// between tabs of the same page (only the search changes) is not leaving it.
import { useBlocker } from '@tanstack/react-router';
import * as React from 'react';
import { ConfirmDialog } from '@/components/ui/dialog';

interface Registry {
  set: (key: string, label: string, dirty: boolean) => void;
}
const UnsavedContext = React.createContext<Registry | null>(null);

function listWords(words: string[]) {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

export function UnsavedChangesGuard({ children }: { children: React.ReactNode }) {
  const [dirty, setDirty] = React.useState<ReadonlyMap<string, string>>(() => new Map());
  const dirtyRef = React.useRef(dirty);
  dirtyRef.current = dirty;

  const registry = React.useMemo<Registry>(
    () => ({
      set: (key, label, isDirty) =>
        setDirty((prev) => {
          if (isDirty === prev.has(key) && (!isDirty || prev.get(key) === label)) return prev;
          const next = new Map(prev);
          if (isDirty) next.set(key, label);
          else next.delete(key);
          return next;
        }),
    }),
    [],
  );

  const blocker = useBlocker({
    shouldBlockFn: ({ current, next }) => dirtyRef.current.size > 0 && current.pathname !== next.pathname,
    enableBeforeUnload: () => dirtyRef.current.size > 0,
    withResolver: true,
  });

  const where = listWords([...new Set(dirty.values())]);
  return (
    <UnsavedContext.Provider value={registry}>
      {children}
      <ConfirmDialog
        open={blocker.status === 'blocked'}
        onOpenChange={(open) => {
          if (!open && blocker.status === 'blocked') blocker.reset();
        }}
        title="Discard unsaved changes?"
        description={
          where
            ? `Your changes on ${where} are not saved yet. If you leave this page now, they are lost.`
            : 'Your changes are not saved yet. If you leave this page now, they are lost.'
        }
        cancelLabel="Keep editing"
        confirmLabel="Discard changes"
        destructive
        onConfirm={() => blocker.proceed?.()}
      />
    </UnsavedContext.Provider>
  );
}

/** Reports a form's dirty state to the page's guard (no-op outside one). */
export function useUnsavedChanges(key: string, label: string, dirty: boolean) {
  const registry = React.useContext(UnsavedContext);
  React.useEffect(() => {
    registry?.set(key, label, dirty);
  }, [registry, key, label, dirty]);
  React.useEffect(() => () => registry?.set(key, label, false), [registry, key, label]);
}
