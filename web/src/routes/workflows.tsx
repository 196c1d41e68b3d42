// Settings → Workflows: the shipped ComfyUI templates (what each needs installed), the user's own
// uploaded workflows (every save is a new version; removing one removes every version), and the
// Upload workflow form that maps a graph's inputs.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { Trash2Icon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { api, call, errorMessage } from '@/api/client';
import { InlineError } from '@/components/app/errors';
import { SettingsHeader } from '@/components/app/settings-nav';
import { Section } from '@/components/character/shared';
import { WorkflowUpload } from '@/components/engines/workflow-upload';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { Skeleton } from '@/components/ui/skeleton';
import { useTitle } from '@/lib/hooks';
import { formatDateTime, formatRelative } from '@/lib/utils';
import { type WorkflowItem, workflowKeys, workflowsQuery } from '@/lib/workflows';

export function WorkflowsPage() {
  useTitle('Workflows');
  const q = useQuery(workflowsQuery);
  const shipped = q.data?.items.filter((w) => w.builtIn) ?? [];
  const own = React.useMemo(() => {
    const bySlug = new Map<string, WorkflowItem[]>();
    for (const w of q.data?.items ?? []) if (!w.builtIn) bySlug.set(w.slug, [...(bySlug.get(w.slug) ?? []), w]);
    return [...bySlug.values()].map((versions) => ({ latest: versions.reduce((a, b) => (b.version > a.version ? b : a)), count: versions.length }));
  }, [q.data]);

  return (
    <div className="mx-auto flex max-w-3xl flex-col gap-6">
      <SettingsHeader
        title="Workflows"
        description="ComfyUI graphs your ComfyUI engines run: the templates that ship with the studio and the workflows you upload. A character picks one in its Generation settings."
      />
      <p className="text-sm text-muted-foreground">
        Workflows run on a ComfyUI engine:{' '}
        <Link to="/app/settings/engines" className="underline underline-offset-4">
          manage engines
        </Link>
        .
      </p>

      <Section title="Upload workflow" description="Export your workflow from ComfyUI in the API format, then say where the prompt, seed, size and the rest go.">
        <WorkflowUpload />
      </Section>

      {q.isPending ? (
        <div className="flex flex-col gap-4" role="status" aria-label="Loading workflows">
          <Skeleton className="h-32 rounded-xl" />
          <Skeleton className="h-40 rounded-xl" />
        </div>
      ) : q.isError ? (
        <InlineError error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <>
          <Section title="Your workflows" description="Every save is a new version; a character using a workflow runs its latest version.">
            {own.length === 0 ? (
              <p className="rounded-lg border border-dashed p-4 text-sm text-muted-foreground" data-testid="workflows-own-empty">
                No uploaded workflows yet.
              </p>
            ) : (
              <ul className="flex flex-col gap-3" aria-label="Your workflows" data-testid="workflows-own">
                {own.map(({ latest, count }) => (
                  <OwnRow key={latest.slug} workflow={latest} count={count} />
                ))}
              </ul>
            )}
          </Section>
          <Section title="Built-in templates" description="Ship with the studio. Each needs its node packs and model files installed on the ComfyUI server.">
            <ul className="flex flex-col gap-3" aria-label="Built-in templates" data-testid="workflows-shipped">
              {shipped.map((w) => (
                <ShippedRow key={w.slug} workflow={w} />
              ))}
            </ul>
          </Section>
        </>
      )}
    </div>
  );
}

