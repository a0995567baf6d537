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
