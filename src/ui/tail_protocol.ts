/** What the Messages page and its tail worker (tail_worker.ts) say to each other. */

/** Page → worker, once: what to tail and how often to report. */
export interface TailStart {
  /** Under /api/v1, with its query. */
  path: string;
  /** The bearer key, or "". */
  key: string;
  /** At most this many events per batch (the newest). */
  rows: number;
  everyMs: number;
}

/** Worker → page. */
export type TailFromWorker =
  | { kind: "open" }
  | { kind: "error"; message: string }
  /** `count` events so far; `rows` the newest since the last batch, oldest first, unparsed. */
  | { kind: "batch"; count: number; rows: string[] };
