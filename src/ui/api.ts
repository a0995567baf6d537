/**
 * The dashboard's only way to the node: the public REST API and its SSE
 * streams, with the user's bearer key when one is given (kept in this tab's
 * sessionStorage, never in the page's URL).
 */

const _KEY = "caxton.apiKey";

/** The bearer key the user gave for this tab, or "" when none. */
export function apiKey(): string {
  return sessionStorage.getItem(_KEY) ?? "";
}

/** Keeps (or, when empty, forgets) the bearer key for this tab. */
export function setApiKey(key: string): void {
  if (key === "") sessionStorage.removeItem(_KEY);
  else sessionStorage.setItem(_KEY, key);
}

/** An RFC 9457 problem the API answered with, or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    detail: string,
    readonly remedy: string | undefined,
  ) {
    super(detail);
    this.name = "ApiError";
  }
}

function _headers(extra: HeadersInit = {}): Headers {
  const headers = new Headers(extra);
  const key = apiKey();
  if (key !== "") headers.set("authorization", `Bearer ${key}`);
  return headers;
}

/** Calls `/api/v1<path>`; resolves to the JSON body, rejects with an {@linkcode ApiError}. */
export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`/api/v1${path}`, { ...init, headers: _headers(init.headers) });
  const text = await res.text();
  const body = text === "" ? null : JSON.parse(text);
  if (!res.ok) {
    throw new ApiError(
      res.status,
      String(body?.type ?? "").split("/").pop() ?? "",
      body?.detail ?? `${res.status} ${res.statusText}`,
      body?.remedy,
    );
  }
  return body as T;
}

/**
 * Reads an SSE stream with fetch (EventSource cannot send a bearer key) and
 * calls `onEvent` per event with its data unparsed (a busy tail parses only
 * what it shows); returns a function that closes it.
 */
export function openStream(
  path: string,
  onEvent: (event: string, data: string) => void,
  onError: (error: Error) => void = () => {},
  onOpen: () => void = () => {},
): () => void {
  const abort = new AbortController();
  (async () => {
    const res = await fetch(`/api/v1${path}`, {
      headers: _headers({ accept: "text/event-stream" }),
      signal: abort.signal,
    });
    if (!res.ok || !res.body) throw new ApiError(res.status, "", `stream: ${res.status}`, "");
    onOpen();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      // One pass over what arrived (a busy tail brings thousands of events a chunk).
      let start = 0;
      let end;
      while ((end = buffer.indexOf("\n\n", start)) >= 0) {
        _dispatch(buffer.slice(start, end), onEvent);
        start = end + 2;
      }
      buffer = buffer.slice(start);
    }
  })().catch((error: Error) => {
    if (!abort.signal.aborted) onError(error);
  });
  return () => abort.abort();
}

function _dispatch(block: string, onEvent: (event: string, data: string) => void): void {
  let event = "message";
  let data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data += line.slice(5).trimStart();
  }
  if (data !== "") onEvent(event, data);
}
