/**
 * OpenAPI paths for what the CLI reads through the API: an agent's state, a
 * conversation's timing tree and a backup of the live database.
 */
import { nameParam, ok, op, paging, problemOf, query, ref } from "./openapi_parts.ts";

const _idParam = { name: "id", in: "path", required: true, schema: { type: "string" } };

/** The paths of agent state, conversation traces and backup. */
export const NODE_PATHS: Record<string, unknown> = {
  "/api/v1/agents/{name}/state": {
    parameters: [nameParam],
    get: op("listAgentState", "agents", "An agent's stored state, in key order", {
      "200": ok("A page of state entries", {
        type: "object",
        required: ["agent", "items", "next"],
        properties: {
          agent: { type: "string" },
          items: { type: "array", items: ref("StateEntry") },
          next: {
            type: ["string", "null"],
            description: "The last key of the page when more follow: pass it as `after`",
          },
        },
      }),
    }, {
      parameters: [
        query("prefix", { type: "string" }, "Only keys starting with this"),
        query("after", { type: "string" }, "Keys after this one (paging cursor)"),
        ...paging,
      ],
    }),
  },
  "/api/v1/agents/{name}/state/{key}": {
    parameters: [nameParam, {
      name: "key",
      in: "path",
      required: true,
      description: "The key, percent-encoded (it may contain /)",
      schema: { type: "string" },
    }],
    get: op("getAgentState", "agents", "One key of an agent's stored state", {
      "200": ok("The entry", ref("StateEntry")),
    }),
  },
  "/api/v1/conversations/{id}/trace": {
    parameters: [_idParam],
    get: op("traceConversation", "messages", "A conversation's deliveries as a timing tree", {
      "200": ok("The tree: each delivery under the one it answers or the one that caused it", {
        type: "object",
        required: ["conversationId", "deliveries", "durationMs", "traceIds", "roots"],
        properties: {
          conversationId: { type: "string" },
          deliveries: { type: "integer" },
          startedAt: { type: ["string", "null"], format: "date-time" },
          durationMs: { type: "integer" },
          traceIds: { type: "array", items: { type: "string" } },
          roots: { type: "array", items: ref("TraceNode") },
        },
      }),
    }),
  },
  "/api/v1/backup": {
    get: op("backup", "probes", "A consistent copy of the live database (SQLite file)", {
      "200": {
        description: "The database; restore it with `caxton restore FILE`, the node stopped",
        content: { "application/vnd.sqlite3": { schema: { type: "string", format: "binary" } } },
      },
      "500": problemOf("The copy could not be made"),
    }),
  },
};
