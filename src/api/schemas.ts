/**
 * The zod schemas of what the API reads and answers. Named ones
 * (`.openapi("Agent")`) become the document's reusable components.
 */
import { z } from "@hono/zod-openapi";
import { PERFORMATIVES } from "../acl/mod.ts";
import { AGENT_STATES } from "../lifecycle/mod.ts";
import { MAX_TIMER_MS } from "./body.ts";

/** A string that may be null. */
const _nullableString = z.string().nullable();

export const ProblemSchema = z.object({
  type: z.string().openapi({ format: "uri" }),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  remedy: z.string().openapi({ description: "What to do next" }),
}).openapi("Problem");

export const AgentStateSchema = z.enum(AGENT_STATES).openapi("AgentState");

const _isolation = z.enum(["shared", "dedicated"]);

export const AgentSchema = z.object({
  name: z.string(),
  state: AgentStateSchema,
  version: z.number().int(),
  moduleHash: z.string().optional(),
  language: z.string().optional().openapi({
    description:
      "Source language of the current version's module: stated at deploy, else detected (wat, c, cpp, rust, assemblyscript, javascript, unknown)",
    example: "rust",
  }),
  isolation: _isolation.optional(),
  limits: z.record(z.string(), z.number()),
  capabilities: z.array(z.string()).optional(),
  capabilityDetails: z.array(z.object({
    name: z.string(),
    description: z.string().optional(),
    example: z.unknown().optional(),
  })).optional().openapi({
    description: "The capabilities with the description and content example declared for them",
  }),
  tools: z.array(z.string()).optional().openapi({
    description: "MCP tools the agent may call: server/tool or server/* (docs/MCP.md)",
  }),
  toolLimits: z.object({
    maxConcurrentCalls: z.number().int().optional(),
    callTimeoutMs: z.number().int().optional(),
  }).optional(),
  failure: _nullableString.optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  mailboxDepth: z.number().int().optional(),
  worker: z.number().int().nullable().optional(),
  instances: z.number().int().optional().openapi({
    description:
      "Pool members sharing the name and mailbox (docs/POOLS.md); 1 is a plain agent. With maxInstances: the least",
  }),
  maxInstances: z.number().int().nullable().optional().openapi({
    description:
      "The most members the node grows the pool to from mailbox depth; null: a fixed size",
  }),
  members: z.array(z.object({
    worker: z.number().int().nullable(),
    handled: z.number().int(),
  })).optional().openapi({ description: "A pooled agent's members: worker and messages handled" }),
  counters: z.object({
    handled: z.number().int(),
    failed: z.number().int(),
    traps: z.number().int(),
    fuelUsed: z.number(),
    sent: z.number().int(),
  }).partial(),
}).openapi("Agent");

/** The fields of a message a client sets in every form it sends one. */
const _contentFields = {
  content: z.unknown().optional(),
  language: z.string().optional(),
  encoding: z.string().optional(),
  ontology: z.string().optional(),
  protocol: z.string().optional(),
  conversationId: z.string().optional(),
};

export const AclMessageSchema = z.object({
  performative: z.enum(PERFORMATIVES),
  sender: z.string().optional(),
  receiver: z.array(z.string()).min(1),
  replyTo: z.array(z.string()).optional(),
  ..._contentFields,
  replyWith: z.string().optional(),
  inReplyTo: z.string().optional(),
  replyBy: z.string().optional(),
}).openapi("AclMessage");

/** What a client may set on a request to an agent; sender, receiver and replyWith are the platform's. */
const _requestFields = {
  performative: z.enum(PERFORMATIVES, { error: "must be a FIPA performative, e.g. request" })
    .optional().openapi({ default: "request" }),
  ..._contentFields,
};

export const RequestBodySchema = z.strictObject(_requestFields).openapi("RequestBody");

/** `POST /api/v1/jobs`: a request and the agent it goes to (one closed object, so no allOf). */
export const JobBodySchema = z.strictObject({
  ..._requestFields,
  agent: z.string({ error: "must name the agent (a string)" }),
  timeoutMs: z.number().int().min(1).max(MAX_TIMER_MS, {
    error: `must be an integer from 1 to ${MAX_TIMER_MS} (about 24.8 days)`,
  }).optional().openapi({ default: 300_000 }),
});

export const SendResultSchema = z.object({
  delivered: z.number().int(),
  refused: z.array(z.looseObject({ receiver: z.string().optional() })),
}).partial().openapi("SendResult");

export const DeliverySchema = z.object({
  id: z.number().int(),
  acceptedAt: z.string().openapi({ format: "date-time" }),
  receiver: z.string(),
  status: z.enum(["accepted", "delivered", "handled", "failed", "dead"]),
  reason: _nullableString,
  message: AclMessageSchema,
}).partial().openapi("Delivery");

export const ParticipantSchema = z.object({
  name: z.string(),
  address: z.string(),
  delivery: z.enum(["webhook", "stream", "poll"]),
  webhook: _nullableString,
  queued: z.number().int(),
  received: z.number().int(),
  sent: z.number().int(),
}).partial().openapi("Participant");

/** An integer from 1 to `max`, with the message a refusal gives. */
const _bounded = (max: number) =>
  z.number().int().min(1).max(max, { error: `must be an integer from 1 to ${max}` });

/** `PUT /api/v1/participants/{name}`. */
export const ParticipantBodySchema = z.object({
  capacity: z.number().int().min(1, { error: "must be a positive integer" }).optional(),
  // A bare URL stands for { url }.
  webhook: z.preprocess(
    (v) => typeof v === "string" ? { url: v } : v,
    z.object({
      url: z.string({ error: "must be a URL (a string)" }).openapi({ format: "uri" }),
      // Bounded, since a delay past the longest timer fires at once (found by fuzzing, issue 13).
      maxAttempts: _bounded(100).optional(),
      backoffMs: _bounded(3_600_000).optional(),
      timeoutMs: _bounded(3_600_000).optional(),
    }, { error: "must be a URL or an object with a url" }),
  ).optional(),
});

