/**
 * Data that stays live: loaded on mount, then again every few seconds while
 * the tab is visible. A hidden tab makes no requests; showing it again
 * reloads at once. A failed refresh keeps the last good data beside the error.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  /** When the data was last loaded. */
  at: number | null;
  reload(): void;
}

export function usePolling<T>(load: () => Promise<T>, intervalMs: number, deps: unknown[]): Polled<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean; at: number | null }>(
    {
      data: null,
      error: null,
      loading: true,
      at: null,
    },
  );
  const latest = useRef(0);
  const inFlight = useRef(0);
  const run = useCallback((force = true) => {
    // A tick waits for the answer before: a slow request is not piled on. Only the newest answer is shown.
    if (!force && inFlight.current > 0) return;
    const mine = ++latest.current;
    inFlight.current += 1;
    load()
      .then(
        (data) => {
          if (mine === latest.current) setState({ data, error: null, loading: false, at: Date.now() });
        },
        (error: unknown) => {
          if (mine === latest.current) setState((s) => ({ ...s, error, loading: false }));
        },
      )
      .finally(() => {
        inFlight.current -= 1;
      });
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what the load depends on
  }, deps);

  useEffect(() => {
    setState((s) => ({ ...s, loading: true }));
    run();
    let timer: ReturnType<typeof setInterval> | null = null;
    const start = () => {
      if (timer === null) timer = setInterval(() => run(false), intervalMs);
    };
    const stop = () => {
      if (timer !== null) clearInterval(timer);
      timer = null;
    };
    const onVisibility = () => {
      if (document.hidden) stop();
      else {
        run();
        start();
      }
    };
    if (!document.hidden) start();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', onVisibility);
      // Answers still on their way belong to the old inputs.
      latest.current += 1;
    };
  }, [run, intervalMs]);

  return { ...state, reload: () => run() };
}
