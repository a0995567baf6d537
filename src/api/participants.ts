/**
 * `/api/v1/participants`: outside participants `ext:<name>`. Register (with
 * an optional webhook), receive by SSE stream or long poll, send as them.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { jsonBody, readAclMessage } from "./body.ts";
import { SEND_REFUSALS, sentResult } from "./messages.ts";
import { problem, ProblemError } from "./problem_details.ts";
import {
  aclMessageBody,
  eventsResponse,
  intQuery,
  jsonResponse,
  nameParams,
  problemResponse,
  routes,
} from "./route_parts.ts";
import {
  AclMessageSchema,
  ParticipantBodySchema,
  ParticipantSchema,
  SendResultSchema,
} from "./schemas.ts";
import { eventStream } from "./sse.ts";
import type { ApiDeps } from "./deps.ts";

const _list = createRoute({
  method: "get",
  path: "/",
  operationId: "listParticipants",
  tags: ["participants"],
  summary: "Outside participants",
  responses: {
    200: jsonResponse("Every participant", z.object({ items: z.array(ParticipantSchema) })),
  },
});

const _register = createRoute({
  method: "put",
  path: "/{name}",
  operationId: "registerParticipant",
  tags: ["participants"],
  summary: "Register ext:<name> (webhook optional)",
  middleware: [jsonBody({ optional: true })] as const,
  request: {
    params: nameParams,
    body: { required: false, content: { "application/json": { schema: ParticipantBodySchema } } },
  },
  responses: {
    200: jsonResponse("Re-registered", ParticipantSchema),
    201: jsonResponse("Registered", ParticipantSchema),
    422: problemResponse(
      "The webhook's host is an internal address the server does not allow (webhook_address_refused)",
    ),
  },
});

const _get = createRoute({
  method: "get",
  path: "/{name}",
  operationId: "getParticipant",
  tags: ["participants"],
  summary: "A participant",
  request: { params: nameParams },
  responses: { 200: jsonResponse("The participant", ParticipantSchema) },
});

const _remove = createRoute({
  method: "delete",
  path: "/{name}",
  operationId: "removeParticipant",
  tags: ["participants"],
  summary: "Unregister a participant",
  request: { params: nameParams },
  responses: { 204: { description: "Removed; queued messages are answered with failure" } },
});

const _send = createRoute({
  method: "post",
  path: "/{name}/messages",
  operationId: "sendAsParticipant",
  tags: ["participants"],
  summary: "Send as this participant",
  request: { params: nameParams, body: aclMessageBody },
  responses: {
    202: jsonResponse("Accepted for delivery", SendResultSchema),
    ...SEND_REFUSALS,
  },
});

const _poll = createRoute({
  method: "get",
  path: "/{name}/messages",
  operationId: "pollParticipant",
  tags: ["participants"],
  summary: "Take queued messages (long poll)",
  request: {
    params: nameParams,
    query: z.object({
      wait: intQuery(0, 60_000, 0, "Wait up to ms"),
      max: intQuery(1, 1000, 100, "At most this many"),
    }),
  },
  responses: {
    200: jsonResponse(
      "Messages, oldest first; empty when the wait ran out",
      z.object({ items: z.array(AclMessageSchema) }),
    ),
  },
});

const _stream = createRoute({
  method: "get",
  path: "/{name}/stream",
  operationId: "streamParticipant",
  tags: ["participants"],
  summary: "Receive as Server-Sent Events",
  request: { params: nameParams },
  responses: { 200: eventsResponse("`message` events, queued messages first") },
});

export function participantRoutes(deps: ApiDeps): OpenAPIHono {
  const app = routes();
  app.openapi(_list, (c) => c.json({ items: deps.participants.list() }, 200));
  app.openapi(_register, async (c) => {
    const name = c.req.param("name");
    const existed = deps.participants.list().some((p) => p.name === name);
    await deps.participants.register(name, c.req.valid("json"));
    return c.json(deps.participants.view(name), existed ? 200 : 201);
  });
  app.openapi(_get, (c) => c.json(deps.participants.view(c.req.param("name")), 200));
  app.openapi(_remove, async (c) => {
    await deps.participants.remove(c.req.param("name"));
    return c.body(null, 204);
  });
  app.openapi(_send, async (c) => {
    const participant = deps.participants.get(c.req.param("name"));
    const { sender, ...message } = await readAclMessage(c, deps.maxReceivers);
    if (sender !== undefined && sender !== participant.name) {
      throw new ProblemError(
        problem(
          400,
          "sender_mismatch",
          `Cannot send as "${sender}" through ${participant.name}`,
          "Leave sender out, or send through that participant's own URL",
        ),
      );
    }
    return c.json(sentResult(participant.send(message)), 202);
  });
  app.openapi(_poll, async (c) => {
    const participant = deps.participants.get(c.req.param("name"));
    const { wait: waitMs, max } = c.req.valid("query");
    const signal = AbortSignal.any([c.req.raw.signal, deps.closing]);
    return c.json({ items: await participant.take({ max, waitMs, signal }) }, 200);
  });
  app.openapi(_stream, (c) => {
    const participant = deps.participants.get(c.req.param("name"));
    return eventStream(
      c,
      deps.closing,
      (send) => participant.subscribe((message) => send("message", message)),
    );
  });
  return app;
}
