/** The CLI's HTTP client: problems become {@linkcode CliError}s with CLI remedies. */
import { CliError, EXIT, exitForStatus } from "./exit.ts";
import { cliRemedy, type ProblemBody } from "./remedies.ts";
import type { ClientSettings, ServerCandidate } from "./settings.ts";

/** Calls the Caxton API of one server: the first candidate that answers. */
export class ApiClient {
  readonly #candidates: readonly ServerCandidate[];
  readonly #token: string | null;
  /** The candidate that answered; until then, the first. */
  #chosen: ServerCandidate;
  #connected = false;

  constructor(settings: Pick<ClientSettings, "servers" | "token">) {
    if (settings.servers.length === 0) throw new TypeError("ApiClient needs a server to try");
    this.#candidates = settings.servers;
    this.#chosen = settings.servers[0]!;
    this.#token = settings.token;
  }

  /** The server's URL (the one that answered, once one has). */
  get server(): string {
    return this.#chosen.url;
  }

  /** Why the CLI went to {@linkcode server}: `--server`, `CAXTON_SERVER`, the node's record… */
  get source(): string {
    return this.#chosen.source;
  }

  /** A request; resolves with the response when it is 2xx, throws CliError otherwise. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#token) headers.set("authorization", `Bearer ${this.#token}`);
    const res = await this.#send(path, { ...init, headers });
    if (res.ok) return res;
    const text = await res.text();
    let detail = text || res.statusText;
    let remedy: string | undefined;
    try {
      const problem = JSON.parse(text) as ProblemBody;
      detail = problem.detail ?? detail;
      remedy = cliRemedy(problem) ?? problem.remedy;
    } catch { /* not a problem document */ }
    if (res.status === 401) {
      remedy =
        'set an API key with CAXTON_API_KEY (or --token, CAXTON_TOKEN, "apiKey" in the CLI config file); create one with `caxton key create`';
    }
    throw new CliError(detail, exitForStatus(res.status), remedy);
  }

  /** Sends to the chosen server; until one has answered, tries each candidate in turn. */
  async #send(path: string, init: RequestInit): Promise<Response> {
    const tried: ServerCandidate[] = [];
    for (const candidate of this.#connected ? [this.#chosen] : this.#candidates) {
      try {
        const res = await fetch(`${candidate.url}${path}`, init);
        this.#chosen = candidate;
        this.#connected = true;
        return res;
      } catch (error) {
        if (!(error instanceof TypeError || error instanceof Deno.errors.ConnectionRefused)) {
          throw error;
        }
        tried.push(candidate);
      }
    }
    throw new CliError(
      `no server at ${tried.map((c) => `${c.url} (from ${c.source})`).join(", nor at ")}`,
      EXIT.unreachable,
      "start one with `caxton serve`, or point to yours with --server URL or CAXTON_SERVER",
    );
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
