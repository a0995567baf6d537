/**
 * The OpenAPI 3.1 document of the HTTP API, served at `/api/v1/openapi.json`.
 * tests/api/openapi_test.ts checks that it lists exactly the app's routes;
 * CI lints it with Redocly.
 */

import { SCHEMAS } from "./openapi_schemas.ts";

// The helpers live in openapi_parts.ts, shared with the path groups beside this file.
import {
  aclBody as _aclBody,
  jsonContent as _json,
  nameParam as _nameParam,
  ok as _ok,
  op as _op,
  paging as _paging,
  problemOf as _problem,
  query as _query,
  ref as _ref,
  sse as _sse,
} from "./openapi_parts.ts";
import { NODE_PATHS } from "./openapi_node.ts";
import { withScalePaths } from "./openapi_scale.ts";

/** Builds the document for server version `version`. */
export function openApiDocument(version: string): Record<string, unknown> {
  return withScalePaths({
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
      { name: "cluster", description: "Cluster membership over NATS (docs/CLUSTER.md)" },
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
        get: _op("health", "probes", "Liveness", {
          "200": _ok("The process answers", _ref("Health")),
        }),
      },
      "/ready": {
        get: _op("ready", "probes", "Readiness: store open, agents restored, workers up", {
          "200": _ok("Ready (or degraded)", _ref("Readiness")),
          "503": _ok("Not ready", _ref("Readiness")),
        }),
      },
      "/metrics": {
        get: _op("metrics", "probes", "Prometheus metrics", {
          "200": {
            description: "Text exposition format 0.0.4",
            content: { "text/plain": { schema: { type: "string" } } },
          },
        }),
      },
      "/api/v1/openapi.json": {
        get: _op("openApi", "probes", "This document", {
          "200": _ok("OpenAPI 3.1", { type: "object" }),
        }),
      },
      "/api/v1/agents": {
        get: _op("listAgents", "agents", "List agents, filtered and paged by name", {
          "200": _ok("A page of agents", {
            type: "object",
            required: ["items", "next"],
            properties: {
              items: { type: "array", items: _ref("Agent") },
              next: { type: ["string", "null"], description: "Pass as `after` for the next page" },
            },
          }),
        }, {
          parameters: [
            _query("state", _ref("AgentState"), "Only agents in this state"),
            _query("prefix", { type: "string" }, "Only names starting with this"),
            _query("capability", { type: "string" }, "Only agents with this capability"),
            _query("after", { type: "string" }, "Names after this one (paging cursor)"),
            ..._paging,
          ],
        }),
      },
      "/api/v1/agents/{name}": {
        parameters: [_nameParam],
        get: _op("getAgent", "agents", "An agent: state, version, limits, counters", {
          "200": _ok("The agent", _ref("Agent")),
        }),
        put: _op("deployAgent", "agents", "Deploy a module: new agent, new version or hot reload", {
          "200": _ok("A new version of an existing agent", _ref("Agent")),
          "201": _ok("A new agent", _ref("Agent")),
          "413": _problem("Module over maxRequestBytes"),
          "415": _problem("Neither application/wasm nor multipart/form-data"),
          "422": _problem("The module was refused (invalid_module) or failed to start"),
        }, {
          description:
            "A raw upload (application/wasm) takes limits as query parameters `limits.<name>=<number>` (e.g. `limits.maxMessageBytes=65536`) and tool limits as `toolLimits.<name>=<number>`; a multipart upload takes them as the JSON parts `limits` and `toolLimits`.",
          parameters: [
            _query("isolation", { enum: ["shared", "dedicated"] }, "Raw upload: isolation"),
            _query("capabilities", { type: "string" }, "Raw upload: comma-separated"),
            _query(
              "tools",
              { type: "string" },
              "Raw upload: MCP tools the agent may call, comma-separated server/tool or server/*",
            ),
            _query("start", { type: "boolean", default: true }, "Start once loaded"),
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
                    capabilities: {
                      type: "string",
                      description:
                        'JSON array of names or {"name","description","example"} objects (what the agent expects, shown by the MCP server), or a,b,c',
                    },
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
        delete: _op("removeAgent", "agents", "Remove an agent, its versions and state", {
          "204": { description: "Removed" },
        }),
      },
      "/api/v1/agents/{name}/history": {
        parameters: [_nameParam],
        get: _op("agentHistory", "agents", "Lifecycle transitions and runtime events", {
          "200": _ok("History, oldest first", {
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
            parameters: [_nameParam],
            post: _op(
              `${verb}Agent`,
              "agents",
              `${verb[0]!.toUpperCase()}${verb.slice(1)} an agent`,
              {
                "200": _ok("The agent afterwards", _ref("Agent")),
                "409": _problem("Not possible from the agent's state"),
              },
            ),
          },
        ]),
      ),
      "/api/v1/agents/{name}/request": {
        parameters: [_nameParam],
        post: _op("requestAgent", "services", "Send a request and wait for the reply", {
          "200": {
            description:
              "The reply (application/json), or with Accept: text/event-stream every message of the conversation then `end`",
            content: {
              "application/json": { schema: _ref("AclMessage") },
              "text/event-stream": { schema: { type: "string" } },
            },
          },
          "413": _problem("Over the agent's maxMessageBytes"),
          "429": _problem("The agent's mailbox is full; see Retry-After"),
          "503": _problem("The agent is not running; see Retry-After"),
          "504": _problem("No reply within the timeout"),
        }, {
          parameters: [
            _query("timeout", { type: "integer", minimum: 1, maximum: 300000 }, "Milliseconds"),
          ],
          requestBody: { required: false, content: _json(_ref("RequestBody")) },
        }),
      },
      "/api/v1/messages": {
        post: _op("sendMessage", "messages", "Send a message as a registered participant", {
          "202": _ok("Accepted for delivery", _ref("SendResult")),
          "413": _problem("Too large, or more distinct receivers than maxReceivers"),
          "415": _problem("Not JSON or a FIPA string"),
          "429": _problem("A mailbox is full; see Retry-After"),
          "503": _problem("The receiver is not running; see Retry-After"),
        }, { requestBody: _aclBody }),
        get: _op("queryMessages", "messages", "Logged deliveries by conversation, agent, time", {
          "200": _ok("A page of deliveries in log order", {
            type: "object",
            required: ["items", "next"],
            properties: {
              items: { type: "array", items: _ref("Delivery") },
              next: { type: ["integer", "null"], description: "Pass as `after`" },
            },
          }),
        }, {
          parameters: [
            _query("conversation", { type: "string" }, "conversationId"),
            _query("agent", { type: "string" }, "Sent or received by this name"),
            _query("since", { type: "string" }, "From (epoch ms or ISO 8601), inclusive"),
            _query("until", { type: "string" }, "To (epoch ms or ISO 8601), exclusive"),
            _query("after", { type: "integer", minimum: 0 }, "Log position cursor"),
            ..._paging,
          ],
        }),
      },
      "/api/v1/messages/tail": {
        get: _op("tailMessages", "messages", "Live deliveries as Server-Sent Events", {
          "200": _sse("`message` events, one per delivery"),
        }, {
          parameters: [
            _query("agent", { type: "string" }, "Sent or received by this name"),
            _query("conversation", { type: "string" }, "conversationId"),
            _query("performative", { type: "string" }, "Only this performative"),
          ],
        }),
      },
      "/api/v1/conversations/{id}": {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        get: _op("getConversation", "messages", "A conversation's messages in order", {
          "200": _ok("The conversation", {
            type: "object",
            properties: {
              id: { type: "string" },
              participants: { type: "array", items: { type: "string" } },
              messages: { type: "array", items: _ref("Delivery") },
            },
          }),
        }),
      },
      "/api/v1/tools": {
        get: _op("listTools", "tools", "MCP tools agents may call, with call counters", {
          "200": _ok("Every tool of every configured MCP server, and the servers' state", {
            type: "object",
            properties: {
              items: { type: "array", items: _ref("Tool") },
              servers: { type: "array", items: _ref("ToolServer") },
              inFlight: { type: "integer" },
            },
          }),
        }),
      },
      // Cluster (docs/CLUSTER.md).
      "/api/v1/cluster": {
        get: _op("clusterStatus", "cluster", "Members of the cluster as this node sees them", {
          "200": _ok("This node and its peers", _ref("ClusterStatus")),
        }),
      },
      "/api/v1/participants": {
        get: _op("listParticipants", "participants", "Outside participants", {
          "200": _ok("Every participant", {
            type: "object",
            properties: { items: { type: "array", items: _ref("Participant") } },
          }),
        }),
      },
      "/api/v1/participants/{name}": {
        parameters: [_nameParam],
        put: _op("registerParticipant", "participants", "Register ext:<name> (webhook optional)", {
          "200": _ok("Re-registered", _ref("Participant")),
          "201": _ok("Registered", _ref("Participant")),
          "422": _problem(
            "The webhook's host is an internal address the server does not allow (webhook_address_refused)",
          ),
        }, {
          requestBody: {
            required: false,
            content: _json({
              type: "object",
              properties: {
                capacity: { type: "integer", minimum: 1 },
                webhook: {
                  type: "object",
                  required: ["url"],
                  properties: {
                    url: { type: "string", format: "uri" },
                    maxAttempts: { type: "integer", minimum: 1, maximum: 100 },
                    backoffMs: { type: "integer", minimum: 1, maximum: 3_600_000 },
                    timeoutMs: { type: "integer", minimum: 1, maximum: 3_600_000 },
                  },
                },
              },
            }),
          },
        }),
        get: _op("getParticipant", "participants", "A participant", {
          "200": _ok("The participant", _ref("Participant")),
        }),
        delete: _op("removeParticipant", "participants", "Unregister a participant", {
          "204": { description: "Removed; queued messages are answered with failure" },
        }),
      },
      "/api/v1/participants/{name}/messages": {
        parameters: [_nameParam],
        post: _op("sendAsParticipant", "participants", "Send as this participant", {
          "202": _ok("Accepted for delivery", _ref("SendResult")),
          "413": _problem("Too large, or more distinct receivers than maxReceivers"),
          "429": _problem("A mailbox is full; see Retry-After"),
          "503": _problem("The receiver is not running; see Retry-After"),
        }, { requestBody: _aclBody }),
        get: _op("pollParticipant", "participants", "Take queued messages (long poll)", {
          "200": _ok("Messages, oldest first; empty when the wait ran out", {
            type: "object",
            properties: { items: { type: "array", items: _ref("AclMessage") } },
          }),
        }, {
          parameters: [
            _query("wait", { type: "integer", minimum: 0, maximum: 60000 }, "Wait up to ms"),
            _query("max", { type: "integer", minimum: 1, maximum: 1000 }, "At most this many"),
          ],
        }),
      },
      "/api/v1/participants/{name}/stream": {
        parameters: [_nameParam],
        get: _op("streamParticipant", "participants", "Receive as Server-Sent Events", {
          "200": _sse("`message` events, queued messages first"),
        }),
      },
      "/api/v1/jobs": {
        post: _op("submitJob", "services", "Submit an asynchronous request", {
          "202": _ok("Submitted; poll Location", _ref("Job")),
        }, {
          requestBody: {
            required: true,
            content: _json({
              allOf: [_ref("RequestBody"), {
                type: "object",
                required: ["agent"],
                properties: {
                  agent: { type: "string" },
                  timeoutMs: { type: "integer", minimum: 1, maximum: 2_147_483_647 },
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
        get: _op("getJob", "services", "A job and, once complete, its result", {
          "200": _ok("The job", _ref("Job")),
        }),
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "When the server sets apiToken" },
      },
      schemas: SCHEMAS,
    },
  });
}
