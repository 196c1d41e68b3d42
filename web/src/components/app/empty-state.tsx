import { SparklesIcon } from 'lucide-react';
import type * as React from 'react';

/** The "nothing here yet — here's what to do next" block of lists (dashboard, vault). */
export function EmptyState({ title, text, action, testId }: { title: string; text: React.ReactNode; action: React.ReactNode; testId?: string }) {
  return (
    <div className="flex flex-col items-center rounded-xl border border-dashed px-6 py-16 text-center" data-testid={testId}>
      <span className="flex size-12 items-center justify-center rounded-full bg-accent text-accent-foreground">
        <SparklesIcon className="size-6" aria-hidden="true" />
      </span>
      <h2 className="mt-4 text-lg font-semibold">{title}</h2>
      <p className="mt-2 max-w-md text-sm text-muted-foreground">{text}</p>
      <div className="mt-6">{action}</div>
    </div>
  );
}
