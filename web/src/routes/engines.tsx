// Settings → Engines: the user's engines per kind in fallback order (built-in ones pinned last),
// switched on and off, moved up and down, tested, edited and removed; the Add engine dialog; usage.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { ArrowDownIcon, ArrowUpIcon, Loader2Icon, PencilIcon, PlugZapIcon, PlusIcon, Trash2Icon, WorkflowIcon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { api, call, type ConnectionReport, type Engine, type EngineAdapter, errorMessage } from '@/api/client';
import { InlineError } from '@/components/app/errors';
import { SettingsHeader } from '@/components/app/settings-nav';
import { Section } from '@/components/character/shared';
import { ConnectionReportView } from '@/components/engines/connection-report';
import { EngineDialog } from '@/components/engines/engine-dialog';
import { UsagePanel } from '@/components/engines/usage-panel';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { Label } from '@/components/ui/label';
import { Skeleton } from '@/components/ui/skeleton';
import { Switch } from '@/components/ui/switch';
import { enginesQuery, genKeys } from '@/lib/generation';
import { useTitle } from '@/lib/hooks';
import { formatDateTime, formatRelative } from '@/lib/utils';

type EngineList = { items: Engine[]; adapters: EngineAdapter[] };

const kindTitles: Record<string, { title: string; description: string; empty: string }> = {
  text: {
    title: 'Text engines',
    description: 'Write captions, posts, replies, bios and scripts. Tried top to bottom; the next one takes over when one is down or busy.',
    empty: 'No text engine added yet: the built-in persona templates write for now. Add a language model (a local server or an API) for better texts.',
  },
  image: {
    title: 'Image engines',
    description: 'Paint images of the character. Tried top to bottom; the built-in card compositor only makes cards.',
    empty: 'No image engine yet: add one, or make a card — cards work offline with the built-in compositor.',
  },
  video: { title: 'Video engines', description: 'Make short videos.', empty: 'No video engine yet.' },
  voice: { title: 'Voice engines', description: 'Speak in the character’s voice.', empty: 'No voice engine yet.' },
};

export function EnginesPage() {
  useTitle('Engines');
  const q = useQuery(enginesQuery);
  const [dialog, setDialog] = React.useState<{ engine: Engine | null; kind?: string } | null>(null);
  const kinds = React.useMemo(() => {
    const present = new Set(q.data?.items.map((e) => e.kind) ?? []);
    return ['text', 'image', ...['video', 'voice'].filter((k) => present.has(k as Engine['kind']))];
  }, [q.data]);

  return (
    <div className="mx-auto flex max-w-3xl flex-col gap-6">
      <SettingsHeader title="Engines" description="Where texts and images are made: your own model servers and APIs, tried in your order, with the built-in engines as the offline fallback." />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-muted-foreground">API keys are stored encrypted and never shown again.</p>
        <Button onClick={() => setDialog({ engine: null })} disabled={!q.data}>
          <PlusIcon aria-hidden="true" /> Add engine
        </Button>
      </div>

      {q.isPending ? (
        <div className="flex flex-col gap-4" role="status" aria-label="Loading engines">
          <Skeleton className="h-40 rounded-xl" />
          <Skeleton className="h-40 rounded-xl" />
        </div>
      ) : q.isError ? (
        <InlineError error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        kinds.map((k) => <KindSection key={k} kind={k} data={q.data} onAdd={() => setDialog({ engine: null, kind: k })} onEdit={(e) => setDialog({ engine: e })} />)
      )}

      <UsagePanel />

      {q.data ? (
        <EngineDialog open={dialog !== null} onOpenChange={(o) => !o && setDialog(null)} adapters={q.data.adapters} engine={dialog?.engine} kind={dialog?.kind} />
      ) : null}
    </div>
  );
}