function ShippedRow({ workflow: w }: { workflow: WorkflowItem }) {
  const nameId = React.useId();
  const packs = React.useMemo(() => {
    const m = new Map<string, string[]>();
    for (const n of w.requires.nodes) m.set(n.pack, [...(m.get(n.pack) ?? []), n.classType]);
    return [...m.entries()].sort((a, b) => (a[0] === 'core' ? -1 : b[0] === 'core' ? 1 : a[0].localeCompare(b[0])));
  }, [w]);
  return (
    <li className="rounded-lg border p-3 sm:p-4" aria-labelledby={nameId} data-testid="workflow-shipped" data-slug={w.slug}>
      <p className="flex flex-wrap items-center gap-2">
        <span id={nameId} className="font-medium break-words">
          {w.title}
        </span>
        <Badge variant="secondary">Built in</Badge>
        <span className="text-xs break-all text-muted-foreground">
          {w.slug} · v{w.version}
        </span>
      </p>
      {w.description ? <p className="mt-1 text-sm text-muted-foreground">{w.description}</p> : null}
      <dl className="mt-3 grid gap-2 text-sm sm:grid-cols-[auto_1fr] sm:gap-x-4">
        <dt className="font-medium">Node packs</dt>
        <dd className="min-w-0">
          <ul className="flex flex-col gap-0.5">
            {packs.map(([pack, classes]) => (
              <li key={pack} className="break-words">
                <span className="font-mono text-xs">{pack === 'core' ? 'ComfyUI core' : pack}</span>
                <span className="text-muted-foreground"> — {classes.join(', ')}</span>
              </li>
            ))}
          </ul>
        </dd>
        <dt className="font-medium">Model files</dt>
        <dd className="min-w-0">
          {w.requires.models.length === 0 ? (
            <span className="text-muted-foreground">None beyond your checkpoint</span>
          ) : (
            <ul className="flex flex-col gap-0.5">
              {w.requires.models.map((m) => (
                <li key={`${m.folder}/${m.name}`} className="break-all">
                  <span className="font-mono text-xs">{m.name}</span>
                  <span className="text-muted-foreground"> in models/{m.folder}</span>
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
    </li>
  );
}

function OwnRow({ workflow: w, count }: { workflow: WorkflowItem; count: number }) {
  const qc = useQueryClient();
  const nameId = React.useId();
  const [confirm, setConfirm] = React.useState(false);
  const remove = useMutation({
    mutationFn: () => call(api.DELETE('/api/workflows/{slug}', { params: { path: { slug: w.slug } } })),
    onSuccess: () => {
      toast.success(`Workflow ${w.slug} removed.`);
      setConfirm(false);
      void qc.invalidateQueries({ queryKey: workflowKeys.all });
    },
    onError: (err) => {
      toast.error(errorMessage(err));
      setConfirm(false);
    },
  });
  return (
    <li className="flex flex-wrap items-start justify-between gap-3 rounded-lg border p-3 sm:p-4" aria-labelledby={nameId} data-testid="workflow-own" data-slug={w.slug}>
      <div className="min-w-0 flex-1 basis-48">
        <p className="flex flex-wrap items-center gap-2">
          <span id={nameId} className="font-medium break-words">
            {w.title}
          </span>
          <Badge variant="outline" data-testid="workflow-version">
            Version {w.version}
          </Badge>
        </p>
        <p className="mt-0.5 text-sm break-all text-muted-foreground">
          <span className="font-mono text-xs">{w.slug}</span>
          {count > 1 ? ` · ${count} versions stored` : null}
          {w.createdAt ? (
            <>
              {' · saved '}
              <time dateTime={w.createdAt} title={formatDateTime(w.createdAt)}>
                {formatRelative(w.createdAt)}
              </time>
            </>
          ) : null}
        </p>
      </div>
      <Button size="sm" variant="ghost" className="text-destructive hover:text-destructive" onClick={() => setConfirm(true)}>
        <Trash2Icon aria-hidden="true" /> Remove<span className="sr-only"> {w.slug}</span>
      </Button>
      <ConfirmDialog
        open={confirm}
        onOpenChange={setConfirm}
        title={`Remove ${w.slug}?`}
        description="Every version of this workflow is deleted. Characters set to use it go back to the engine’s default workflow. Images it made stay in the vault."
        confirmLabel="Remove workflow"
        destructive
        pending={remove.isPending}
        onConfirm={() => remove.mutate()}
      />
    </li>
  );
}
