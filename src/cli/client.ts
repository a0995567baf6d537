/** The CLI's HTTP client: problems become {@linkcode CliError}s that say what to do. */
import { CliError, EXIT, exitForStatus } from "./exit.ts";
import type { ClientSettings } from "./settings.ts";

/** Calls the Caxton API of one server. */
export class ApiClient {
  readonly server: string;
  readonly #token: string | null;

  constructor(settings: Pick<ClientSettings, "server" | "token">) {
    this.server = settings.server;
    this.#token = settings.token;
  }

  /** A request; resolves with the response when it is 2xx, throws CliError otherwise. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#token) headers.set("authorization", `Bearer ${this.#token}`);
    let res: Response;
    try {
      res = await fetch(`${this.server}${path}`, { ...init, headers });
    } catch (error) {
      if (error instanceof TypeError || error instanceof Deno.errors.ConnectionRefused) {
        throw new CliError(
          `no server at ${this.server}`,
          EXIT.unreachable,
          "start one with `caxton serve`, or point to yours with --server URL or CAXTON_SERVER",
        );
      }
      throw error;
    }
    if (res.ok) return res;
    const text = await res.text();
    let detail = text || res.statusText;
    let remedy: string | undefined;
    try {
      const problem = JSON.parse(text);
      detail = problem.detail ?? detail;
      remedy = problem.remedy;
    } catch { /* not a problem document */ }
    if (res.status === 401) {
      remedy = 'set the token with --token, CAXTON_TOKEN or "token" in the CLI config file';
    }
    throw new CliError(detail, exitForStatus(res.status), remedy);
  }

  /** A JSON request, parsed. */
  async json<T = unknown>(path: string, init: RequestInit & { body?: BodyInit } = {}): Promise<T> {
    const res = await this.fetch(path, init);
    if (res.status === 204) return undefined as T;
    return await res.json() as T;
  }

  /** POSTs/PUTs a JSON body. */
  send<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return this.json<T>(path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
}