function KindSection({ kind, data, onAdd, onEdit }: { kind: string; data: EngineList; onAdd: () => void; onEdit: (e: Engine) => void }) {
  const qc = useQueryClient();
  const words = kindTitles[kind] ?? { title: kind, description: '', empty: '' };
  const engines = data.items.filter((e) => e.kind === kind);
  const own = engines.filter((e) => !e.builtIn);
  const builtIns = engines.filter((e) => e.builtIn);
  const canAdd = data.adapters.some((a) => a.kind === kind && !a.builtIn);
  const [announce, setAnnounce] = React.useState('');
  const refocus = React.useRef<{ id: string; dir: 'up' | 'down' } | null>(null);

  const reorder = useMutation({
    mutationFn: (ids: string[]) => call(api.PUT('/api/engines/order', { body: { kind: kind as Engine['kind'], ids } })),
    onMutate: async (ids) => {
      await qc.cancelQueries({ queryKey: genKeys.engines });
      const prev = qc.getQueryData<EngineList>(genKeys.engines);
      if (prev) {
        const byId = new Map(prev.items.map((e) => [e.id, e]));
        const moved = ids.map((id) => byId.get(id)!).filter(Boolean);
        let i = 0;
        // The kind's own engines take the new order in place; everything else stays where it is.
        const items = prev.items.map((e) => (e.kind === kind && !e.builtIn ? moved[i++]! : e));
        qc.setQueryData<EngineList>(genKeys.engines, { ...prev, items });
      }
      return { prev };
    },
    onError: (err, _ids, ctx) => {
      if (ctx?.prev) qc.setQueryData(genKeys.engines, ctx.prev);
      toast.error(errorMessage(err));
    },
    onSettled: async () => {
      await qc.invalidateQueries({ queryKey: genKeys.engines });
      refocus.current = null;
    },
  });

  const move = (e: Engine, dir: 'up' | 'down') => {
    if (reorder.isPending) return;
    const ids = own.map((x) => x.id);
    const i = ids.indexOf(e.id);
    const j = dir === 'up' ? i - 1 : i + 1;
    if (i < 0 || j < 0 || j >= ids.length) return;
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    refocus.current = { id: e.id, dir };
    setAnnounce(`${e.name} moved to position ${j + 1} of ${ids.length}.`);
    reorder.mutate(ids);
  };

  // Keep the keyboard on the moved engine's button (or its other arrow at the ends of the list):
  // the row's buttons leave the document for a moment when the list is redrawn in the new order.
  React.useLayoutEffect(() => {
    const r = refocus.current;
    if (!r) return;
    const other = r.dir === 'up' ? 'down' : 'up';
    const btn = document.querySelector<HTMLButtonElement>(`[data-move="${r.id}-${r.dir}"]:not(:disabled)`) ?? document.querySelector<HTMLButtonElement>(`[data-move="${r.id}-${other}"]`);
    if (btn && document.activeElement !== btn && (document.activeElement === document.body || document.activeElement?.hasAttribute('data-move'))) btn.focus();
  });

  return (
    <Section
      title={words.title}
      description={words.description}
      actions={
        canAdd ? (
          <Button variant="outline" size="sm" onClick={onAdd}>
            <PlusIcon aria-hidden="true" /> Add {kind} engine
          </Button>
        ) : null
      }
    >
      <p className="sr-only" role="status">
        {announce}
      </p>
      {own.length === 0 ? (
        <p className="mb-4 rounded-lg border border-dashed p-4 text-sm text-muted-foreground" data-testid={`engines-empty-${kind}`}>
          {words.empty}
        </p>
      ) : null}
      <ol className="flex flex-col gap-3" aria-label={`${words.title} in fallback order`} data-testid={`engines-${kind}`}>
        {[...own, ...builtIns].map((e, i) => (
          <EngineRow
            key={e.id}
            engine={e}
            position={i + 1}
            first={i === 0}
            last={i === own.length - 1}
            busy={reorder.isPending}
            onMove={(dir) => move(e, dir)}
            onEdit={() => onEdit(e)}
          />
        ))}
      </ol>
    </Section>
  );
}

