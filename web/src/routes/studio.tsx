// The Studio of one character: write (Caption) or make images and cards (Image), watch each
// generation's progress live, and look back through everything made for the character (History).
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { ArrowLeftIcon, Loader2Icon } from 'lucide-react';
import * as React from 'react';
import { ApiError, type Character, type Generation } from '@/api/client';
import { CharacterAvatar } from '@/components/app/character-bits';
import { EmptyState } from '@/components/app/empty-state';
import { InlineError, NotFoundContent } from '@/components/app/errors';
import { PageSpinner } from '@/components/app/page-spinner';
import { Section } from '@/components/character/shared';
import { CaptionForm } from '@/components/studio/caption-form';
import { GenerationCard, LiveGenerationCard } from '@/components/studio/generation-card';
import { ImageForm } from '@/components/studio/image-form';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import { NativeSelect } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { generationListQuery, type GenerationFilters, isActive, kindLabel, statusFilters, statusLabel, taskLabel, textTasks } from '@/lib/generation';
import { useTitle } from '@/lib/hooks';
import { useLiveState } from '@/lib/live';
import { characterQuery } from '@/lib/queries';
import type { StudioSearch, StudioTab } from '@/router';

const route = getRouteApi('/app/characters/$id/studio');

const tabs: { value: StudioTab; label: string }[] = [
  { value: 'caption', label: 'Caption' },
  { value: 'image', label: 'Image' },
  { value: 'history', label: 'History' },
];

interface SessionItem {
  id: string;
  kind: Generation['kind'];
}

export function StudioPage() {
  const { id } = route.useParams();
  const q = useQuery(characterQuery(id));
  useTitle(q.data ? `Studio · ${q.data.name}` : 'Studio');
  if (q.isPending) return <PageSpinner />;
  if (q.isError) {
    if (q.error instanceof ApiError && (q.error.status === 404 || q.error.status === 400)) return <NotFoundContent />;
    return <InlineError error={q.error} onRetry={() => void q.refetch()} />;
  }
  return <Studio character={q.data} />;
}

function Studio({ character: c }: { character: Character }) {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const tab: StudioTab = search.tab ?? 'caption';
  // Generations asked for on this visit, newest first: they stay on screen while they run.
  const [session, setSession] = React.useState<SessionItem[]>([]);
  const onCreated = React.useCallback((items: Generation[]) => {
    setSession((s) => [...items.map((g) => ({ id: g.id, kind: g.kind })), ...s.filter((x) => !items.some((g) => g.id === x.id))]);
  }, []);
  const [visited, setVisited] = React.useState<Set<StudioTab>>(() => new Set([tab]));
  React.useEffect(() => setVisited((v) => (v.has(tab) ? v : new Set(v).add(tab))), [tab]);

  return (
    <div className="flex flex-col gap-6">
      <Link to="/app/characters/$id" params={{ id: c.id }} className="inline-flex w-fit items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ArrowLeftIcon className="size-4" aria-hidden="true" /> {c.name}
      </Link>
      <header className="flex min-w-0 items-center gap-4">
        <CharacterAvatar name={c.name} url={c.avatarUrl} />
        <div className="min-w-0">
          <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">Studio</h1>
          <p className="mt-1 text-sm text-muted-foreground">
            Captions, posts and images in the voice and look of {c.name} (@{c.handle}).{' '}
            <Link to="/app/characters/$id" params={{ id: c.id }} search={{ tab: 'prompt' }} className="whitespace-nowrap underline underline-offset-4 hover:text-foreground">
              Engines for {c.name}
            </Link>
          </p>
        </div>
      </header>

      <Tabs value={tab} onValueChange={(v) => void navigate({ search: (s: StudioSearch) => ({ ...s, tab: v === 'caption' ? undefined : (v as StudioSearch['tab']) }), replace: true })}>
        <TabsList aria-label="Studio sections" className="w-full justify-start sm:w-auto">
          {tabs.map((t) => (
            <TabsTrigger key={t.value} value={t.value}>
              {t.label}
            </TabsTrigger>
          ))}
        </TabsList>
        <TabsContent value="caption" forceMount hidden={tab !== 'caption'} tabIndex={-1}>
          {visited.has('caption') ? (
            <Workspace
              composer={<CaptionForm characterId={c.id} onCreated={onCreated} />}
              title="Write"
              description={`Texts in ${c.name}’s voice, with hashtags and the disclosure line where the persona asks for it.`}
              results={session.filter((s) => s.kind === 'text')}
              characterId={c.id}
              kind="text"
              onCreated={onCreated}
            />
          ) : null}
        </TabsContent>
        <TabsContent value="image" forceMount hidden={tab !== 'image'} tabIndex={-1}>
          {visited.has('image') ? (
            <Workspace
              composer={<ImageForm character={c} onCreated={onCreated} />}
              title="Make images"
              description="Images go into the vault, where the gates rate them and check they look like the character."
              results={session.filter((s) => s.kind === 'image')}
              characterId={c.id}
              kind="image"
              onCreated={onCreated}
            />
          ) : null}
        </TabsContent>
        <TabsContent value="history" forceMount hidden={tab !== 'history'} tabIndex={-1}>
          {visited.has('history') ? <History characterId={c.id} onCreated={onCreated} /> : null}
        </TabsContent>
      </Tabs>
    </div>
  );
}

