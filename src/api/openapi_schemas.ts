/** The reusable schemas of the OpenAPI document: agents, messages, participants, jobs, problems. */

import { PERFORMATIVES } from "../acl/mod.ts";

type _Schema = Record<string, unknown>;

const _ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const _PERFORMATIVES = [...PERFORMATIVES];

/** The component schemas of the OpenAPI document (JSON Schema 2020-12). */
export const SCHEMAS: Record<string, _Schema> = {
  Problem: {
    type: "object",
    required: ["type", "title", "status", "detail", "remedy"],
    properties: {
      type: { type: "string", format: "uri" },
      title: { type: "string" },
      status: { type: "integer" },
      detail: { type: "string" },
      remedy: { type: "string", description: "What to do next" },
    },
  },
  AgentState: {
    enum: ["unloaded", "loaded", "running", "draining", "stopped", "failed"],
  },
  Agent: {
    type: "object",
    required: ["name", "state", "version", "limits", "counters"],
    properties: {
      name: { type: "string" },
      state: _ref("AgentState"),
      version: { type: "integer" },
      moduleHash: { type: "string" },
      isolation: { enum: ["shared", "dedicated"] },
      limits: { type: "object", additionalProperties: { type: "number" } },
      capabilities: { type: "array", items: { type: "string" } },
      capabilityDetails: {
        type: "array",
        description: "The capabilities with the description and content example declared for them",
        items: {
          type: "object",
          required: ["name"],
          properties: { name: { type: "string" }, description: { type: "string" }, example: {} },
        },
      },
      tools: {
        type: "array",
        items: { type: "string" },
        description: "MCP tools the agent may call: server/tool or server/* (docs/MCP.md)",
      },
      toolLimits: {
        type: "object",
        properties: {
          maxConcurrentCalls: { type: "integer" },
          callTimeoutMs: { type: "integer" },
        },
      },
      keepAlive: {
        type: "boolean",
        description: "Kept instantiated while running, never passivated when idle (issue 21)",
      },
      failure: { type: ["string", "null"] },
      createdAt: { type: "string" },
      updatedAt: { type: "string" },
      mailboxDepth: { type: "integer" },
      worker: {
        type: ["integer", "null"],
        description:
          "The worker hosting its instance; null while passivated (activated by its next message)",
      },
      counters: {
        type: "object",
        properties: {
          handled: { type: "integer" },
          failed: { type: "integer" },
          traps: { type: "integer" },
          fuelUsed: { type: "number" },
          sent: { type: "integer" },
        },
      },
    },
  },
  Tool: {
    type: "object",
    required: ["address", "server", "name", "counters"],
    properties: {
      address: { type: "string", description: "tool:<server>/<tool>" },
      server: { type: "string" },
      name: { type: "string" },
      description: { type: "string" },
      inputSchema: { type: "object" },
      counters: {
        type: "object",
        properties: {
          calls: { type: "integer" },
          ok: { type: "integer" },
          errors: { type: "integer" },
          timeouts: { type: "integer" },
          refused: { type: "integer" },
          failed: { type: "integer" },
          totalMs: { type: "number" },
        },
      },
    },
  },
  ToolServer: {
    type: "object",
    required: ["name", "transport", "status"],
    properties: {
      name: { type: "string" },
      transport: { enum: ["stdio", "http"] },
      status: { enum: ["connecting", "connected", "restarting", "closed"] },
      restarts: { type: "integer" },
      lastError: { type: ["string", "null"] },
      pid: { type: ["integer", "null"] },
      tools: { type: "integer" },
    },
  },
  AclMessage: {
    type: "object",
    required: ["performative", "receiver"],
    properties: {
      performative: { enum: _PERFORMATIVES },
      sender: { type: "string" },
      receiver: { type: "array", items: { type: "string" }, minItems: 1 },
      replyTo: { type: "array", items: { type: "string" } },
      content: {},
      language: { type: "string" },
      encoding: { type: "string" },
      ontology: { type: "string" },
      protocol: { type: "string" },
      conversationId: { type: "string" },
      replyWith: { type: "string" },
      inReplyTo: { type: "string" },
      replyBy: { type: "string" },
    },
  },
  RequestBody: {
    type: "object",
    properties: {
      performative: { enum: _PERFORMATIVES, default: "request" },
      content: {},
      language: { type: "string" },
      encoding: { type: "string" },
      ontology: { type: "string" },
      protocol: { type: "string" },
      conversationId: { type: "string" },
    },
  },
  SendResult: {
    type: "object",
    properties: {
      delivered: { type: "integer" },
      refused: { type: "array", items: { type: "object" } },
    },
  },
  Delivery: {
    type: "object",
    properties: {
      id: { type: "integer" },
      acceptedAt: { type: "string", format: "date-time" },
      receiver: { type: "string" },
      status: { enum: ["accepted", "delivered", "handled", "failed", "dead"] },
      reason: { type: ["string", "null"] },
      message: _ref("AclMessage"),
    },
  },
  Participant: {
    type: "object",
    properties: {
      name: { type: "string" },
      address: { type: "string" },
      delivery: { enum: ["webhook", "stream", "poll"] },
      webhook: { type: ["string", "null"] },
      queued: { type: "integer" },
      received: { type: "integer" },
      sent: { type: "integer" },
    },
  },
  Job: {
    type: "object",
    properties: {
      id: { type: "string", format: "uuid" },
      agent: { type: "string" },
      status: { enum: ["submitted", "running", "complete", "failed"] },
      result: { oneOf: [_ref("AclMessage"), { type: "null" }] },
      error: { type: ["string", "null"] },
      createdAt: { type: "string", format: "date-time" },
      updatedAt: { type: "string", format: "date-time" },
    },
  },
  StateEntry: {
    type: "object",
    required: ["key", "value", "encoding", "bytes"],
    properties: {
      key: { type: "string" },
      value: {
        type: "string",
        description: "UTF-8 text, or base64 when the bytes are not text (see encoding)",
      },
      encoding: { enum: ["utf8", "base64"] },
      bytes: { type: "integer", description: "Size of the stored value" },
    },
  },
  TraceNode: {
    type: "object",
    required: ["id", "receiver", "message", "status", "offsetMs", "tookMs", "link", "children"],
    properties: {
      id: { type: "integer", description: "Log position" },
      receiver: { type: "string" },
      message: _ref("AclMessage"),
      status: { type: "string" },
      reason: { type: ["string", "null"] },
      traceId: { type: ["string", "null"] },
      acceptedAt: { type: "string", format: "date-time" },
      offsetMs: { type: "integer", description: "Since the conversation's first message" },
      tookMs: { type: "integer", description: "From acceptance to the outcome" },
      link: { enum: ["root", "in-reply-to", "cause"] },
      children: { type: "array", items: _ref("TraceNode") },
    },
  },
  Health: {
    type: "object",
    properties: { status: { const: "ok" }, version: { type: "string" } },
  },
  Readiness: {
    type: "object",
    properties: {
      status: { enum: ["ready", "degraded", "not_ready"] },
      checks: { type: "object" },
      pool: { type: "object" },
      saturated: {
        type: "array",
        description:
          "Workers whose pending deliveries stayed above saturationBacklog for saturationMs (status degraded)",
        items: {
          type: "object",
          properties: {
            worker: { type: "integer" },
            backlog: { type: "integer" },
            forMs: { type: "integer" },
          },
        },
      },
      agents: { type: "object" },
    },
  },
  // Cluster (docs/CLUSTER.md).
  ClusterStatus: {
    type: "object",
    required: ["self", "connected", "nodes"],
    properties: {
      self: { type: "string", description: "This node's id" },
      connected: { type: "boolean", description: "Whether NATS is reachable now" },
      nodes: {
        type: "array",
        items: {
          type: "object",
          required: ["id", "name", "state", "agents", "load", "lastHeartbeat"],
          properties: {
            id: { type: "string" },
            name: { type: "string" },
            api: { type: ["string", "null"] },
            state: { enum: ["joined", "suspect", "gone"] },
            self: { type: "boolean" },
            agents: { type: "integer", description: "Agents deployed on the node" },
            registeredAgents: { type: "integer", description: "Names the registry holds for it" },
            load: { type: "integer", description: "Messages waiting in its mailboxes" },
            startedAt: { type: "string", format: "date-time" },
            lastHeartbeat: { type: "string", format: "date-time" },
            heartbeatAgeMs: { type: "integer" },
          },
        },
      },
    },
  },
};
