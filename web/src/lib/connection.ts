// Whether the studio server answers. Any API call that gets no answer (or a gateway's 502/503/504)
// marks it unreachable; then /api/health is probed with a growing pause until it answers again.
// While unreachable, TanStack Query is told the app is offline (onlineManager), so queries and
// mutations pause instead of failing and resume on their own when the server is back; the page
// shows an in-app notice (ConnectionBanner) and the live badge says "Offline".
//
// Route chunks go through `retryingImport`: a chunk that cannot be fetched while the server is
// away is fetched again once it is back. Without it the router's lazy components reload the
// whole page on a failed chunk — with the server down, that reload is what replaced the app
// with the browser's own "This site can't be reached" page.
import { onlineManager } from '@tanstack/react-query';
import * as React from 'react';

type Listener = () => void;
let reachable = true;
const listeners = new Set<Listener>();
const reconnectListeners = new Set<Listener>();
let probeTimer: number | undefined;
let probing = false;
let attempt = 0;
const PAUSES_MS = [1000, 2000, 3000, 5000];

function notify() {
  for (const l of listeners) l();
}

function isServerReachable() {
  return reachable;
}

/** An API call got no answer: mark the server unreachable and start probing. */
export function reportNetworkFailure() {
  onlineManager.setOnline(false);
  if (!reachable) return;
  reachable = false;
  attempt = 0;
  notify();
  scheduleProbe(PAUSES_MS[0]!);
}

/** An API call was answered: the server is back (if it was away). */
export function reportReachable() {
  if (reachable) return;
  reachable = true;
  window.clearTimeout(probeTimer);
  probeTimer = undefined;
  onlineManager.setOnline(true);
  notify();
  for (const l of reconnectListeners) l();
}

/** Asks /api/health once; reports the outcome. Resolves to whether the server answered. */
export async function probeServer(): Promise<boolean> {
  try {
    const res = await fetch('/api/health', { cache: 'no-store', credentials: 'same-origin' });
    if (res.status === 502 || res.status === 503 || res.status === 504) throw new Error(`HTTP ${res.status}`);
    reportReachable();
    return true;
  } catch {
    reportNetworkFailure();
    return false;
  }
}

function scheduleProbe(ms: number) {
  window.clearTimeout(probeTimer);
  probeTimer = window.setTimeout(async () => {
    if (probing || reachable) return;
    probing = true;
    const ok = await probeServer();
    probing = false;
    if (!ok) scheduleProbe(PAUSES_MS[Math.min(++attempt, PAUSES_MS.length - 1)]!);
  }, ms);
}

/** "Retry now": probe at once. */
export function retryNow() {
  attempt = 0;
  scheduleProbe(0);
}

/** Resolves when the server answers again (at once if it does already). */
function whenReachable(): Promise<void> {
  if (reachable) return Promise.resolve();
  return new Promise((resolve) => {
    const off = onReconnect(() => {
      off();
      resolve();
    });
  });
}

export function onReconnect(listener: Listener) {
  reconnectListeners.add(listener);
  return () => void reconnectListeners.delete(listener);
}

function subscribe(listener: Listener) {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export function useServerReachable() {
  return React.useSyncExternalStore(subscribe, isServerReachable, () => true);
}

/**
 * Lets TanStack Query's online state follow the server (not only the browser's network flag):
 * the browser going offline marks the server unreachable, coming online probes it at once.
 */
export function connectOnlineManager() {
  onlineManager.setEventListener((setOnline) => {
    const offStore = subscribe(() => setOnline(reachable));
    const offline = () => reportNetworkFailure();
    const online = () => void probeServer();
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    return () => {
      offStore();
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
    };
  });
}

/**
 * A route chunk import that survives the server being away: when the chunk cannot be fetched and
 * the server does not answer either, it waits for the server and tries again. If the server
 * answers and the chunk still fails, the error goes to the router (a new build was deployed and
 * the old chunk is gone: then reloading the page is right).
 */
export function retryingImport<T>(importer: () => Promise<T>): () => Promise<T> {
  return async () => {
    for (let tries = 0; ; tries++) {
      try {
        return await importer();
      } catch (err) {
        if (tries >= 3 || (await probeServer())) throw err;
        await whenReachable();
      }
    }
  };
}