function Workspace({ composer, title, description, results, characterId, kind, onCreated }: {
  composer: React.ReactNode;
  title: string;
  description: string;
  results: SessionItem[];
  characterId: string;
  kind: 'text' | 'image';
  onCreated: (items: Generation[]) => void;
}) {
  const headingId = React.useId();
  return (
    <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,26rem)_minmax(0,1fr)]">
      <Section title={title} description={description}>
        {composer}
      </Section>
      <section aria-labelledby={headingId} className="flex min-w-0 flex-col gap-3" data-testid={`results-${kind}`}>
        <h2 id={headingId} className="text-lg font-semibold">
          Results
        </h2>
        {results.length === 0 ? (
          <ResultsEmpty characterId={characterId} kind={kind} />
        ) : (
          <ul className="flex flex-col gap-3">
            {results.map((r) => (
              <LiveGenerationCard key={r.id} id={r.id} onCreated={onCreated} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function ResultsEmpty({ characterId, kind }: { characterId: string; kind: 'text' | 'image' }) {
  const navigate = route.useNavigate();
  const any = useInfiniteQuery(generationListQuery({ characterId, kind }));
  if (any.isPending) return <Skeleton className="h-32 rounded-xl" />;
  const none = (any.data?.pages[0]?.items.length ?? 0) === 0;
  if (none) {
    return (
      <EmptyState
        testId="studio-empty"
        title="No generations yet"
        text="Type an idea and press Generate. Each result appears here as it finishes."
        action={null}
      />
    );
  }
  return (
    <div className="rounded-xl border border-dashed px-6 py-10 text-center text-sm text-muted-foreground">
      New results appear here as they finish.{' '}
      <Button variant="link" className="h-auto p-0" onClick={() => void navigate({ search: (s: StudioSearch) => ({ ...s, tab: 'history' }), replace: true })}>
        Earlier ones are in History
      </Button>
      .
    </div>
  );
}

function History({ characterId, onCreated }: { characterId: string; onCreated: (items: Generation[]) => void }) {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const live = useLiveState();
  const filters: GenerationFilters = { characterId, kind: search.kind, status: search.status, task: search.task };
  const list = useInfiniteQuery({
    ...generationListQuery(filters),
    refetchInterval: (query) => (live !== 'live' && query.state.data?.pages.some((p) => p.items.some((g) => isActive(g.status))) ? 5000 : false),
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Boolean(search.kind || search.status || search.task);
  const set = (patch: Partial<StudioSearch>) => void navigate({ search: (s: StudioSearch) => ({ ...s, ...patch }), replace: true });
  const taskOptions = search.kind === 'image' ? ['image', 'card'] : search.kind === 'text' ? textTasks.map((t) => t.value) : [...textTasks.map((t) => t.value), 'image', 'card'];
  const headingId = React.useId();

  return (
    <section aria-labelledby={headingId} className="flex flex-col gap-4">
      <h2 id={headingId} className="sr-only">
        History
      </h2>
      <div className="grid grid-cols-3 items-end gap-2 sm:grid-cols-4 sm:gap-3" role="group" aria-label="Filter generations">
        <div className="flex flex-col gap-2">
          <Label htmlFor="hist-kind">Kind</Label>
          <NativeSelect id="hist-kind" value={search.kind ?? ''} onChange={(e) => set({ kind: (e.target.value || undefined) as StudioSearch['kind'], task: undefined })}>
            <option value="">All kinds</option>
            <option value="text">{kindLabel.text}</option>
            <option value="image">{kindLabel.image}</option>
          </NativeSelect>
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor="hist-task">Task</Label>
          <NativeSelect id="hist-task" value={search.task ?? ''} onChange={(e) => set({ task: e.target.value || undefined })}>
            <option value="">All tasks</option>
            {taskOptions.map((t) => (
              <option key={t} value={t}>
                {taskLabel(t)}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor="hist-status">Status</Label>
          <NativeSelect id="hist-status" value={search.status ?? ''} onChange={(e) => set({ status: (e.target.value || undefined) as StudioSearch['status'] })}>
            <option value="">Any status</option>
            {statusFilters.map((s) => (
              <option key={s} value={s}>
                {statusLabel[s]}
              </option>
            ))}
          </NativeSelect>
        </div>
        {filtered ? (
          <Button variant="ghost" className="col-span-3 justify-self-start sm:col-span-1" onClick={() => set({ kind: undefined, status: undefined, task: undefined })}>
            Clear filters
          </Button>
        ) : null}
      </div>

      {list.isPending ? (
        <div className="flex flex-col gap-3" role="status" aria-label="Loading generations">
          <Skeleton className="h-32 rounded-xl" />
          <Skeleton className="h-32 rounded-xl" />
        </div>
      ) : list.isError ? (
        <InlineError error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        filtered ? (
          <div className="rounded-xl border border-dashed px-6 py-10 text-center text-sm text-muted-foreground" data-testid="history-empty">
            No generations match these filters.
          </div>
        ) : (
          <EmptyState
            testId="history-empty"
            title="No generations yet"
            text="Type an idea and press Generate. Everything made for this character is listed here."
            action={
              <Button onClick={() => set({ tab: undefined })}>Write a caption</Button>
            }
          />
        )
      ) : (
        <>
          <ul className="flex flex-col gap-3" data-testid="history-list">
            {items.map((g) => (
              <GenerationCard key={g.id} generation={g} onCreated={onCreated} />
            ))}
          </ul>
          {list.hasNextPage ? (
            <Button variant="outline" className="self-center" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
              {list.isFetchingNextPage ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : null}
              Load older
            </Button>
          ) : null}
        </>
      )}
    </section>
  );
}
