import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { EmptyState } from '@/components/app/empty-state';
import { getRouteApi, Link } from '@tanstack/react-router';
import {
  ArchiveIcon,
  ImageIcon,
  LayersIcon,
  PauseIcon,
  PlayIcon,
  PlusIcon,
  Trash2Icon,
  XIcon,
} from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { api, call, type CharacterSummary, errorMessage } from '@/api/client';
import { CharacterAvatar, StatusBadge } from '@/components/app/character-bits';
import { InlineError } from '@/components/app/errors';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import { ConfirmDialog } from '@/components/ui/dialog';
import { SearchField } from '@/components/app/search-field';
import { ViewToggle } from '@/components/app/view-toggle';
import { Skeleton } from '@/components/ui/skeleton';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { useDebouncedValue, usePersistentState, useTitle } from '@/lib/hooks';
import { keys, type StatusFilter } from '@/lib/queries';
import { cn } from '@/lib/utils';

const route = getRouteApi('/app/');
const PAGE = 60;
const filters: { value: StatusFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'active', label: 'Active' },
  { value: 'paused', label: 'Paused' },
  { value: 'error', label: 'Error' },
  { value: 'archived', label: 'Archived' },
];
type BulkAction = 'pause' | 'resume' | 'archive' | 'delete';

function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

