// Generation, engines and credits on the client: query keys and queries, the live patches that
// move a generation's progress bar from `generation.updated` events, and the words the Studio
// shows for tasks, styles and statuses. What a user may do with a generation (cancel, regenerate,
// vary) and which engine can do what come from the server (`actions`, `capabilities`).
import { type InfiniteData, infiniteQueryOptions, type QueryClient, queryOptions } from '@tanstack/react-query';
import { api, call, type CreditSummary, type Engine, type Generation } from '@/api/client';

export type GenerationStatus = Generation['status'];
type GenerationKind = Generation['kind'];
export type TextTask = 'caption' | 'x-post' | 'x-thread' | 'reply' | 'bio' | 'video-script';
export type ImageStyle = 'natural' | 'studio' | 'cinematic' | 'film' | 'editorial' | 'minimal' | 'bold' | 'warm' | 'pastel' | 'noir';
export type Aspect = '1:1' | '4:5' | '9:16' | '16:9';
export type CardLayout = 'quote' | 'text' | 'photo-caption';

export const textTasks: { value: TextTask; label: string }[] = [
  { value: 'caption', label: 'Caption' },
  { value: 'x-post', label: 'X post' },
  { value: 'x-thread', label: 'X thread' },
  { value: 'reply', label: 'Reply' },
  { value: 'bio', label: 'Bio' },
  { value: 'video-script', label: 'Video script' },
];
export const imageStyles: ImageStyle[] = ['natural', 'studio', 'cinematic', 'film', 'editorial', 'minimal', 'bold', 'warm', 'pastel', 'noir'];
export const aspects: { value: Aspect; label: string; w: number; h: number }[] = [
  { value: '1:1', label: 'Square', w: 16, h: 16 },
  { value: '4:5', label: 'Portrait', w: 14, h: 17.5 },
  { value: '9:16', label: 'Story', w: 11, h: 19.5 },
  { value: '16:9', label: 'Landscape', w: 20, h: 11.25 },
];
export const cardLayouts: { value: CardLayout; label: string }[] = [
  { value: 'quote', label: 'Quote' },
  { value: 'text', label: 'Text' },
  { value: 'photo-caption', label: 'Photo with caption' },
];
export const statusFilters: GenerationStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

const taskWords: Record<string, string> = {
  ...Object.fromEntries(textTasks.map((t) => [t.value, t.label])),
  image: 'Image',
  card: 'Card',
};
export const taskLabel = (task: string) => taskWords[task] ?? task;
export const styleLabel = (s: string) => s[0]!.toUpperCase() + s.slice(1);
export const statusLabel: Record<GenerationStatus, string> = { queued: 'Queued', running: 'Running', succeeded: 'Done', failed: 'Failed', cancelled: 'Cancelled' };
export const kindLabel: Record<string, string> = { text: 'Text', image: 'Image', video: 'Video', voice: 'Voice' };

export const isActive = (s: GenerationStatus) => s === 'queued' || s === 'running';

export interface GenerationFilters {
  characterId?: string;
  kind?: GenerationKind;
  status?: GenerationStatus;
  task?: string;
}

export const genKeys = {
  all: ['generations'] as const,
  lists: ['generations', 'list'] as const,
  list: (f: GenerationFilters) => ['generations', 'list', f] as const,
  detail: (id: string) => ['generations', 'detail', id] as const,
  engines: ['engines'] as const,
  usage: (days: number) => ['usage', days] as const,
  credits: ['credits'] as const,
  creditSettings: ['admin-credit-settings'] as const,
  characterSettings: (id: string) => ['characters', 'generation-settings', id] as const,
};

const PAGE_SIZE = 20;

