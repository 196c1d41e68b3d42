import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { ArchiveIcon, ArchiveRestoreIcon, ArrowLeftIcon, Loader2Icon, MapPinIcon, PauseIcon, PlayIcon, SparklesIcon } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { api, ApiError, call, type Character, errorMessage } from '@/api/client';
import { CharacterAvatar, StatusBadge } from '@/components/app/character-bits';
import { InlineError, NotFoundContent } from '@/components/app/errors';
import { AppearanceTab } from '@/components/character/appearance-tab';
import { OverviewTab } from '@/components/character/overview-tab';
import { PersonaTab } from '@/components/character/persona-tab';
import { PhotosTab } from '@/components/character/photos-tab';
import { PromptTab } from '@/components/character/prompt-tab';
import { VaultTab } from '@/components/character/vault-tab';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { useTitle } from '@/lib/hooks';
import { UnsavedChangesGuard } from '@/lib/unsaved';
import { characterQuery, keys } from '@/lib/queries';
import type { CharacterTab } from '@/router';

const route = getRouteApi('/app/characters/$id');

const tabs: { value: CharacterTab; label: string }[] = [
  { value: 'overview', label: 'Overview' },
  { value: 'persona', label: 'Persona' },
  { value: 'appearance', label: 'Appearance' },
  { value: 'photos', label: 'Photos' },
  { value: 'prompt', label: 'Prompt' },
  { value: 'vault', label: 'Vault' },
];

type StatusAction = 'pause' | 'resume' | 'archive' | 'unarchive';

export function CharacterPage() {
  return (
    <UnsavedChangesGuard>
      <CharacterPageContent />
    </UnsavedChangesGuard>
  );
}

function CharacterPageContent() {
  const { id } = route.useParams();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const q = useQuery(characterQuery(id));
  const tab: CharacterTab = search.tab ?? 'overview';
  // Mount a tab the first time it is opened and keep it mounted so unsaved edits survive tab switches.
  const [visited, setVisited] = React.useState<Set<CharacterTab>>(() => new Set([tab]));
  React.useEffect(() => setVisited((v) => (v.has(tab) ? v : new Set(v).add(tab))), [tab]);
  useTitle(q.data?.name ?? 'Character');

  if (q.isPending) return <CharacterSkeleton />;
  if (q.isError) {
    if (q.error instanceof ApiError && (q.error.status === 404 || q.error.status === 400)) {
      return <NotFoundContent />;
    }
    return (
      <div className="flex flex-col gap-4">
        <h1 className="text-2xl font-bold">Character</h1>
        <InlineError error={q.error} onRetry={() => void q.refetch()} />
      </div>
    );
  }
  const c = q.data;

  return (
    <div className="flex flex-col gap-6">
      <Link to="/app" className="inline-flex w-fit items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ArrowLeftIcon className="size-4" aria-hidden="true" /> Characters
      </Link>
      <header className="flex flex-col gap-4 sm:flex-row sm:items-center sm:justify-between">
        <div className="flex min-w-0 items-center gap-4">
          <CharacterAvatar name={c.name} url={c.avatarUrl} size="lg" />
          <div className="min-w-0">
            <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
              <h1 className="truncate text-2xl font-bold tracking-tight sm:text-3xl">{c.name}</h1>
              <StatusBadge status={c.status} reason={c.statusReason} />
            </div>
            <p className="mt-1 flex flex-wrap items-center gap-x-3 text-sm text-muted-foreground">
              <span>@{c.handle}</span>
              <span>{c.age} years</span>
              {c.location ? (
                <span className="inline-flex items-center gap-1">
                  <MapPinIcon className="size-3.5" aria-hidden="true" />
                  {c.location}
                </span>
              ) : null}
            </p>
            {c.status === 'error' && c.statusReason ? <p className="mt-1 text-sm text-destructive">{c.statusReason}</p> : null}
          </div>
        </div>
        <StatusActions character={c} />
      </header>

      <Tabs value={tab} onValueChange={(v) => void navigate({ search: { tab: v === 'overview' ? undefined : (v as CharacterTab) }, replace: true })}>
        <TabsList aria-label="Character sections" className="w-full justify-start sm:w-auto">
          {tabs.map((t) => (
            <TabsTrigger key={t.value} value={t.value}>
              {t.label}
              {t.value === 'photos' ? <span className="text-xs text-muted-foreground">{c.counts.referencePhotos}</span> : null}
            </TabsTrigger>
          ))}
        </TabsList>
        {tabs.map((t) => (
          <TabsContent key={t.value} value={t.value} forceMount hidden={t.value !== tab} tabIndex={-1}>
            {visited.has(t.value) ? <TabBody tab={t.value} character={c} /> : null}
          </TabsContent>
        ))}
      </Tabs>
    </div>
  );
}

