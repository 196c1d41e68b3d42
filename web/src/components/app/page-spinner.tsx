import { Loader2Icon } from 'lucide-react';

export function PageSpinner() {
  return (
    <div className="flex min-h-48 items-center justify-center p-8" role="status">
      <Loader2Icon className="size-6 animate-spin text-muted-foreground" aria-hidden="true" />
      <span className="sr-only">Loading…</span>
    </div>
  );
}
