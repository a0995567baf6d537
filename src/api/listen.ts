/**
 * Binding the API's port first, before anything is written to disk, so a
 * port in use fails with a message that names it and says how to move, and
 * leaves no data directory behind. Requests that arrive before the node has
 * finished starting get a 503 problem.
 */
import { problem, problemResponse } from "./problem_details.ts";

/** Raised when the API's address cannot be bound. */
export class ListenError extends Error {
  constructor(readonly code: "port_in_use" | "listen_failed", message: string, cause: unknown) {
    super(message, { cause });
    this.name = "ListenError";
  }
}

type _Handler = (
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

/** A bound server whose handler is set once the node is built. */
export interface Listener {
  readonly server: Deno.HttpServer<Deno.NetAddr>;
  /** `http://host:port` with the port resolved. */
  readonly url: string;
  /** Starts answering with `handler` (until then: 503 starting). */
  serve(handler: _Handler): void;
}

const _starting: _Handler = () =>
  problemResponse(
    problem(503, "starting", "The node is starting", "Retry in a moment; /ready says when"),
    { "retry-after": "1" },
  );

/** Binds `host:port` (0 picks a free port). */
export function listen(host: string, port: number): Listener {
  let handler = _starting;
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve(
      { hostname: host, port, onListen: () => {} },
      (req, info) => handler(req, info),
    );
  } catch (cause) {
    const where = `${host}:${port}`;
    if (cause instanceof Deno.errors.AddrInUse) {
      throw new ListenError(
        "port_in_use",
        `Cannot listen on ${where}: port ${port} is in use (another Caxton node or another program); stop it, or choose another port with --port N or CAXTON_PORT`,
        cause,
      );
    }
    throw new ListenError(
      "listen_failed",
      `Cannot listen on ${where}: ${
        (cause as Error).message
      }; choose another address with --host/--port or CAXTON_HOST/CAXTON_PORT`,
      cause,
    );
  }
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    server,
    url: `http://${shown}:${server.addr.port}`,
    serve: (next) => handler = next,
  };
}