export const JobSchema = z.object({
  id: z.string().openapi({ format: "uuid" }),
  agent: z.string(),
  status: z.enum(["submitted", "running", "complete", "failed"]),
  // A union, not .nullable(): the generator would write a nullable $ref as an allOf no null passes.
  result: z.union([AclMessageSchema, z.null()]),
  error: _nullableString,
  createdAt: z.string().openapi({ format: "date-time" }),
  updatedAt: z.string().openapi({ format: "date-time" }),
}).partial().openapi("Job");

export const StateEntrySchema = z.object({
  key: z.string(),
  value: z.string().openapi({
    description: "UTF-8 text, or base64 when the bytes are not text (see encoding)",
  }),
  encoding: z.enum(["utf8", "base64"]),
  bytes: z.number().int().openapi({ description: "Size of the stored value" }),
}).openapi("StateEntry");

const _traceNodeShape = {
  id: z.number().int().openapi({ description: "Log position" }),
  receiver: z.string(),
  message: AclMessageSchema,
  status: z.string(),
  reason: _nullableString,
  traceId: _nullableString,
  acceptedAt: z.string().openapi({ format: "date-time" }),
  offsetMs: z.number().int().openapi({ description: "Since the conversation's first message" }),
  tookMs: z.number().int().openapi({ description: "From acceptance to the outcome" }),
  link: z.enum(["root", "in-reply-to", "cause"]),
};

/** A delivery in a conversation's timing tree, with what it caused under it. */
export type TraceNodeOutput = z.infer<z.ZodObject<typeof _traceNodeShape>> & {
  children: TraceNodeOutput[];
};

export const TraceNodeSchema: z.ZodType<TraceNodeOutput> = z.object({
  ..._traceNodeShape,
  get children() {
    return z.array(TraceNodeSchema);
  },
}).openapi("TraceNode");

export const HealthSchema = z.object({
  status: z.literal("ok"),
  version: z.string(),
}).partial().openapi("Health");

export const ReadinessSchema = z.object({
  status: z.enum(["ready", "degraded", "not_ready"]),
  checks: z.record(z.string(), z.string()),
  pool: z.record(z.string(), z.unknown()),
  saturated: z.array(
    z.object({
      worker: z.number().int(),
      backlog: z.number().int(),
      forMs: z.number().int(),
    }).partial(),
  ).openapi({
    description:
      "Workers whose pending deliveries stayed above saturationBacklog for saturationMs (status degraded)",
  }),
  agents: z.record(z.string(), z.number()),
}).partial().openapi("Readiness");

export const ToolSchema = z.object({
  address: z.string().openapi({ description: "tool:<server>/<tool>" }),
  server: z.string(),
  name: z.string(),
  description: z.string().optional(),
  inputSchema: z.unknown().optional(),
  counters: z.record(z.string(), z.number()),
}).openapi("Tool");

export const ToolServerSchema = z.object({
  name: z.string(),
  transport: z.enum(["stdio", "http"]),
  status: z.enum(["connecting", "connected", "restarting", "closed"]),
  restarts: z.number().int().optional(),
  lastError: _nullableString.optional(),
  pid: z.number().int().nullable().optional(),
  tools: z.number().int().optional(),
}).openapi("ToolServer");

export const ClusterStatusSchema = z.object({
  self: z.string().openapi({ description: "This node's id" }),
  connected: z.boolean().openapi({ description: "Whether NATS is reachable now" }),
  nodes: z.array(z.object({
    id: z.string(),
    name: z.string(),
    api: _nullableString.optional(),
    state: z.enum(["joined", "suspect", "gone"]),
    self: z.boolean().optional(),
    agents: z.number().int().openapi({ description: "Agents deployed on the node" }),
    registeredAgents: z.number().int().optional().openapi({
      description: "Names the registry holds for it",
    }),
    load: z.number().int().openapi({ description: "Messages waiting in its mailboxes" }),
    startedAt: z.string().optional().openapi({ format: "date-time" }),
    lastHeartbeat: z.string().openapi({ format: "date-time" }),
    heartbeatAgeMs: z.number().int().optional(),
  })),
}).openapi("ClusterStatus");

/**
 * The multipart parts of a deploy. The handler reads them one by one (its
 * own problems: `missing_module`, `bad_json`), so the document gets this as
 * JSON Schema rather than a zod schema a form validator would enforce.
 */
export const DEPLOY_FORM = _describedOnly(z.object({
  module: z.file(),
  limits: z.string().optional().meta({ description: "JSON object of AgentLimits" }),
  isolation: _isolation.optional(),
  capabilities: z.string().optional().meta({
    description:
      'JSON array of names or {"name","description","example"} objects (what the agent expects, shown by the MCP server), or a,b,c',
  }),
  tools: z.string().optional().meta({ description: "MCP tool grants: JSON array or a,b,c" }),
  toolLimits: z.string().optional().meta({
    description: "JSON object: maxConcurrentCalls, callTimeoutMs",
  }),
  start: z.enum(["true", "false"]).optional(),
  keepAlive: z.enum(["true", "false"]).optional(),
  instances: z.string().optional().meta({
    description:
      "Run as a pool of N stateless members in different workers, or MIN..MAX sized from mailbox depth (docs/POOLS.md)",
  }),
  language: z.string().optional().meta({
    description: "The module's source language (e.g. rust, zig); absent, it is detected",
  }),
}));

function _describedOnly(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: "input" });
  return json;
}
