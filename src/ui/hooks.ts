/** Small hooks the pages share: polling the API, and one call's result. */
import { useEffect, useState } from "preact/hooks";
import { api } from "./api.ts";

/** What a call gave: its value, or its error, or neither yet. */
export interface Loaded<T> {
  value?: T;
  error?: Error;
  /** Calls again now. */
  reload: () => void;
}

/** GETs `path`, again every `everyMs` (0: once) and whenever `path` changes. */
export function useApi<T>(path: string | null, everyMs = 0): Loaded<T> {
  const [state, setState] = useState<{ value?: T; error?: Error }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    const load = () =>
      api<T>(path).then(
        (value) => live && setState({ value }),
        (error: Error) => live && setState((s) => ({ ...s, error })),
      );
    load();
    const timer = everyMs > 0 ? setInterval(load, everyMs) : undefined;
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [path, everyMs, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}
