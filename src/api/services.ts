/**
 * Agents as services: `POST /api/v1/agents/{name}/request` (synchronous reply,
 * or every message of the conversation over SSE) and `/api/v1/jobs`
 * (asynchronous, persisted, result by id).
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AclMessage } from "../acl/mod.ts";
import { jsonBody, withCallerTrace } from "./body.ts";
import {
  idParams,
  intQuery,
  jsonResponse,
  nameParams,
  problemResponse,
  routes,
} from "./route_parts.ts";
import { AclMessageSchema, JobBodySchema, JobSchema, RequestBodySchema } from "./schemas.ts";
import { eventStream } from "./sse.ts";
import { toProblem } from "./problem_mapping.ts";
import { validationProblem } from "./validation_problem.ts";
import type { ApiDeps } from "./deps.ts";

/** What a client may set on a request; the platform sets sender and receiver. */
type _Request = Partial<Omit<AclMessage, "sender" | "receiver">>;

const _MAX_TIMEOUT_MS = 300_000;

/**
 * A bad field of the message a client sends is an invalid message, as for any
 * message (a bad query parameter stays `bad_query`). A route's own hook
 * replaces the app's, so it must answer every target.
 */
const _messageProblem = validationProblem(() => "invalid_message");

/** The job's own fields are bad requests; the message's, invalid messages. */
const _jobProblem = validationProblem((field) =>
  field === "" || field === "agent" || field === "timeoutMs" ? "bad_request" : "invalid_message"
);

const _request = createRoute({
  method: "post",
  path: "/{name}/request",
  operationId: "requestAgent",
  tags: ["services"],
  summary: "Send a request and wait for the reply",
  middleware: [jsonBody({ optional: true })] as const,
  request: {
    params: nameParams,
    query: z.object({ timeout: intQuery(1, _MAX_TIMEOUT_MS, 30_000, "Milliseconds") }),
    body: { required: false, content: { "application/json": { schema: RequestBodySchema } } },
  },
  responses: {
    200: {
      description:
        "The reply (application/json), or with Accept: text/event-stream every message of the conversation then `end`",
      content: {
        "application/json": { schema: AclMessageSchema },
        "text/event-stream": { schema: z.string() },
      },
    },
    413: problemResponse("Over the agent's maxMessageBytes"),
    429: problemResponse("The agent's mailbox is full; see Retry-After"),
    503: problemResponse("The agent is not running; see Retry-After"),
    504: problemResponse("No reply within the timeout"),
  },
});

const _submit = createRoute({
  method: "post",
  path: "/",
  operationId: "submitJob",
  tags: ["services"],
  summary: "Submit an asynchronous request",
  middleware: [jsonBody()] as const,
  request: {
    body: { required: true, content: { "application/json": { schema: JobBodySchema } } },
  },
  responses: { 202: jsonResponse("Submitted; poll Location", JobSchema) },
});

const _job = createRoute({
  method: "get",
  path: "/{id}",
  operationId: "getJob",
  tags: ["services"],
  summary: "A job and, once complete, its result",
  request: { params: idParams.extend({ id: z.string().openapi({ format: "uuid" }) }) },
  responses: { 200: jsonResponse("The job", JobSchema) },
});

export function requestRoutes(deps: ApiDeps): OpenAPIHono {
  const app = routes();
  app.openapi(_request, async (c) => {
    const name = c.req.param("name");
    const timeoutMs = c.req.valid("query").timeout;
    const request = withCallerTrace<_Request>(c, c.req.valid("json"));
    // Refuse an unknown agent before any stream opens.
    _refuseUnknown(deps, name);
    if (!(c.req.header("accept") ?? "").includes("text/event-stream")) {
      const reply = await deps.broker.request(name, request, { timeoutMs });
      return c.json(reply, 200);
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
  }, _messageProblem);
  return app;
}

export function jobRoutes(deps: ApiDeps): OpenAPIHono {
  const app = routes();
  app.openapi(_submit, (c) => {
    const { agent, timeoutMs = 300_000, ...request } = c.req.valid("json");
    _refuseUnknown(deps, agent);
    const job = deps.jobs.submit(agent, withCallerTrace<_Request>(c, request), timeoutMs);
    return c.json(_publicJob(job), 202, { location: `/api/v1/jobs/${job.id}` });
  }, _jobProblem);
  app.openapi(_job, (c) => c.json(_publicJob(deps.jobs.get(c.req.param("id"))), 200));
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

/** Throws AgentNotFoundError unless `name` is an agent here or (clustered) on another node. */
function _refuseUnknown(deps: ApiDeps, name: string): void {
  if (!deps.cluster?.endpointFor(name)) deps.agents.get(name);
}
