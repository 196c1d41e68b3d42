import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import * as React from 'react';
import { api, call } from '@/api/client';
import { onReconnect, probeServer, useServerReachable } from './connection';
import { applyCreditsEvent, applyGenerationEvent, genKeys, type GenerationStatus, storeGeneration } from './generation';
import { keys } from './queries';
import { patchAsset, vaultKeys } from './vault';

/** connecting: first connection; reconnecting: the stream dropped and is coming back; offline: the server does not answer. */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'offline';
const LiveContext = React.createContext<LiveState>('connecting');
export const useLiveState = () => React.useContext(LiveContext);

function parse(data: string): Record<string, unknown> {
  try {
    const v = JSON.parse(data) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Batches invalidations so a burst of events (a bulk pause of 200 characters) causes one refetch. */
function createInvalidator(qc: QueryClient) {
  const pending = new Map<string, readonly unknown[]>();
  let timer: number | undefined;
  return (key: readonly unknown[]) => {
    pending.set(JSON.stringify(key), key);
    if (timer !== undefined) return;
    timer = window.setTimeout(() => {
      timer = undefined;
      const all = [...pending.values()];
      pending.clear();
      for (const k of all) void qc.invalidateQueries({ queryKey: k });
    }, 150);
  };
}

/** Subscribes to GET /api/events and keeps TanStack Query caches fresh; reconnects by itself. */
export function LiveEventsProvider({ children }: { children: React.ReactNode }) {
  const qc = useQueryClient();
  const [state, setState] = React.useState<LiveState>('connecting');
  const reachable = useServerReachable();

  React.useEffect(() => {
    if (typeof EventSource === 'undefined') {
      setState('offline');
      return;
    }
    const invalidate = createInvalidator(qc);
    let es: EventSource | null = null;
    let retryTimer: number | undefined;
    let wasOpen = false;
    let closed = false;

    const onCharacterUpdated = (e: MessageEvent<string>) => {
      const { id, status } = parse(e.data);
      if (typeof id === 'string') {
        if (typeof status === 'string') {
          qc.setQueryData(keys.character(id), (old: { status: string } | undefined) => (old ? { ...old, status } : old));
        }
        invalidate(keys.character(id));
        invalidate(keys.prompt(id));
      }
      invalidate(['characters', 'list']);
    };
    const onCharacterDeleted = (e: MessageEvent<string>) => {
      const { id } = parse(e.data);
      if (typeof id === 'string') qc.removeQueries({ queryKey: keys.character(id) });
      invalidate(['characters', 'list']);
    };
    const onPhotoUpdated = (e: MessageEvent<string>) => {
      const { characterId } = parse(e.data);
      invalidate(['characters', 'identity']); // reference faces change the calibrated threshold
      if (typeof characterId === 'string') {
        invalidate(keys.photos(characterId));
        invalidate(keys.character(characterId));
      }
      invalidate(['characters', 'list']);
    };
    // Vault: fetch the changed asset once and patch it into every cached list (processing →
    // rated without a reload); lists that do not hold it yet (a new upload) are refetched.
    const onAssetUpdated = (e: MessageEvent<string>) => {
      const { id } = parse(e.data);
      invalidate(vaultKeys.pendingCount);
      invalidate(vaultKeys.folders);
      if (typeof id !== 'string') return;
      call(api.GET('/api/assets/{id}', { params: { path: { id } } }))
        .then((asset) => {
          const found = patchAsset(qc, id, asset);
          if (!found) invalidate(vaultKeys.lists);
          if (!found && asset.status === 'pending') invalidate(vaultKeys.review);
        })
        .catch(() => invalidate(vaultKeys.all));
    };
    const onAssetDeleted = (e: MessageEvent<string>) => {
      const { id } = parse(e.data);
      if (typeof id === 'string') patchAsset(qc, id, null);
      invalidate(vaultKeys.pendingCount);
      invalidate(vaultKeys.folders);
    };

    // Studio: progress goes straight onto the cached generation (the bar moves without a fetch);
    // a finished one is fetched once for its results, engines tried and allowed actions.
    const onGenerationUpdated = (e: MessageEvent<string>) => {
      const { id, characterId, status, percent, stage } = parse(e.data);
      if (typeof id !== 'string' || typeof status !== 'string') return;
      const ev = { id, characterId: String(characterId ?? ''), status: status as GenerationStatus, percent: Number(percent) || 0, stage: String(stage ?? '') };
      const cached = applyGenerationEvent(qc, ev);
      if (ev.status === 'queued' || ev.status === 'running') {
        if (!cached) invalidate(genKeys.lists);
        return;
      }
      invalidate(['usage']);
      call(api.GET('/api/generations/{id}', { params: { path: { id } } }))
        .then((g) => {
          if (!storeGeneration(qc, g)) invalidate(genKeys.lists);
        })
        .catch(() => invalidate(genKeys.all));
    };
    const onCreditsUpdated = (e: MessageEvent<string>) => {
      const { balance } = parse(e.data);
      if (typeof balance === 'number') applyCreditsEvent(qc, balance);
      invalidate(genKeys.credits);
    };

    const connect = () => {
      window.clearTimeout(retryTimer);
      es?.close();
      es = new EventSource('/api/events');
      es.onopen = () => {
        wasOpen = true;
        setState('live');
      };
      es.onerror = () => {
        if (closed || !es) return;
        setState(wasOpen ? 'reconnecting' : 'connecting');
        // Is it the stream or the whole server? The answer drives the in-app notice.
        void probeServer();
        // A stream the browser gave up on (an error status) is reopened here, after a pause.
        if (es.readyState === EventSource.CLOSED) retryTimer = window.setTimeout(connect, 3000);
      };
      es.addEventListener('asset.updated', onAssetUpdated);
      es.addEventListener('asset.deleted', onAssetDeleted);
      es.addEventListener('character.updated', onCharacterUpdated);
      es.addEventListener('character.deleted', onCharacterDeleted);
      es.addEventListener('photo.updated', onPhotoUpdated);
      es.addEventListener('photo.deleted', onPhotoUpdated);
      es.addEventListener('generation.updated', onGenerationUpdated);
      es.addEventListener('credits.updated', onCreditsUpdated);
    };
    connect();
    // Events were missed while the server was away: open a fresh stream (queries refetch on their own).
    const offReconnect = onReconnect(() => {
      setState('reconnecting');
      connect();
    });
    return () => {
      closed = true;
      offReconnect();
      window.clearTimeout(retryTimer);
      es?.close();
    };
  }, [qc]);

  return <LiveContext.Provider value={reachable ? state : 'offline'}>{children}</LiveContext.Provider>;
}
