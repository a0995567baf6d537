/**
 * Reminders for an agent: `POST /api/v1/agents/{name}/timers` sets a one-shot
 * or periodic timer, `GET` lists the pending ones, `DELETE …/{id}` cancels one
 * (docs/TIMERS.md). Declared with `createRoute`, so the document comes from the code.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { MAX_TIMER_MS, TimerLimitError } from "../timers/mod.ts";
import type { TimerRecord } from "../store/mod.ts";
import type { ApiDeps } from "./deps.ts";
import { problem, problemResponse } from "./problem_details.ts";
import { problemResponse as problemResponseOf } from "./route_parts.ts";

const _Name = z.object({ name: z.string().openapi({ example: "echo" }) });
const _NameId = _Name.extend({ id: z.string().regex(/^\d{1,16}$/) });

const _NewTimer = z.object({
  delayMs: z.number().int().min(0).max(MAX_TIMER_MS).openapi({
    description: "Fire this many ms from now",
  }),
  everyMs: z.number().int().min(10).max(MAX_TIMER_MS).optional().openapi({
    description: "Periodic: fire again every this many ms (missed periods do not pile up)",
  }),
  payload: z.string().max(4096).optional().openapi({
    description: "Text the agent gets back in the timer message's content",
  }),
}).strict();

const _Timer = z.object({
  id: z.number().int(),
  agent: z.string(),
  dueAt: z.string(),
  everyMs: z.number().int().nullable(),
  payload: z.string(),
}).openapi("Timer");

const _problems = {
  400: problemResponseOf("A malformed timer"),
  404: problemResponseOf("No such agent or timer"),
};

const _create = createRoute({
  method: "post",
  path: "/{name}/timers",
  operationId: "createTimer",
  tags: ["agents"],
  summary: "Set a one-shot or periodic reminder for an agent",
  request: {
    params: _Name,
    body: { required: true, content: { "application/json": { schema: _NewTimer } } },
  },
  responses: {
    201: { description: "Set", content: { "application/json": { schema: _Timer } } },
    ..._problems,
    429: problemResponseOf("The agent has as many pending timers as it may"),
  },
});

const _list = createRoute({
  method: "get",
  path: "/{name}/timers",
  operationId: "listTimers",
  tags: ["agents"],
  summary: "An agent's pending timers, earliest first",
  request: { params: _Name },
  responses: {
    200: {
      description: "The pending timers",
      content: { "application/json": { schema: z.object({ timers: z.array(_Timer) }) } },
    },
    ..._problems,
  },
});

const _cancel = createRoute({
  method: "delete",
  path: "/{name}/timers/{id}",
  operationId: "cancelTimer",
  tags: ["agents"],
  summary: "Cancel a pending timer",
  request: { params: _NameId },
  responses: { 204: { description: "Cancelled" }, ..._problems },
});

function _view(agent: string, t: TimerRecord) {
  return {
    id: t.id,
    agent,
    dueAt: new Date(t.dueAt).toISOString(),
    everyMs: t.everyMs,
    payload: t.payload,
  };
}

/** The timer routes, mounted under `/api/v1/agents`. */
export function timerRoutes(deps: ApiDeps): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (result.success) return;
      return problemResponse(
        problem(
          400,
          "invalid_timer",
          `Cannot set the timer: ${
            result.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")
          }`,
          'Send {"delayMs": 5000, "everyMs"?: 60000, "payload"?: "text"}',
        ),
      );
    },
  });
  app.openapi(_create, (c) => {
    const { name } = c.req.valid("param");
    const agent = deps.agents.get(name);
    try {
      const timer = deps.timers!.create(agent.id, name, c.req.valid("json"));
      return c.json(_view(name, timer), 201);
    } catch (error) {
      if (!(error instanceof TimerLimitError)) throw error;
      return problemResponse(
        problem(429, error.code, error.message, "Cancel timers the agent no longer needs"),
      ) as never;
    }
  });
  app.openapi(_list, (c) => {
    const { name } = c.req.valid("param");
    const agent = deps.agents.get(name);
    const timers = deps.store.timers.list(agent.id).map((t) => _view(name, t));
    return c.json({ timers }, 200);
  });
  app.openapi(_cancel, (c) => {
    const { name, id } = c.req.valid("param");
    const agent = deps.agents.get(name);
    if (!deps.timers!.cancel(agent.id, Number(id))) {
      return problemResponse(
        problem(
          404,
          "timer_not_found",
          `Cannot cancel timer ${id} of agent "${name}": it is not pending (fired, cancelled or never set)`,
          `List the agent's timers: GET /api/v1/agents/${name}/timers`,
        ),
      ) as never;
    }
    return c.body(null, 204);
  });
  return app;
}
