import * as React from 'react';

export function useDebouncedValue<T>(value: T, ms: number) {
  const [v, setV] = React.useState(value);
  React.useEffect(() => {
    const t = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function usePersistentState<T extends string>(key: string, initial: T, allowed: readonly T[]) {
  const [v, setV] = React.useState<T>(() => {
    try {
      const s = localStorage.getItem(key);
      if (s && (allowed as readonly string[]).includes(s)) return s as T;
    } catch {
      /* ignore */
    }
    return initial;
  });
  const set = React.useCallback(
    (next: T) => {
      setV(next);
      try {
        localStorage.setItem(key, next);
      } catch {
        /* ignore */
      }
    },
    [key],
  );
  return [v, set] as const;
}

/** Sets document.title for the page. */
export function useTitle(title: string) {
  React.useEffect(() => {
    document.title = title ? `${title} · AInfluencer` : 'AInfluencer';
  }, [title]);
}