function EngineRow({ engine: e, position, first, last, busy, onMove, onEdit }: {
  engine: Engine;
  position: number;
  first: boolean;
  last: boolean;
  busy: boolean;
  onMove: (dir: 'up' | 'down') => void;
  onEdit: () => void;
}) {
  const qc = useQueryClient();
  const [confirmRemove, setConfirmRemove] = React.useState(false);
  const [report, setReport] = React.useState<ConnectionReport | null>(null);
  const toggle = useMutation({
    mutationFn: (enabled: boolean) => call(api.PATCH('/api/engines/{id}', { params: { path: { id: e.id } }, body: { enabled } })),
    onSuccess: (saved) => toast.success(saved.enabled ? `${saved.name} is on.` : `${saved.name} is off: it is skipped.`),
    onError: (err) => toast.error(errorMessage(err)),
    onSettled: () => void qc.invalidateQueries({ queryKey: genKeys.engines }),
  });
  const test = useMutation({
    mutationFn: () => call(api.POST('/api/engines/{id}/test', { params: { path: { id: e.id } } })),
    onSuccess: (r) => {
      setReport(r);
      if (!e.builtIn) void qc.invalidateQueries({ queryKey: genKeys.engines });
    },
    onError: (err) => toast.error(errorMessage(err)),
  });
  const remove = useMutation({
    mutationFn: () => call(api.DELETE('/api/engines/{id}', { params: { path: { id: e.id } } })),
    onSuccess: () => {
      toast.success(`${e.name} removed.`);
      setConfirmRemove(false);
      void qc.invalidateQueries({ queryKey: genKeys.engines });
    },
    onError: (err) => {
      toast.error(errorMessage(err));
      setConfirmRemove(false);
    },
  });
  const cost = e.capabilities.cost as { unit?: string; usd?: number } | null | undefined;
  const nameId = React.useId();
  const enabled = toggle.isPending ? Boolean(toggle.variables) : e.enabled;

  return (
    <li className="flex flex-col gap-3 rounded-lg border p-3 sm:p-4" data-testid="engine-row" data-engine-id={e.id} data-builtin={e.builtIn} aria-labelledby={nameId}>
      <div className="flex items-start gap-3">
        <span className="mt-0.5 flex size-6 shrink-0 items-center justify-center rounded-full bg-muted text-xs font-semibold tabular-nums" aria-hidden="true">
          {position}
        </span>
        <div className="min-w-0 flex-1">
          <p className="flex flex-wrap items-center gap-2">
            <span id={nameId} className="font-medium break-words">
              {e.name}
            </span>
            {e.builtIn ? <Badge variant="secondary">Built in</Badge> : null}
            {!e.enabled ? <Badge variant="muted">Off</Badge> : null}
            {e.hasApiKey ? <Badge variant="outline">Key stored</Badge> : null}
            {cost?.usd ? <Badge variant="warning">Paid: ${cost.usd} per {cost.unit === '1k-tokens' ? '1k tokens' : cost.unit}</Badge> : null}
          </p>
          {e.adapterName !== e.name || e.url || e.creditsPerUnit != null ? (
            <p className="mt-0.5 text-sm break-all text-muted-foreground">
              {[e.adapterName !== e.name ? e.adapterName : null, e.url || null, e.creditsPerUnit != null ? `${e.creditsPerUnit} credits per unit` : null].filter(Boolean).join(' · ')}
            </p>
          ) : null}
          {e.builtIn ? <p className="mt-1 text-xs text-muted-foreground">Always last: the offline fallback. Needs no setup.</p> : null}
          {e.lastTest ? (
            <p className="mt-1 text-xs break-words" data-testid="engine-last-test">
              <Badge variant={e.lastTest.ok ? 'success' : 'destructive'} className="mr-1.5">
                {e.lastTest.ok ? 'Test passed' : 'Test failed'}
              </Badge>
              <time dateTime={e.lastTest.at} title={formatDateTime(e.lastTest.at)} className="text-muted-foreground">
                {formatRelative(e.lastTest.at)}
              </time>
              {e.lastTest.message ? <span className="block text-muted-foreground">{e.lastTest.message}</span> : null}
            </p>
          ) : null}
        </div>
        {!e.builtIn ? (
          <div className="flex shrink-0 items-center gap-2">
            <Label id={`${nameId}-on`} htmlFor={`${nameId}-switch`} className="text-xs font-normal text-muted-foreground">
              Enabled
            </Label>
            <Switch
              id={`${nameId}-switch`}
              checked={enabled}
              disabled={toggle.isPending}
              onCheckedChange={(v) => toggle.mutate(v)}
              aria-labelledby={`${nameId}-on ${nameId}`}
            />
          </div>
        ) : null}
      </div>
      <div className="flex flex-wrap items-center gap-2 sm:pl-9">
        {!e.builtIn ? (
          <>
            <Button size="icon-sm" variant="outline" data-move={`${e.id}-up`} disabled={first} aria-disabled={busy || undefined} onClick={() => onMove('up')} aria-label={`Move ${e.name} up`}>
              <ArrowUpIcon aria-hidden="true" />
            </Button>
            <Button size="icon-sm" variant="outline" data-move={`${e.id}-down`} disabled={last} aria-disabled={busy || undefined} onClick={() => onMove('down')} aria-label={`Move ${e.name} down`}>
              <ArrowDownIcon aria-hidden="true" />
            </Button>
          </>
        ) : null}
        <Button size="sm" variant="outline" disabled={test.isPending} onClick={() => test.mutate()}>
          {test.isPending ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : <PlugZapIcon aria-hidden="true" />}
          Test connection<span className="sr-only"> of {e.name}</span>
        </Button>
        {!e.builtIn ? (
          <>
            <Button size="sm" variant="outline" onClick={onEdit}>
              <PencilIcon aria-hidden="true" /> Edit<span className="sr-only"> {e.name}</span>
            </Button>
            <Button size="sm" variant="ghost" className="text-destructive hover:text-destructive" onClick={() => setConfirmRemove(true)}>
              <Trash2Icon aria-hidden="true" /> Remove<span className="sr-only"> {e.name}</span>
            </Button>
          </>
        ) : null}
        {e.adapter === 'comfyui' ? (
          <Button size="sm" variant="outline" asChild>
            <Link to="/app/settings/workflows">
              <WorkflowIcon aria-hidden="true" /> Workflows
            </Link>
          </Button>
        ) : null}
      </div>
      {report ? <ConnectionReportView report={report} className="sm:ml-9" /> : null}
      <ConfirmDialog
        open={confirmRemove}
        onOpenChange={setConfirmRemove}
        title={`Remove ${e.name}?`}
        description="Its settings and stored key are deleted. What it made stays in the vault and the history. Characters set to use only this engine need another choice."
        confirmLabel="Remove engine"
        destructive
        pending={remove.isPending}
        onConfirm={() => remove.mutate()}
      />
    </li>
  );
}