export const generationListQuery = (f: GenerationFilters) =>
  infiniteQueryOptions({
    queryKey: genKeys.list(f),
    queryFn: ({ pageParam, signal }) => call(api.GET('/api/generations', { params: { query: { ...f, limit: PAGE_SIZE, cursor: pageParam } }, signal })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

export const generationQuery = (id: string) =>
  queryOptions({
    queryKey: genKeys.detail(id),
    queryFn: ({ signal }) => call(api.GET('/api/generations/{id}', { params: { path: { id } }, signal })),
    staleTime: 60_000,
  });

export const enginesQuery = queryOptions({
  queryKey: genKeys.engines,
  queryFn: ({ signal }) => call(api.GET('/api/engines', { signal })),
});

export const creditsQuery = queryOptions({
  queryKey: genKeys.credits,
  queryFn: ({ signal }) => call(api.GET('/api/credits', { signal })),
  staleTime: 60_000,
});

export const usageQuery = (days: number) =>
  queryOptions({
    queryKey: genKeys.usage(days),
    queryFn: ({ signal }) => call(api.GET('/api/usage', { params: { query: { days } }, signal })),
  });

export const characterSettingsQuery = (id: string) =>
  queryOptions({
    queryKey: genKeys.characterSettings(id),
    queryFn: ({ signal }) => call(api.GET('/api/characters/{id}/generation-settings', { params: { path: { id } }, signal })),
  });

type ListData = InfiniteData<{ items: Generation[]; nextCursor: string | null }, string | undefined>;

const rank = (g: Pick<Generation, 'status'>) => (g.status === 'queued' ? 0 : g.status === 'running' ? 1 : 2);

/** The newer of two copies of a generation: a finished one is never replaced by a stale "queued". */
function newer(old: Generation | undefined, next: Generation): Generation {
  if (!old) return next;
  return rank(old) > rank(next) ? old : next;
}

/** Applies `update` to a generation wherever it is cached (its detail and every list). Returns whether any list held it. */
function updateEverywhere(qc: QueryClient, id: string, update: (g: Generation) => Generation): boolean {
  let found = false;
  qc.setQueryData<Generation>(genKeys.detail(id), (old) => (old ? update(old) : old));
  for (const [key, old] of qc.getQueriesData<ListData>({ queryKey: genKeys.lists })) {
    if (!old) continue;
    let changed = false;
    const pages = old.pages.map((p) => {
      if (!p.items.some((g) => g.id === id)) return p;
      changed = true;
      return { ...p, items: p.items.map((g) => (g.id === id ? update(g) : g)) };
    });
    if (changed) {
      found = true;
      qc.setQueryData<ListData>(key, { ...old, pages });
    }
  }
  return found;
}

/** Stores a full generation (from a create, a fetch after an event) unless a finished copy is already there. */
export function storeGeneration(qc: QueryClient, g: Generation): boolean {
  qc.setQueryData<Generation>(genKeys.detail(g.id), (old) => newer(old, g));
  return updateEverywhere(qc, g.id, (old) => newer(old, g));
}

export interface GenerationEvent {
  id: string;
  characterId: string;
  status: GenerationStatus;
  percent: number;
  stage: string;
}

/**
 * A `generation.updated` event: the progress goes straight onto every cached copy. A finished one
 * is never moved back by a late progress event. Returns whether the generation was cached at all.
 */
export function applyGenerationEvent(qc: QueryClient, e: GenerationEvent): boolean {
  const inDetail = qc.getQueryData<Generation>(genKeys.detail(e.id)) !== undefined;
  const inList = updateEverywhere(qc, e.id, (g) => (rank(g) === 2 && rank(e) < 2 ? g : { ...g, status: e.status, percent: e.percent, stage: e.stage }));
  return inDetail || inList;
}

/** A `credits.updated` event: the new balance, at once, everywhere it is shown. */
export function applyCreditsEvent(qc: QueryClient, balance: number) {
  qc.setQueryData<CreditSummary>(genKeys.credits, (old) => (old ? { ...old, balance } : old));
}

/** Engines of a kind that can do a task (their declared capabilities), enabled ones only. */
export function enginesFor(engines: Engine[] | undefined, kind: 'text' | 'image', task: string): Engine[] {
  return (engines ?? []).filter((e) => {
    if (e.kind !== kind || !e.enabled) return false;
    const caps = e.capabilities;
    if (kind === 'text') return !Array.isArray(caps.tasks) || (caps.tasks as unknown[]).includes(task);
    return task === 'card' ? caps.cards === true : caps.cards !== true;
  });
}

/**
 * About how many credits a request costs: units times the price of the engine that would run it
 * (the chosen one, or the first in the fallback order), or the studio's price for the kind. The
 * server charges the real price when it queues the work; this is the figure next to the button.
 */
export function estimateCredits(credits: CreditSummary | undefined, candidates: Engine[], engineId: string, kind: 'text' | 'image', units: number): number | null {
  if (!credits?.enabled) return null;
  const engine = engineId ? candidates.find((e) => e.id === engineId) : candidates[0];
  const price = engine?.creditsPerUnit ?? credits.prices[kind] ?? 0;
  return price * units;
}

export function engineLabel(e: Pick<Engine, 'name' | 'builtIn'>) {
  return e.builtIn && !/built[ -]in/i.test(e.name) ? `${e.name} (built in)` : e.name;
}

/** The reason a 409 gives when no engine can do the request. */
export function isNoEngine(details: unknown) {
  return !!details && typeof details === 'object' && (details as { reason?: unknown }).reason === 'no_engine';
}

export const str = (v: unknown) => (typeof v === 'string' ? v : '');
export const strList = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
