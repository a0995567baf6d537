/**
 * The input and output schemas of Caxton's MCP tools, as an LLM reads them
 * in `tools/list`: every property described, content given a real schema,
 * and an output schema that each tool's `structuredContent` validates against.
 */
import { z } from "zod";
import { PERFORMATIVES } from "../acl/mod.ts";

const _receiver = z.string().describe(
  'The agent\'s name (see list_agents), or "tool:<server>/<tool>" for an MCP tool the node connects to',
);
const _content = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.unknown()),
  z.record(z.string(), z.unknown()),
]).describe(
  "The message's content, any JSON value: what the receiver expects is shown by list_agents (each capability's description and example); a tool takes its arguments as a JSON object",
);
const _conversationId = z.string().describe(
  "Threads messages into one conversation; omit to start a new one (the result gives the id to read or continue it)",
);

/** A FIPA ACL message as Caxton carries it (JSON encoding). */
export const aclMessageSchema = z.looseObject({
  performative: z.enum(PERFORMATIVES),
  sender: z.string().optional(),
  receiver: z.array(z.string()),
  content: z.unknown().optional(),
  conversationId: z.string().optional(),
  inReplyTo: z.string().optional(),
  protocol: z.string().optional(),
}).describe("A FIPA ACL message");

/** A capability with what its agent said it expects. */
const _capability = z.object({
  name: z.string(),
  description: z.string().optional(),
  example: z.unknown().optional().describe("content the agent expects, as an example"),
});

/** An agent as list_agents and the caxton://agents/{name} resource show it. */
export const agentSummarySchema = z.object({
  name: z.string(),
  state: z.string(),
  version: z.number().int(),
  capabilities: z.array(_capability),
  tools: z.array(z.string()).describe("MCP tools the agent may call"),
  mailboxDepth: z.number().int(),
});

/** Agents one list_agents call shows at most, and by default. */
export const MAX_AGENTS_PAGE = 500;
export const DEFAULT_AGENTS_PAGE = 100;

/** Inputs and outputs per tool. */
export const toolSchemas = {
  list_agents: {
    input: {
      after: z.string().optional().describe(
        "The `next` of the previous call, to list the page after it; omit for the first page",
      ),
      limit: z.number().int().min(1).max(MAX_AGENTS_PAGE).optional().describe(
        `Agents per page (default ${DEFAULT_AGENTS_PAGE})`,
      ),
    },
    output: {
      agents: z.array(agentSummarySchema),
      next: z.string().nullable().describe(
        "Give as `after` to list the next page; null on the last page",
      ),
    },
  },
  send_message: {
    input: {
      receiver: _receiver,
      performative: z.enum(PERFORMATIVES).describe(
        "The FIPA communicative act: request to ask for an action, inform to tell, query-ref to ask for a value…",
      ),
      content: _content.optional(),
      conversationId: _conversationId.optional(),
      protocol: z.string().optional().describe(
        "The FIPA interaction protocol the conversation follows, e.g. fipa-request or fipa-contract-net; omit for none",
      ),
    },
    output: {
      conversationId: z.string(),
      delivered: z.number().int().describe("How many receivers the message was delivered to"),
    },
  },
  request: {
    input: {
      receiver: _receiver,
      content: _content.optional(),
      performative: z.enum(PERFORMATIVES).optional().describe(
        "The FIPA communicative act sent (default request)",
      ),
      conversationId: _conversationId.optional(),
      timeoutMs: z.number().int().min(1).optional().describe(
        "How long to wait for the reply, ms (default and cap 30000)",
      ),
    },
    output: {
      conversationId: z.string(),
      reply: aclMessageSchema.describe("The first reply, failures included"),
    },
  },
  read_conversation: {
    input: {
      conversationId: z.string().describe(
        "The conversation to read, as send_message or request returned it",
      ),
    },
    output: {
      conversationId: z.string(),
      deliveries: z.array(z.object({
        id: z.number().int(),
        acceptedAt: z.string().describe("ISO 8601"),
        receiver: z.string(),
        status: z.string().describe("accepted, delivered, handled, failed or dead"),
        reason: z.string().nullable(),
        message: aclMessageSchema,
      })),
    },
  },
} as const;
