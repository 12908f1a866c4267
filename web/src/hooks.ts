import { useEffect, useRef, useState } from 'preact/hooks';

/** Re-renders when a store with subscribe() changes; returns its current value. */
export function useStore<T>(subscribe: (fn: () => void) => () => void, get: () => T): T {
  const [value, setValue] = useState(get);
  useEffect(() => {
    setValue(get);
    return subscribe(() => setValue(get));
  }, [subscribe]);
  return value;
}

/** Runs `fn` now and every `ms` while the tab is visible, and at once when it becomes visible. */
export function usePoll(fn: () => void | Promise<void>, ms: number): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const run = async () => {
      clearTimeout(timer);
      if (document.visibilityState !== 'hidden') await saved.current();
      if (!stopped) timer = setTimeout(run, ms);
    };
    const onVisible = () => document.visibilityState === 'visible' && void run();
    document.addEventListener('visibilitychange', onVisible);
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [ms]);
}

/** A value that re-renders once a second while `on`, for countdowns. */
export function useNow(on: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!on) return;
    const t = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(t);
  }, [on]);
  return now;
}
