/**
 * The tools of Caxton's MCP server, described for a model: a title, a
 * description for every input, annotations (what only reads, what may make
 * agents act), and an output schema that the `structuredContent` of each
 * result validates against. Tools that route messages tell the client what
 * they did through `notifications/message`, at the level it set.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { LoggingLevel } from "@modelcontextprotocol/sdk/types.js";
import { type AclMessage, toAclMessage } from "../acl/mod.ts";
import { type CaxtonMcpDeps, MCP_PARTICIPANT } from "./caxton_deps.ts";
import { DEFAULT_AGENTS_PAGE, toolSchemas } from "./caxton_schemas.ts";
import type { ReplyWaiter } from "./reply_waiter.ts";

/** What the tools work with. */
export interface CaxtonToolContext {
  deps: CaxtonMcpDeps;
  waiter: ReplyWaiter;
  /** Told of every conversation a tool starts or continues (the resources list them). */
  touched: (conversationId: string) => void;
  /** The HTTP caller's trace (the API request span's traceparent): messages continue it. */
  traceparent?: string;
}

type _Result = {
  content: { type: "text"; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
};

type _Extra = { sessionId?: string };

function _json(value: Record<string, unknown>): _Result {
  return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
}

function _error(text: string): _Result {
  return { content: [{ type: "text", text }], isError: true };
}

/** One conversation's deliveries as read_conversation and the conversation resource show them. */
export async function readConversation(
  deps: CaxtonMcpDeps,
  conversationId: string,
): Promise<Record<string, unknown>> {
  await deps.router.flushLog();
  const deliveries = deps.conversation(conversationId).map((d) => ({
    id: d.id,
    acceptedAt: new Date(d.acceptedAt).toISOString(),
    receiver: d.receiver,
    status: d.status,
    reason: d.reason,
    message: d.message,
  }));
  return { conversationId, deliveries };
}

/** Registers list_agents, send_message, request and read_conversation on `server`. */
export function registerCaxtonTools(server: McpServer, context: CaxtonToolContext): void {
  const { deps, waiter } = context;
  // The SDK drops a message below the level the client set (logging/setLevel) for its session.
  const notify = (extra: _Extra, level: LoggingLevel, data: string) =>
    server.server.sendLoggingMessage({ level, logger: "caxton", data }, extra.sessionId)
      .catch(() => {/* the client left: nobody to tell */});

  server.registerTool(
    "list_agents",
    {
      title: "List agents",
      description:
        "List the agents on this Caxton node a page at a time, in name order: name, state, version, the MCP tools each may call, and its capabilities — each with a description and an example of the content the agent expects, when it gave them. Read this before sending an agent a message; call again with `after` set to `next` for the next page.",
      inputSchema: toolSchemas.list_agents.input,
      outputSchema: toolSchemas.list_agents.output,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    (args: { after?: string; limit?: number }) =>
      _json(deps.listAgents({ after: args.after, limit: args.limit ?? DEFAULT_AGENTS_PAGE })),
  );

  server.registerTool("send_message", {
    title: "Send a message",
    description:
      `Send a FIPA ACL message as "${MCP_PARTICIPANT}" without waiting; replies go to the conversation's log (read_conversation). The receiving agent may act on it.`,
    inputSchema: toolSchemas.send_message.input,
    outputSchema: toolSchemas.send_message.output,
    annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
  }, async (args: Record<string, unknown>, extra: _Extra) => {
    const conversationId = (args.conversationId as string | undefined) ?? crypto.randomUUID();
    const message = _parse({ ...args, conversationId, sender: MCP_PARTICIPANT }, context);
    if (typeof message === "string") return _error(message);
    const delivered = deps.router.route(message);
    context.touched(conversationId);
    await notify(
      extra,
      "debug",
      `sent ${message.performative} to "${args.receiver}" in conversation ${conversationId}`,
    );
    return _json({ conversationId, delivered });
  });

  server.registerTool("request", {
    title: "Ask an agent and wait for the reply",
    description:
      "Send a message (a FIPA request by default) to an agent or a tool and wait for its first reply, which is returned — a failure or refuse included. The receiving agent may act on it.",
    inputSchema: toolSchemas.request.input,
    outputSchema: toolSchemas.request.output,
    annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
  }, async (args: Record<string, unknown>, extra: _Extra) => {
    if (waiter.closed) return _error("Caxton is shutting down");
    const cap = deps.maxWaitMs ?? 30_000;
    const waitMs = Math.min((args.timeoutMs as number | undefined) ?? cap, cap);
    const conversationId = (args.conversationId as string | undefined) ?? crypto.randomUUID();
    const receiver = String(args.receiver);
    const message = _parse({
      receiver: args.receiver,
      performative: args.performative ?? "request",
      content: args.content,
      sender: MCP_PARTICIPANT,
      conversationId,
    }, context);
    if (typeof message === "string") return _error(message);
    context.touched(conversationId);
    await notify(
      extra,
      "debug",
      `sent ${message.performative} to "${receiver}" in conversation ${conversationId}`,
    );
    const reply = await waiter.ask(message, waitMs);
    if (!reply) {
      const text =
        `No reply from "${receiver}" within ${waitMs} ms; read_conversation ${conversationId} shows what happened`;
      await notify(extra, "warning", text);
      return _error(text);
    }
    const answered = `"${receiver}" answered ${reply.performative}`;
    const bad = ["failure", "refuse", "not-understood"].includes(reply.performative);
    await notify(extra, bad ? "warning" : "info", answered);
    return _json({ conversationId, reply: reply as unknown as Record<string, unknown> });
  });

  server.registerTool(
    "read_conversation",
    {
      title: "Read a conversation",
      description:
        "Read a conversation from the message log: every delivery, oldest first, with its status (the log must be on, the default).",
      inputSchema: toolSchemas.read_conversation.input,
      outputSchema: toolSchemas.read_conversation.output,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ conversationId }: { conversationId: string }) =>
      _json(await readConversation(deps, conversationId)),
  );
}

function _parse(
  fields: Record<string, unknown>,
  context: CaxtonToolContext,
): AclMessage | string {
  const { receiver, ...rest } = fields;
  const value: Record<string, unknown> = { receiver: [receiver] };
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) value[k] = v;
  if (context.traceparent !== undefined) value.traceparent ??= context.traceparent;
  try {
    return toAclMessage(value);
  } catch (error) {
    return (error as Error).message;
  }
}
