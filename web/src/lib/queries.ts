import { queryOptions } from '@tanstack/react-query';
import { api, ApiError, call, type CharacterStatus } from '@/api/client';

export const keys = {
  me: ['me'] as const,
  characters: ['characters'] as const,
  characterList: (p: { status: string; q: string; sort: string }) => ['characters', 'list', p] as const,
  character: (id: string) => ['characters', 'detail', id] as const,
  photos: (id: string) => ['characters', 'photos', id] as const,
  prompt: (id: string) => ['characters', 'prompt', id] as const,
  templates: ['persona-templates'] as const,
  sessions: ['sessions'] as const,
  outbox: ['outbox'] as const,
  safety: (userId: string | null) => ['admin-safety', userId ?? 'all'] as const,
};

const SESSION_HINT = 'ainfluencer.signedIn';

/** Remembers whether this browser was signed in, so public pages only ask /api/auth/me when it
 * can succeed (a 401 there is noise in the console of every visitor). The cookie stays the truth. */
export function hasSessionHint() {
  try {
    return localStorage.getItem(SESSION_HINT) === '1';
  } catch {
    return true;
  }
}
export function setSessionHint(on: boolean) {
  try {
    if (on) localStorage.setItem(SESSION_HINT, '1');
    else localStorage.removeItem(SESSION_HINT);
  } catch {
    /* ignore */
  }
}

export const meQuery = queryOptions({
  queryKey: keys.me,
  queryFn: async () => {
    try {
      const me = await call(api.GET('/api/auth/me'));
      setSessionHint(true);
      return me;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setSessionHint(false);
        return null;
      }
      throw err;
    }
  },
  staleTime: 5 * 60_000,
  // No answer at all is retried (after the server is back); a real answer is final.
  retry: (count, err) => err instanceof ApiError && err.code === 'network_error' && count < 3,
});

export type StatusFilter = 'all' | CharacterStatus;

export const characterListQuery = (p: { status: StatusFilter; q: string; sort: 'created' | 'name' | 'updated' }) =>
  queryOptions({
    queryKey: keys.characterList(p),
    queryFn: ({ signal }) =>
      call(api.GET('/api/characters', { params: { query: { status: p.status, q: p.q || undefined, sort: p.sort, limit: 200 } }, signal })),
    placeholderData: (prev) => prev,
  });

export const characterQuery = (id: string) =>
  queryOptions({
    queryKey: keys.character(id),
    queryFn: ({ signal }) => call(api.GET('/api/characters/{id}', { params: { path: { id } }, signal })),
  });

export const photosQuery = (id: string) =>
  queryOptions({
    queryKey: keys.photos(id),
    queryFn: ({ signal }) => call(api.GET('/api/characters/{id}/photos', { params: { path: { id } }, signal })),
  });

export const promptQuery = (id: string) =>
  queryOptions({
    queryKey: keys.prompt(id),
    queryFn: ({ signal }) => call(api.GET('/api/characters/{id}/prompt', { params: { path: { id } }, signal })),
  });

export const templatesQuery = queryOptions({
  queryKey: keys.templates,
  queryFn: ({ signal }) => call(api.GET('/api/persona-templates', { signal })),
  staleTime: 60 * 60_000,
});

