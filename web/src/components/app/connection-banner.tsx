import { CloudOffIcon, Loader2Icon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { retryNow, useServerReachable } from '@/lib/connection';

/** The in-app notice while the studio server does not answer; says so again when it is back. */
export function ConnectionBanner() {
  const reachable = useServerReachable();
  const wasAway = React.useRef(false);
  React.useEffect(() => {
    if (!reachable) wasAway.current = true;
    else if (wasAway.current) {
      wasAway.current = false;
      toast.success('Connected to the studio server again.');
    }
  }, [reachable]);
  if (reachable) return null;
  return (
    <div
      role="alert"
      data-testid="connection-banner"
      className="fixed inset-x-3 bottom-3 z-[60] mx-auto flex max-w-xl items-center gap-3 rounded-xl border border-warning/50 bg-popover px-4 py-3 text-sm text-popover-foreground shadow-xl"
    >
      <CloudOffIcon className="size-5 shrink-0 text-warning" aria-hidden="true" />
      <p className="min-w-0 flex-1">
        <span className="font-semibold">Can’t reach the studio server — retrying…</span>{' '}
        <span className="text-muted-foreground">The page carries on by itself as soon as the server answers again.</span>
      </p>
      <Loader2Icon className="size-4 shrink-0 animate-spin text-muted-foreground motion-reduce:hidden" aria-hidden="true" />
      <Button size="sm" variant="outline" onClick={retryNow}>
        Retry now
      </Button>
    </div>
  );
}
