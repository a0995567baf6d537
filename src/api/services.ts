/**
 * Agents as services: `POST /api/v1/agents/{name}/request` (synchronous reply,
 * or every message of the conversation over SSE) and `/api/v1/jobs`
 * (asynchronous, persisted, result by id).
 */
import { Hono } from "hono";
import { type AclMessage, type Performative, PERFORMATIVES } from "../acl/mod.ts";
import { intQuery, MAX_TIMER_MS, readObject, withCallerTrace } from "./body.ts";
import { problem, ProblemError } from "./problem_details.ts";
import { eventStream } from "./sse.ts";
import { toProblem } from "./problem_mapping.ts";
import type { ApiDeps } from "./deps.ts";

type _Request = Partial<Omit<AclMessage, "sender" | "receiver">>;

const _MAX_TIMEOUT_MS = 300_000;

export function requestRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  app.post("/:name/request", async (c) => {
    const name = c.req.param("name");
    const timeoutMs = intQuery(c, "timeout", 30_000, 1, _MAX_TIMEOUT_MS);
    const request = withCallerTrace(c, _request(await readObject(c, { optional: true })));
    // Refuse an unknown agent before any stream opens.
    _refuseUnknown(deps, name);
    if (!(c.req.header("accept") ?? "").includes("text/event-stream")) {
      const reply = await deps.broker.request(name, request, { timeoutMs });
      return c.json(reply);
    }
    return eventStream(c, deps.closing, (send, end) => {
      const aborted = new AbortController();
      deps.broker.request(name, request, {
        timeoutMs,
        signal: aborted.signal,
        onMessage: (m) => send("message", m),
      }).then(
        () => send("end", { status: "complete" }),
        (error: Error) => {
          if (!aborted.signal.aborted) send("problem", toProblem(error).problem);
        },
      ).finally(end);
      return { [Symbol.dispose]: () => aborted.abort() };
    });
  });
  return app;
}

export function jobRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  app.post("/", async (c) => {
    const body = await readObject(c);
    if (typeof body.agent !== "string") {
      throw new ProblemError(
        problem(400, "bad_request", "A job needs an agent", 'Send {"agent":"echo","content":…}'),
      );
    }
    const timeoutMs = body.timeoutMs ?? 300_000;
    // Past the longest timer a timeout would fire at once (found by fuzzing, issue 13).
    if (
      !Number.isInteger(timeoutMs) || (timeoutMs as number) < 1 ||
      (timeoutMs as number) > MAX_TIMER_MS
    ) {
      throw new ProblemError(
        problem(
          400,
          "bad_request",
          `timeoutMs must be an integer from 1 to ${MAX_TIMER_MS} (about 24.8 days)`,
          "Correct timeoutMs",
        ),
      );
    }
    _refuseUnknown(deps, body.agent);
    const { agent, timeoutMs: _t, ...rest } = body;
    // The job's request continues the caller's trace, as a synchronous request does.
    const job = deps.jobs.submit(agent, withCallerTrace(c, _request(rest)), timeoutMs as number);
    return c.json(_publicJob(job), 202, { location: `/api/v1/jobs/${job.id}` });
  });
  app.get("/:id", (c) => c.json(_publicJob(deps.jobs.get(c.req.param("id")))));
  return app;
}

function _publicJob(job: ReturnType<ApiDeps["jobs"]["get"]>) {
  return {
    id: job.id,
    agent: job.agent,
    status: job.status,
    result: job.result,
    error: job.error,
    createdAt: new Date(job.createdAt).toISOString(),
    updatedAt: new Date(job.updatedAt).toISOString(),
  };
}

const _FIELDS = ["content", "language", "encoding", "ontology", "protocol", "conversationId"];

/** The parts of a request a client may set; receiver and sender are the platform's. */
function _request(body: Record<string, unknown>): _Request {
  const request: _Request = {};
  if (body.performative !== undefined) {
    if (!(PERFORMATIVES as readonly unknown[]).includes(body.performative)) {
      throw new ProblemError(
        problem(
          400,
          "invalid_message",
          `Cannot send performative ${JSON.stringify(body.performative)}`,
          `Use one of the FIPA performatives, e.g. "request" (the default) or "query-ref"`,
        ),
      );
    }
    request.performative = body.performative as Performative;
  }
  for (const key of Object.keys(body)) {
    if (key === "performative") continue;
    if (!_FIELDS.includes(key)) {
      throw new ProblemError(
        problem(
          400,
          "invalid_message",
          `Cannot set "${key}" on a request`,
          `Set only performative, ${
            _FIELDS.join(", ")
          }; the platform sets sender, receiver and replyWith`,
        ),
      );
    }
    if (key !== "content" && typeof body[key] !== "string") {
      throw new ProblemError(
        problem(400, "invalid_message", `"${key}" must be a string`, `Correct "${key}"`),
      );
    }
    (request as Record<string, unknown>)[key] = body[key];
  }
  return request;
}

/** Throws AgentNotFoundError unless `name` is an agent here or (clustered) on another node. */
function _refuseUnknown(deps: ApiDeps, name: string): void {
  if (!deps.cluster?.endpointFor(name)) deps.agents.get(name);
}