export function DashboardPage() {
  useTitle('Characters');
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const qc = useQueryClient();
  const status: StatusFilter = search.status ?? 'all';
  const q = search.q ?? '';
  const [view, setView] = usePersistentState<'grid' | 'list'>('ainfluencer.dashboard.view', 'grid', ['grid', 'list']);
  const [draft, setDraft] = React.useState(q);
  const debounced = useDebouncedValue(draft, 300);
  const [selected, setSelected] = React.useState<Set<string>>(() => new Set());
  const [confirm, setConfirm] = React.useState<BulkAction | null>(null);

  // Keep the search box and the URL in sync (the URL is the source of truth for back/forward).
  React.useEffect(() => setDraft(q), [q]);
  React.useEffect(() => {
    const next = debounced.trim();
    if (next !== q) void navigate({ search: (s) => ({ ...s, q: next || undefined }), replace: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);
  React.useEffect(() => setSelected(new Set()), [status, q]);

  const list = useInfiniteQuery({
    queryKey: [...keys.characterList({ status, q, sort: 'created' })],
    queryFn: ({ pageParam, signal }) =>
      call(api.GET('/api/characters', { params: { query: { status, q: q || undefined, sort: 'created', limit: PAGE, offset: pageParam } }, signal })),
    initialPageParam: 0,
    getNextPageParam: (last, pages) => {
      const loaded = pages.reduce((n, p) => n + p.items.length, 0);
      return loaded < last.total ? loaded : undefined;
    },
    placeholderData: keepPreviousData,
  });

  const items = React.useMemo(() => {
    const seen = new Set<string>();
    return (list.data?.pages ?? []).flatMap((p) => p.items).filter((c) => (seen.has(c.id) ? false : (seen.add(c.id), true)));
  }, [list.data]);
  const first = list.data?.pages[0];
  const counts = first?.statusCounts ?? {};
  const countFor = (s: StatusFilter) =>
    s === 'all' ? (counts.all ?? Object.entries(counts).reduce((n, [k, v]) => (k === 'all' ? n : n + v), 0)) : (counts[s] ?? 0);
  const totalAll = countFor('all');
  const total = first?.total ?? 0;

  // Drop selections that vanished (deleted elsewhere, live update).
  React.useEffect(() => {
    setSelected((prev) => {
      const ids = new Set(items.map((i) => i.id));
      const next = new Set([...prev].filter((id) => ids.has(id)));
      return next.size === prev.size ? prev : next;
    });
  }, [items]);

  const bulk = useMutation({
    mutationFn: (action: BulkAction) => call(api.POST('/api/characters/bulk', { body: { ids: [...selected], action } })),
    onSuccess: (res, action) => {
      const verb = { pause: 'Paused', resume: 'Resumed', archive: 'Archived', delete: 'Deleted' }[action];
      const n = res.updated.length;
      if (n > 0) toast.success(`${verb} ${plural(n, 'character')}.`);
      if (res.skipped.length > 0) {
        toast.warning(`${plural(res.skipped.length, 'character')} skipped: ${res.skipped[0]!.reason}`);
      }
      setSelected(new Set());
      setConfirm(null);
    },
    onError: (err) => {
      toast.error(errorMessage(err));
      setConfirm(null);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: keys.characters }),
  });

  const allSelected = items.length > 0 && items.every((c) => selected.has(c.id));
  const someSelected = selected.size > 0 && !allSelected;
  const toggle = (id: string, on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const clearFilters = () => {
    setDraft('');
    void navigate({ search: {} });
  };

  const selectedItems = items.filter((c) => selected.has(c.id));
  const canPause = selectedItems.some((c) => c.status === 'active' || c.status === 'error');
  const canResume = selectedItems.some((c) => c.status === 'paused' || c.status === 'error');
  const n = selected.size;

  const content = () => {
    if (list.isPending) return <ListSkeleton view={view} />;
    if (list.isError && !list.data) return <InlineError error={list.error} onRetry={() => void list.refetch()} />;
    if (items.length === 0) {
      if (totalAll === 0 && !q) {
        return (
          <EmptyState
            title="No characters yet"
            text="Create your first character (takes under a minute). Start from a template, give it a name, and you are done."
            action={
              <Button asChild size="lg">
                <Link to="/app/characters/new">
                  <PlusIcon aria-hidden="true" /> Create your first character
                </Link>
              </Button>
            }
          />
        );
      }
      return (
        <EmptyState
          title="No characters match this search"
          text={q ? `Nothing found for “${q}”${status !== 'all' ? ` among ${status} characters` : ''}.` : `You have no ${status} characters.`}
          action={
            <Button variant="outline" onClick={clearFilters}>
              <XIcon aria-hidden="true" /> Clear filters
            </Button>
          }
        />
      );
    }
    return (
      <>
        {view === 'grid' ? (
          <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label="Characters">
            {items.map((c) => (
              <CharacterCard key={c.id} c={c} selected={selected.has(c.id)} onSelect={(on) => toggle(c.id, on)} />
            ))}
          </ul>
        ) : (
          <ul className="divide-y rounded-xl border bg-card" aria-label="Characters">
            {items.map((c) => (
              <CharacterRow key={c.id} c={c} selected={selected.has(c.id)} onSelect={(on) => toggle(c.id, on)} />
            ))}
          </ul>
        )}
        {list.hasNextPage ? (
          <div className="mt-6 flex justify-center">
            <Button variant="outline" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
              {list.isFetchingNextPage ? 'Loading…' : `Show more (${items.length} of ${total})`}
            </Button>
          </div>
        ) : null}
      </>
    );
  };

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">Characters</h1>
          <p className="mt-1 text-sm text-muted-foreground">
            {list.isPending ? 'Loading your characters…' : totalAll === 0 ? 'Your AI characters will appear here.' : `${plural(totalAll, 'character')} in your studio.`}
          </p>
        </div>
        <Button asChild>
          <Link to="/app/characters/new">
            <PlusIcon aria-hidden="true" /> Create character
          </Link>
        </Button>
      </div>

      <Tabs value={status} onValueChange={(v) => void navigate({ search: (s) => ({ ...s, status: v === 'all' ? undefined : (v as typeof search.status) }) })}>
        <div className="flex flex-col gap-3 lg:flex-row lg:items-center lg:justify-between">
          <TabsList aria-label="Filter by status" className="w-full justify-start lg:w-auto">
            {filters.map((f) => (
              <TabsTrigger key={f.value} value={f.value}>
                {f.label}
                <span className="rounded-full bg-background/70 px-1.5 text-xs tabular-nums" aria-hidden="true">
                  {first ? countFor(f.value) : '–'}
                </span>
                {first ? <span className="sr-only">({countFor(f.value)})</span> : null}
              </TabsTrigger>
            ))}
          </TabsList>
          <div className="flex items-center gap-2">
            <SearchField className="lg:w-72" aria-label="Search characters by name" placeholder="Search by name…" value={draft} onValueChange={setDraft} />
            <ViewToggle view={view} setView={setView} />
          </div>
        </div>

        {items.length > 0 ? (
          <div
            className={cn(
              'mt-4 flex min-h-12 flex-wrap items-center gap-x-4 gap-y-2 rounded-lg border px-3 py-2',
              n > 0 ? 'border-primary/40 bg-accent/60' : 'bg-card',
            )}
            role="region"
            aria-label="Selection"
          >
            <div className="flex items-center gap-2">
              <Checkbox
                id="select-all"
                checked={allSelected ? true : someSelected ? 'indeterminate' : false}
                onCheckedChange={(v) => setSelected(v === true ? new Set(items.map((c) => c.id)) : new Set())}
              />
              <label htmlFor="select-all" className="text-sm font-medium select-none">
                {n > 0 ? `${n} selected` : 'Select all'}
              </label>
            </div>
            {n > 0 ? (
              <div className="flex flex-wrap items-center gap-2">
                <Button size="sm" variant="outline" disabled={!canPause || bulk.isPending} onClick={() => bulk.mutate('pause')}>
                  <PauseIcon aria-hidden="true" /> Pause
                </Button>
                <Button size="sm" variant="outline" disabled={!canResume || bulk.isPending} onClick={() => bulk.mutate('resume')}>
                  <PlayIcon aria-hidden="true" /> Resume
                </Button>
                <Button size="sm" variant="outline" disabled={bulk.isPending} onClick={() => setConfirm('archive')}>
                  <ArchiveIcon aria-hidden="true" /> Archive
                </Button>
                <Button size="sm" variant="outline" className="text-destructive" disabled={bulk.isPending} onClick={() => setConfirm('delete')}>
                  <Trash2Icon aria-hidden="true" /> Delete
                </Button>
                <Button size="sm" variant="ghost" onClick={() => setSelected(new Set())}>
                  Clear selection
                </Button>
              </div>
            ) : (
              <p className="text-sm text-muted-foreground">Select characters to pause, resume, archive or delete them together.</p>
            )}
          </div>
        ) : null}

        {filters.map((f) => (
          <TabsContent key={f.value} value={f.value} forceMount hidden={f.value !== status} className="mt-4" aria-busy={list.isFetching && !list.isPending}>
            {f.value === status ? content() : null}
          </TabsContent>
        ))}
      </Tabs>

      <ConfirmDialog
        open={confirm === 'delete'}
        onOpenChange={(o) => !o && setConfirm(null)}
        title={`Delete ${plural(n, 'character')}?`}
        description={`This permanently deletes ${plural(n, 'character')} with their personas, appearance and reference photos. This cannot be undone.`}
        confirmLabel={`Delete ${plural(n, 'character')}`}
        destructive
        pending={bulk.isPending}
        onConfirm={() => bulk.mutate('delete')}
      />
      <ConfirmDialog
        open={confirm === 'archive'}
        onOpenChange={(o) => !o && setConfirm(null)}
        title={`Archive ${plural(n, 'character')}?`}
        description="Archived characters stop all activity and are hidden from the active list. You can unarchive them later."
        confirmLabel={`Archive ${plural(n, 'character')}`}
        pending={bulk.isPending}
        onConfirm={() => bulk.mutate('archive')}
      />
    </div>
  );
}

function Counts({ c }: { c: CharacterSummary }) {
  return (
    <p className="flex items-center gap-3 text-xs text-muted-foreground">
      <span className="inline-flex items-center gap-1">
        <ImageIcon className="size-3.5" aria-hidden="true" />
        {plural(c.counts.referencePhotos, 'photo')}
      </span>
      <span className="inline-flex items-center gap-1">
        <LayersIcon className="size-3.5" aria-hidden="true" />
        {plural(c.counts.variations, 'variation')}
      </span>
    </p>
  );
}

function CharacterCard({ c, selected, onSelect }: { c: CharacterSummary; selected: boolean; onSelect: (on: boolean) => void }) {
  return (
    <li
      data-testid="character-card"
      data-character-id={c.id}
      className={cn(
        'group relative flex flex-col gap-4 rounded-xl border bg-card p-5 shadow-sm transition-shadow focus-within:ring-2 focus-within:ring-ring hover:shadow-md',
        selected && 'border-primary ring-1 ring-primary',
      )}
    >
      <div className="flex items-start gap-4">
        <CharacterAvatar name={c.name} url={c.avatarUrl} />
        <div className="min-w-0 flex-1">
          <h2 className="truncate text-base font-semibold">
            <Link to="/app/characters/$id" params={{ id: c.id }} className="outline-none after:absolute after:inset-0 after:rounded-xl">
              {c.name}
            </Link>
          </h2>
          <p className="truncate text-sm text-muted-foreground">@{c.handle}</p>
          <StatusBadge status={c.status} reason={c.statusReason} className="mt-2" />
        </div>
        <div className="relative z-10 -m-1 p-1">
          <Checkbox checked={selected} onCheckedChange={(v) => onSelect(v === true)} aria-label={`Select ${c.name}`} />
        </div>
      </div>
      <p className="line-clamp-2 min-h-10 text-sm text-muted-foreground">{c.bio || 'No bio yet.'}</p>
      <Counts c={c} />
    </li>
  );
}

function CharacterRow({ c, selected, onSelect }: { c: CharacterSummary; selected: boolean; onSelect: (on: boolean) => void }) {
  return (
    <li
      data-testid="character-card"
      data-character-id={c.id}
      className={cn('relative flex items-center gap-3 px-4 py-3 focus-within:bg-accent/50 hover:bg-accent/40 sm:gap-4', selected && 'bg-accent/60')}
    >
      <div className="relative z-10">
        <Checkbox checked={selected} onCheckedChange={(v) => onSelect(v === true)} aria-label={`Select ${c.name}`} />
      </div>
      <CharacterAvatar name={c.name} url={c.avatarUrl} size="sm" />
      <div className="min-w-0 flex-1">
        <h2 className="truncate text-sm font-semibold">
          <Link to="/app/characters/$id" params={{ id: c.id }} className="outline-none after:absolute after:inset-0 focus-visible:underline">
            {c.name}
          </Link>
        </h2>
        <p className="truncate text-xs text-muted-foreground">@{c.handle}</p>
      </div>
      <div className="hidden md:block">
        <Counts c={c} />
      </div>
      <StatusBadge status={c.status} reason={c.statusReason} />
    </li>
  );
}

function ListSkeleton({ view }: { view: 'grid' | 'list' }) {
  return (
    <div role="status" aria-label="Loading characters">
      {view === 'grid' ? (
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {Array.from({ length: 6 }, (_, i) => (
            <div key={i} className="flex flex-col gap-4 rounded-xl border bg-card p-5">
              <div className="flex items-center gap-4">
                <Skeleton className="size-14 rounded-full" />
                <div className="flex flex-1 flex-col gap-2">
                  <Skeleton className="h-4 w-2/3" />
                  <Skeleton className="h-3 w-1/3" />
                  <Skeleton className="h-4 w-16 rounded-full" />
                </div>
              </div>
              <Skeleton className="h-10 w-full" />
              <Skeleton className="h-3 w-1/2" />
            </div>
          ))}
        </div>
      ) : (
        <div className="divide-y rounded-xl border bg-card">
          {Array.from({ length: 6 }, (_, i) => (
            <div key={i} className="flex items-center gap-4 px-4 py-3">
              <Skeleton className="size-10 rounded-full" />
              <div className="flex flex-1 flex-col gap-2">
                <Skeleton className="h-4 w-40" />
                <Skeleton className="h-3 w-24" />
              </div>
              <Skeleton className="h-5 w-16 rounded-full" />
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
