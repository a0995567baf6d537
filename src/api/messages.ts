/**
 * `/api/v1/messages`: send (JSON or FIPA string) as a registered participant,
 * query the log by conversation, agent or time, and tail deliveries live (SSE).
 * `/api/v1/conversations/{id}`: a conversation's messages in order, and
 * `/api/v1/conversations/{id}/trace` its timing tree.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { LoggedMessage } from "../store/mod.ts";
import { conversationTrace } from "../telemetry/mod.ts";
import { readAclMessage } from "./body.ts";
import { problem, ProblemError } from "./problem_details.ts";
import {
  aclMessageBody,
  eventsResponse,
  idParams,
  intQuery,
  jsonResponse,
  paging,
  problemResponse,
  routes,
  textQuery,
  timeQuery,
} from "./route_parts.ts";
import { DeliverySchema, SendResultSchema, TraceNodeSchema } from "./schemas.ts";
import { eventStream } from "./sse.ts";
import type { ApiDeps } from "./deps.ts";

/** Refusals of a send, shared with participants.ts. */
export const SEND_REFUSALS = {
  413: problemResponse("Too large, or more distinct receivers than maxReceivers"),
  429: problemResponse("A mailbox is full; see Retry-After"),
  503: problemResponse("The receiver is not running; see Retry-After"),
};

const _send = createRoute({
  method: "post",
  path: "/",
  operationId: "sendMessage",
  tags: ["messages"],
  summary: "Send a message as a registered participant",
  request: { body: aclMessageBody },
  responses: {
    202: jsonResponse("Accepted for delivery", SendResultSchema),
    ...SEND_REFUSALS,
    415: problemResponse("Not JSON or a FIPA string"),
  },
});

const _query = createRoute({
  method: "get",
  path: "/",
  operationId: "queryMessages",
  tags: ["messages"],
  summary: "Logged deliveries by conversation, agent, time",
  request: {
    query: z.object({
      conversation: textQuery("conversationId"),
      agent: textQuery("Sent or received by this name"),
      since: timeQuery("From (epoch ms or ISO 8601), inclusive"),
      until: timeQuery("To (epoch ms or ISO 8601), exclusive"),
      after: intQuery(0, Number.MAX_SAFE_INTEGER, 0, "Log position cursor"),
      ...paging,
    }),
  },
  responses: {
    200: jsonResponse(
      "A page of deliveries in log order",
      z.object({
        items: z.array(DeliverySchema),
        next: z.number().int().nullable().openapi({ description: "Pass as `after`" }),
      }),
    ),
  },
});

const _tailRoute = createRoute({
  method: "get",
  path: "/tail",
  operationId: "tailMessages",
  tags: ["messages"],
  summary: "Live deliveries as Server-Sent Events",
  request: {
    query: z.object({
      agent: textQuery("Sent or received by this name"),
      conversation: textQuery("conversationId"),
      performative: textQuery("Only this performative"),
    }),
  },
  responses: { 200: eventsResponse("`message` events, one per delivery") },
});

const _trace = createRoute({
  method: "get",
  path: "/{id}/trace",
  operationId: "traceConversation",
  tags: ["messages"],
  summary: "A conversation's deliveries as a timing tree",
  request: { params: idParams },
  responses: {
    200: jsonResponse(
      "The tree: each delivery under the one it answers or the one that caused it",
      z.object({
        conversationId: z.string(),
        deliveries: z.number().int(),
        startedAt: z.string().nullable().openapi({ format: "date-time" }),
        durationMs: z.number().int(),
        traceIds: z.array(z.string()),
        roots: z.array(TraceNodeSchema),
      }),
    ),
  },
});

const _conversation = createRoute({
  method: "get",
  path: "/{id}",
  operationId: "getConversation",
  tags: ["messages"],
  summary: "A conversation's messages in order",
  request: { params: idParams },
  responses: {
    200: jsonResponse(
      "The conversation",
      z.object({
        id: z.string(),
        participants: z.array(z.string()),
        messages: z.array(DeliverySchema),
      }).partial(),
    ),
  },
});

/** A logged delivery as the API shows it. */
function publicDelivery(row: LoggedMessage) {
  return {
    id: row.id,
    acceptedAt: new Date(row.acceptedAt).toISOString(),
    receiver: row.receiver,
    status: row.status,
    reason: row.reason,
    message: row.message,
  };
}

