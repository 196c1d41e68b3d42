import { useQuery } from '@tanstack/react-query';
import { ExternalLinkIcon, RefreshCwIcon } from 'lucide-react';
import { api, ApiError, call } from '@/api/client';
import { InlineError } from '@/components/app/errors';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
import { useTitle } from '@/lib/hooks';
import { keys } from '@/lib/queries';
import { formatDateTime } from '@/lib/utils';

function firstLink(text: string) {
  return /https?:\/\/[^\s]+/.exec(text)?.[0] ?? null;
}

/** Turn URLs in plain-text emails into links (verification and reset links are the point of this page). */
function Linkified({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s]+)/g);
  return (
    <>
      {parts.map((p, i) =>
        /^https?:\/\//.test(p) ? (
          <a key={i} href={p} className="break-all text-primary underline underline-offset-2">
            {p}
          </a>
        ) : (
          <span key={i}>{p}</span>
        ),
      )}
    </>
  );
}

export function OutboxPage() {
  useTitle('Outbox');
  const outbox = useQuery({ queryKey: keys.outbox, queryFn: ({ signal }) => call(api.GET('/api/admin/outbox', { signal })), refetchInterval: 10_000 });
  const items = outbox.data?.items ?? [];
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">Outbox</h1>
          <p className="mt-1 text-sm text-muted-foreground">Every email this instance sent or, without SMTP configured, only logged. Newest first.</p>
        </div>
        <Button variant="outline" onClick={() => void outbox.refetch()} disabled={outbox.isFetching}>
          <RefreshCwIcon className={outbox.isFetching ? 'animate-spin' : undefined} aria-hidden="true" /> Refresh
        </Button>
      </div>
      {outbox.isPending ? (
        <div className="flex flex-col gap-3" role="status" aria-label="Loading emails">
          {Array.from({ length: 3 }, (_, i) => (
            <Skeleton key={i} className="h-28" />
          ))}
        </div>
      ) : outbox.isError ? (
        outbox.error instanceof ApiError && outbox.error.status === 403 ? (
          <InlineError error={new Error('Only administrators can see the outbox.')} />
        ) : (
          <InlineError error={outbox.error} onRetry={() => void outbox.refetch()} />
        )
      ) : items.length === 0 ? (
        <p className="rounded-xl border border-dashed p-10 text-center text-sm text-muted-foreground">No emails yet.</p>
      ) : (
        <ul className="flex flex-col gap-3">
          {items.map((m) => (
            <li key={m.id} className="rounded-xl border bg-card shadow-sm" data-testid="outbox-email">
              <div className="flex flex-wrap items-center gap-x-3 gap-y-2 p-4">
                <div className="min-w-0 flex-1">
                  <h2 className="truncate font-medium">{m.subject}</h2>
                  <p className="truncate text-sm text-muted-foreground">To {m.to}</p>
                </div>
                <Badge variant="secondary">{m.kind}</Badge>
                <Badge variant={m.status === 'sent' ? 'success' : m.status === 'failed' ? 'destructive' : 'muted'}>{m.status}</Badge>
                <time className="w-full text-xs text-muted-foreground sm:w-auto" dateTime={m.createdAt}>
                  {formatDateTime(m.createdAt)}
                </time>
                {firstLink(m.text) ? (
                  <Button asChild size="sm" variant="outline">
                    <a href={firstLink(m.text)!} aria-label={`Open link: ${m.subject} to ${m.to}`}>
                      <ExternalLinkIcon aria-hidden="true" /> Open link
                    </a>
                  </Button>
                ) : null}
              </div>
              {m.error ? <p className="px-4 pb-3 text-sm text-destructive">{m.error}</p> : null}
              <details className="border-t">
                <summary className="cursor-pointer rounded-b-xl px-4 py-2 text-sm font-medium text-muted-foreground hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring">
                  Show email text
                </summary>
                <pre className="px-4 pb-4 font-sans text-sm leading-relaxed break-words whitespace-pre-wrap">
                  <Linkified text={m.text} />
                </pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
