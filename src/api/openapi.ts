/**
 * The OpenAPI 3.1 document of the HTTP API, served at `/api/v1/openapi.json`.
 * tests/api/openapi_test.ts checks that it lists exactly the app's routes;
 * CI lints it with Redocly.
 */

import { SCHEMAS } from "./openapi_schemas.ts";

import {
  aclBody,
  jsonContent,
  nameParam,
  ok,
  op,
  paging,
  problemOf,
  query,
  ref,
  sse,
} from "./openapi_parts.ts";
import { NODE_PATHS } from "./openapi_node.ts";

/** Builds the document for server version `version`. */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "Caxton API",
      version,
      description:
        "Agents, messages, outside participants and agents as services. Every error is application/problem+json (RFC 9457) with type, detail and remedy.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: [{ url: "http://127.0.0.1:8080", description: "A local `caxton serve`" }],
    security: [{}, { bearer: [] }],
    tags: [
      { name: "probes", description: "Liveness, readiness, metrics" },
      { name: "agents", description: "Deploy and run WebAssembly agents" },
      { name: "messages", description: "FIPA ACL messages and conversations" },
      { name: "participants", description: "Outside participants ext:<name>" },
      { name: "services", description: "Agents as services: request/reply and jobs" },
      {
        name: "tools",
        description:
          "MCP tools at tool:<server>/<tool> (docs/MCP.md); Caxton's own MCP server is at /mcp (JSON-RPC, not REST)",
      },
    ],
    paths: {
      "/health": {
        get: op("health", "probes", "Liveness", {
          "200": ok("The process answers", ref("Health")),
        }),
      },
      "/ready": {
        get: op("ready", "probes", "Readiness: store open, agents restored, workers up", {
          "200": ok("Ready (or degraded)", ref("Readiness")),
          "503": ok("Not ready", ref("Readiness")),
        }),
      },
      "/metrics": {
        get: op("metrics", "probes", "Prometheus metrics", {
          "200": {
            description: "Text exposition format 0.0.4",
            content: { "text/plain": { schema: { type: "string" } } },
          },
        }),
      },
      "/api/v1/openapi.json": {
        get: op("openApi", "probes", "This document", {
          "200": ok("OpenAPI 3.1", { type: "object" }),
        }),
      },
      "/api/v1/agents": {
        get: op("listAgents", "agents", "List agents, filtered and paged by name", {
          "200": ok("A page of agents", {
            type: "object",
            required: ["items", "next"],
            properties: {
              items: { type: "array", items: ref("Agent") },
              next: { type: ["string", "null"], description: "Pass as `after` for the next page" },
            },
          }),
        }, {
          parameters: [
            query("state", ref("AgentState"), "Only agents in this state"),
            query("prefix", { type: "string" }, "Only names starting with this"),
            query("capability", { type: "string" }, "Only agents with this capability"),
            query("after", { type: "string" }, "Names after this one (paging cursor)"),
            ...paging,
          ],
        }),
      },
      "/api/v1/agents/{name}": {
        parameters: [nameParam],
        get: op("getAgent", "agents", "An agent: state, version, limits, counters", {
          "200": ok("The agent", ref("Agent")),
        }),
        put: op("deployAgent", "agents", "Deploy a module: new agent, new version or hot reload", {
          "200": ok("A new version of an existing agent", ref("Agent")),
          "201": ok("A new agent", ref("Agent")),
          "413": problemOf("Module over maxRequestBytes"),
          "415": problemOf("Neither application/wasm nor multipart/form-data"),
          "422": problemOf("The module was refused (invalid_module) or failed to start"),
        }, {
          description:
            "A raw upload (application/wasm) takes limits as query parameters `limits.<name>=<number>` (e.g. `limits.maxMessageBytes=65536`) and tool limits as `toolLimits.<name>=<number>`; a multipart upload takes them as the JSON parts `limits` and `toolLimits`.",
          parameters: [
            query("isolation", { enum: ["shared", "dedicated"] }, "Raw upload: isolation"),
            query("capabilities", { type: "string" }, "Raw upload: comma-separated"),
            query(
              "tools",
              { type: "string" },
              "Raw upload: MCP tools the agent may call, comma-separated server/tool or server/*",
            ),
            query("start", { type: "boolean", default: true }, "Start once loaded"),
          ],
          requestBody: {
            required: true,
            content: {
              "application/wasm": { schema: { type: "string", format: "binary" } },
              "multipart/form-data": {
                schema: {
                  type: "object",
                  required: ["module"],
                  properties: {
                    module: { type: "string", format: "binary" },
                    limits: { type: "string", description: "JSON object of AgentLimits" },
                    isolation: { enum: ["shared", "dedicated"] },
                    capabilities: { type: "string", description: "JSON array or a,b,c" },
                    tools: { type: "string", description: "MCP tool grants: JSON array or a,b,c" },
                    toolLimits: {
                      type: "string",
                      description: "JSON object: maxConcurrentCalls, callTimeoutMs",
                    },
                    start: { type: "string", enum: ["true", "false"] },
                  },
                },
              },
            },
          },
        }),
        delete: op("removeAgent", "agents", "Remove an agent, its versions and state", {
          "204": { description: "Removed" },
        }),
      },
      "/api/v1/agents/{name}/history": {
        parameters: [nameParam],
        get: op("agentHistory", "agents", "Lifecycle transitions and runtime events", {
          "200": ok("History, oldest first", {
            type: "object",
            properties: {
              transitions: { type: "array", items: { type: "object" } },
              events: { type: "array", items: { type: "object" } },
            },
          }),
        }),
      },
      ...Object.fromEntries(
        (["start", "stop", "reload"] as const).map((verb) => [
          `/api/v1/agents/{name}/${verb}`,
          {
            parameters: [nameParam],
            post: op(
              `${verb}Agent`,
              "agents",
              `${verb[0]!.toUpperCase()}${verb.slice(1)} an agent`,
              {
                "200": ok("The agent afterwards", ref("Agent")),
                "409": problemOf("Not possible from the agent's state"),
              },
            ),
          },
        ]),
      ),
      "/api/v1/agents/{name}/request": {
        parameters: [nameParam],
        post: op("requestAgent", "services", "Send a request and wait for the reply", {
          "200": {
            description:
              "The reply (application/json), or with Accept: text/event-stream every message of the conversation then `end`",
            content: {
              "application/json": { schema: ref("AclMessage") },
              "text/event-stream": { schema: { type: "string" } },
            },
          },
          "413": problemOf("Over the agent's maxMessageBytes"),
          "429": problemOf("The agent's mailbox is full; see Retry-After"),
          "503": problemOf("The agent is not running; see Retry-After"),
          "504": problemOf("No reply within the timeout"),
        }, {
          parameters: [
            query("timeout", { type: "integer", minimum: 1, maximum: 300000 }, "Milliseconds"),
          ],
          requestBody: { required: false, content: jsonContent(ref("RequestBody")) },
        }),
      },
      "/api/v1/messages": {
        post: op("sendMessage", "messages", "Send a message as a registered participant", {
          "202": ok("Accepted for delivery", ref("SendResult")),
          "413": problemOf("Too large"),
          "415": problemOf("Not JSON or a FIPA string"),
          "429": problemOf("A mailbox is full; see Retry-After"),
          "503": problemOf("The receiver is not running; see Retry-After"),
        }, { requestBody: aclBody }),
        get: op("queryMessages", "messages", "Logged deliveries by conversation, agent, time", {
          "200": ok("A page of deliveries in log order", {
            type: "object",
            required: ["items", "next"],
            properties: {
              items: { type: "array", items: ref("Delivery") },
              next: { type: ["integer", "null"], description: "Pass as `after`" },
            },
          }),
        }, {
          parameters: [
            query("conversation", { type: "string" }, "conversationId"),
            query("agent", { type: "string" }, "Sent or received by this name"),
            query("since", { type: "string" }, "From (epoch ms or ISO 8601), inclusive"),
            query("until", { type: "string" }, "To (epoch ms or ISO 8601), exclusive"),
            query("after", { type: "integer", minimum: 0 }, "Log position cursor"),
            ...paging,
          ],
        }),
      },
      "/api/v1/messages/tail": {
        get: op("tailMessages", "messages", "Live deliveries as Server-Sent Events", {
          "200": sse("`message` events, one per delivery"),
        }, {
          parameters: [
            query("agent", { type: "string" }, "Sent or received by this name"),
            query("conversation", { type: "string" }, "conversationId"),
            query("performative", { type: "string" }, "Only this performative"),
          ],
        }),
      },
      "/api/v1/conversations/{id}": {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        get: op("getConversation", "messages", "A conversation's messages in order", {
          "200": ok("The conversation", {
            type: "object",
            properties: {
              id: { type: "string" },
              participants: { type: "array", items: { type: "string" } },
              messages: { type: "array", items: ref("Delivery") },
            },
          }),
        }),
      },
      "/api/v1/tools": {
        get: op("listTools", "tools", "MCP tools agents may call, with call counters", {
          "200": ok("Every tool of every configured MCP server, and the servers' state", {
            type: "object",
            properties: {
              items: { type: "array", items: ref("Tool") },
              servers: { type: "array", items: ref("ToolServer") },
              inFlight: { type: "integer" },
            },
          }),
        }),
      },
      "/api/v1/participants": {
        get: op("listParticipants", "participants", "Outside participants", {
          "200": ok("Every participant", {
            type: "object",
            properties: { items: { type: "array", items: ref("Participant") } },
          }),
        }),
      },
      "/api/v1/participants/{name}": {
        parameters: [nameParam],
        put: op("registerParticipant", "participants", "Register ext:<name> (webhook optional)", {
          "200": ok("Re-registered", ref("Participant")),
          "201": ok("Registered", ref("Participant")),
        }, {
          requestBody: {
            required: false,
            content: jsonContent({
              type: "object",
              properties: {
                capacity: { type: "integer", minimum: 1 },
                webhook: {
                  type: "object",
                  required: ["url"],
                  properties: {
                    url: { type: "string", format: "uri" },
                    maxAttempts: { type: "integer", minimum: 1 },
                    backoffMs: { type: "integer", minimum: 1 },
                    timeoutMs: { type: "integer", minimum: 1 },
                  },
                },
              },
            }),
          },
        }),
        get: op("getParticipant", "participants", "A participant", {
          "200": ok("The participant", ref("Participant")),
        }),
        delete: op("removeParticipant", "participants", "Unregister a participant", {
          "204": { description: "Removed; queued messages are answered with failure" },
        }),
      },
      "/api/v1/participants/{name}/messages": {
        parameters: [nameParam],
        post: op("sendAsParticipant", "participants", "Send as this participant", {
          "202": ok("Accepted for delivery", ref("SendResult")),
          "429": problemOf("A mailbox is full; see Retry-After"),
          "503": problemOf("The receiver is not running; see Retry-After"),
        }, { requestBody: aclBody }),
        get: op("pollParticipant", "participants", "Take queued messages (long poll)", {
          "200": ok("Messages, oldest first; empty when the wait ran out", {
            type: "object",
            properties: { items: { type: "array", items: ref("AclMessage") } },
          }),
        }, {
          parameters: [
            query("wait", { type: "integer", minimum: 0, maximum: 60000 }, "Wait up to ms"),
            query("max", { type: "integer", minimum: 1, maximum: 1000 }, "At most this many"),
          ],
        }),
      },
      "/api/v1/participants/{name}/stream": {
        parameters: [nameParam],
        get: op("streamParticipant", "participants", "Receive as Server-Sent Events", {
          "200": sse("`message` events, queued messages first"),
        }),
      },
      "/api/v1/jobs": {
        post: op("submitJob", "services", "Submit an asynchronous request", {
          "202": ok("Submitted; poll Location", ref("Job")),
        }, {
          requestBody: {
            required: true,
            content: jsonContent({
              allOf: [ref("RequestBody"), {
                type: "object",
                required: ["agent"],
                properties: {
                  agent: { type: "string" },
                  timeoutMs: { type: "integer", minimum: 1 },
                },
              }],
            }),
          },
        }),
      },
      // Issue 14: agent state, conversation traces, backup.
      ...NODE_PATHS,
      "/api/v1/jobs/{id}": {
        parameters: [{
          name: "id",
          in: "path",
          required: true,
          schema: { type: "string", format: "uuid" },
        }],
        get: op("getJob", "services", "A job and, once complete, its result", {
          "200": ok("The job", ref("Job")),
        }),
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "When the server sets apiToken" },
      },
      schemas: SCHEMAS,
    },
  };
}
