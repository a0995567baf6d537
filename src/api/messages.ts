/**
 * `/api/v1/messages`: send (JSON or FIPA string) as a registered participant,
 * query the log by conversation, agent or time, and tail deliveries live (SSE).
 * `/api/v1/conversations/{id}`: a conversation's messages in order, and
 * `/api/v1/conversations/{id}/trace` its timing tree.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { LoggedMessage } from "../store/mod.ts";
import { conversationTrace } from "../telemetry/mod.ts";
import { intQuery, readAclMessage, timeQuery } from "./body.ts";
import { problem, ProblemError } from "./problem_details.ts";
import { eventStream } from "./sse.ts";
import type { ApiDeps } from "./deps.ts";

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

export function messageRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  app.post("/", async (c) => {
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
    return c.json(_sent(participant.send(message)), 202);
  });
  app.get("/", (c) => {
    const limit = intQuery(c, "limit", 100, 1, 1000);
    const after = intQuery(c, "after", 0, 0, Number.MAX_SAFE_INTEGER);
    const from = timeQuery(c, "since") ?? 0;
    const to = timeQuery(c, "until") ?? Number.MAX_SAFE_INTEGER;
    const conversation = c.req.query("conversation");
    const agent = c.req.query("agent");
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
    return c.json({ items: page.map(publicDelivery), next });
  });
  app.get("/tail", (c) => _tail(c, deps));
  return app;
}

export function conversationRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  // The timing tree: the store's records, composed by the telemetry builder.
  app.get("/:id/trace", (c) => {
    const id = c.req.param("id");
    return c.json(conversationTrace(id, loggedConversation(deps, id)));
  });
  app.get("/:id", (c) => {
    const id = c.req.param("id");
    const rows = loggedConversation(deps, id);
    const participants = [...new Set(rows.flatMap((r) => [r.message.sender ?? "", r.receiver]))]
      .filter((p) => p !== "");
    return c.json({ id, participants, messages: rows.map(publicDelivery) });
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

function _sent(result: { delivered: number; refused: { sender?: string; content?: unknown }[] }) {
  return {
    delivered: result.delivered,
    refused: result.refused.map((f) => ({ receiver: f.sender, ...(f.content as object) })),
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