export function messageRoutes(deps: ApiDeps): OpenAPIHono {
  const app = routes();
  app.openapi(_send, async (c) => {
    const message = await readAclMessage(c, deps.maxReceivers);
    if (!message.sender) {
      throw new ProblemError(
        problem(
          400,
          "missing_sender",
          "Cannot send a message without a sender",
          "Register a participant (PUT /api/v1/participants/{name}) and send as it: set sender to ext:<name>, or POST /api/v1/participants/{name}/messages",
        ),
      );
    }
    const participant = deps.participants.get(message.sender);
    return c.json(sentResult(participant.send(message)), 202);
  });
  app.openapi(_query, (c) => {
    const { limit, after, since, until, conversation, agent } = c.req.valid("query");
    const from = since ?? 0;
    const to = until ?? Number.MAX_SAFE_INTEGER;
    const inTime = (r: LoggedMessage) => r.acceptedAt >= from && r.acceptedAt < to;
    let rows: LoggedMessage[];
    if (conversation !== undefined) {
      rows = deps.store.messages.byConversation(conversation)
        .filter((r) => r.id > after && inTime(r) && (agent === undefined || _involves(r, agent)));
    } else if (agent !== undefined) {
      // Walks from the cursor; time bounds filter the page.
      rows = deps.store.messages.byAgent(agent, { since: after, limit: limit + 1 }).filter(inTime);
    } else {
      rows = deps.store.messages.between(from, to, { after, limit: limit + 1 });
    }
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? page.at(-1)!.id : null;
    return c.json({ items: page.map(publicDelivery), next }, 200);
  });
  app.openapi(_tailRoute, (c) => _tail(c, deps));
  return app;
}

export function conversationRoutes(deps: ApiDeps): OpenAPIHono {
  const app = routes();
  // The timing tree: the store's records, composed by the telemetry builder.
  app.openapi(_trace, (c) => {
    const id = c.req.param("id");
    return c.json(conversationTrace(id, loggedConversation(deps, id)), 200);
  });
  app.openapi(_conversation, (c) => {
    const id = c.req.param("id");
    const rows = loggedConversation(deps, id);
    const participants = [...new Set(rows.flatMap((r) => [r.message.sender ?? "", r.receiver]))]
      .filter((p) => p !== "");
    return c.json({ id, participants, messages: rows.map(publicDelivery) }, 200);
  });
  return app;
}

/** A conversation's logged deliveries; a 404 problem when it has none. */
export function loggedConversation(deps: ApiDeps, id: string): LoggedMessage[] {
  const rows = deps.store.messages.byConversation(id);
  if (rows.length === 0) {
    throw new ProblemError(
      problem(
        404,
        "conversation_not_found",
        `Cannot find conversation "${id}": no logged message carries that conversationId`,
        'Check the id; with messageLog "none" nothing is logged',
        { conversationId: id },
      ),
    );
  }
  return rows;
}

/** What a send answers: how many were delivered, and each refusal with its receiver. */
export function sentResult(
  result: { delivered: number; refused: { sender?: string; content?: unknown }[] },
) {
  return {
    delivered: result.delivered,
    refused: result.refused.map((f) => ({
      ...(f.sender === undefined ? {} : { receiver: f.sender }),
      ...(f.content as object),
    })),
  };
}

function _involves(row: LoggedMessage, agent: string): boolean {
  return row.receiver === agent || row.message.sender === agent;
}

function _tail(c: Context, deps: ApiDeps): Response {
  const agent = c.req.query("agent");
  const conversation = c.req.query("conversation");
  const performative = c.req.query("performative");
  const protocol = c.req.query("protocol");
  return eventStream(c, deps.closing, (send) => {
    const stop = deps.router.tap((message, at) => {
      if (
        agent !== undefined && message.sender !== agent && !message.receiver.includes(agent)
      ) return;
      if (conversation !== undefined && message.conversationId !== conversation) return;
      if (performative !== undefined && message.performative !== performative) return;
      if (protocol !== undefined && message.protocol !== protocol) return;
      send("message", {
        acceptedAt: new Date(at).toISOString(),
        receiver: message.receiver.join(", "),
        message,
      });
    });
    return { [Symbol.dispose]: stop };
  });
}