function TabBody({ tab, character }: { tab: CharacterTab; character: Character }) {
  switch (tab) {
    case 'overview':
      return <OverviewTab character={character} />;
    case 'persona':
      return <PersonaTab character={character} />;
    case 'appearance':
      return <AppearanceTab character={character} />;
    case 'photos':
      return <PhotosTab character={character} />;
    case 'prompt':
      return <PromptTab character={character} />;
    case 'vault':
      return <VaultTab character={character} />;
  }
}

function StatusActions({ character: c }: { character: Character }) {
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: (action: StatusAction) => call(api.POST('/api/characters/{id}/status', { params: { path: { id: c.id } }, body: { action } })),
    onSuccess: (updated, action) => {
      qc.setQueryData(keys.character(c.id), updated);
      void qc.invalidateQueries({ queryKey: ['characters', 'list'] });
      const msg = { pause: 'paused', resume: 'active again', archive: 'archived', unarchive: 'unarchived' }[action];
      toast.success(`${c.name} is ${msg}.`);
    },
    onError: (err) => toast.error(errorMessage(err)),
  });
  const busy = (a: StatusAction) => m.isPending && m.variables === a;
  const icon = (a: StatusAction, I: React.ComponentType<{ 'aria-hidden'?: boolean }>) => (busy(a) ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : <I aria-hidden />);
  return (
    <div className="flex flex-wrap gap-2">
      {c.status !== 'archived' ? (
        <Button asChild>
          <Link to="/app/characters/$id/studio" params={{ id: c.id }}>
            <SparklesIcon aria-hidden="true" /> Studio
          </Link>
        </Button>
      ) : null}
      {c.status === 'active' || c.status === 'error' ? (
        <Button variant="outline" onClick={() => m.mutate('pause')} disabled={m.isPending}>
          {icon('pause', PauseIcon)} Pause
        </Button>
      ) : null}
      {c.status === 'paused' || c.status === 'error' ? (
        <Button onClick={() => m.mutate('resume')} disabled={m.isPending}>
          {icon('resume', PlayIcon)} Resume
        </Button>
      ) : null}
      {c.status !== 'archived' ? (
        <Button variant="ghost" onClick={() => m.mutate('archive')} disabled={m.isPending}>
          {icon('archive', ArchiveIcon)} Archive
        </Button>
      ) : (
        <Button variant="outline" onClick={() => m.mutate('unarchive')} disabled={m.isPending}>
          {icon('unarchive', ArchiveRestoreIcon)} Unarchive
        </Button>
      )}
    </div>
  );
}

function CharacterSkeleton() {
  return (
    <div className="flex flex-col gap-6" role="status" aria-label="Loading character">
      <Skeleton className="h-4 w-24" />
      <div className="flex items-center gap-4">
        <Skeleton className="size-20 rounded-full" />
        <div className="flex flex-col gap-2">
          <Skeleton className="h-8 w-48" />
          <Skeleton className="h-4 w-32" />
        </div>
      </div>
      <Skeleton className="h-10 w-full max-w-md" />
      <Skeleton className="h-64 w-full" />
    </div>
  );
}
