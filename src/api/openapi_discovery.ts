/**
 * The hand-written OpenAPI paths of the capability directory and of timers,
 * beside the routes declared with `createRoute` in capabilities.ts and
 * timers.ts, until the whole document is generated from the code.
 */
import { nameParam, ok, op, problemOf, query } from "./openapi_parts.ts";

const _provider = {
  type: "object",
  required: ["agent", "name", "state", "load"],
  properties: {
    agent: { type: "string" },
    name: { type: "string" },
    version: { type: "string" },
    attributes: { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } },
    cost: { type: "number" },
    description: { type: "string" },
    example: {},
    state: { type: "string", description: "The provider's lifecycle state" },
    load: { type: "integer", description: "Messages waiting in its mailbox" },
  },
};

/** The directory's paths. */
export const DISCOVERY_PATHS: Record<string, unknown> = {
  "/api/v1/capabilities": {
    get: op(
      "searchCapabilities",
      "capabilities",
      "Live providers of capabilities, least loaded first",
      {
        "200": ok("The providers found", {
          type: "object",
          required: ["providers"],
          properties: { providers: { type: "array", items: _provider } },
        }),
      },
      {
        parameters: [
          query("name", { type: "string" }, "The capability's name"),
          query("version", { type: "string" }, 'A version range: "1", "^1.2", "~1.2", ">=1 <3"'),
          query("attribute", { type: "array", items: { type: "string" } }, "key=value, repeatable"),
          query("maxCost", { type: "number", minimum: 0 }, "Leave out providers costing more"),
          query("limit", { type: "integer", minimum: 1, maximum: 1000, default: 100 }, "At most"),
        ],
      },
    ),
  },
};

const _timer = {
  type: "object",
  required: ["id", "agent", "dueAt", "everyMs", "payload"],
  properties: {
    id: { type: "integer" },
    agent: { type: "string" },
    dueAt: { type: "string", format: "date-time" },
    everyMs: { type: ["integer", "null"] },
    payload: { type: "string" },
  },
};

/** The timer paths. */
export const TIMER_PATHS: Record<string, unknown> = {
  "/api/v1/agents/{name}/timers": {
    parameters: [nameParam],
    post: op("createTimer", "agents", "Set a one-shot or periodic reminder for an agent", {
      "201": ok("Set", _timer),
      "429": problemOf("The agent has as many pending timers as it may"),
    }, {
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["delayMs"],
              additionalProperties: false,
              properties: {
                delayMs: { type: "integer", minimum: 0 },
                everyMs: { type: "integer", minimum: 10 },
                payload: { type: "string", maxLength: 4096 },
              },
            },
          },
        },
      },
    }),
    get: op("listTimers", "agents", "An agent's pending timers, earliest first", {
      "200": ok("The pending timers", {
        type: "object",
        required: ["timers"],
        properties: { timers: { type: "array", items: _timer } },
      }),
    }),
  },
  "/api/v1/agents/{name}/timers/{id}": {
    parameters: [nameParam, {
      name: "id",
      in: "path",
      required: true,
      schema: { type: "string", pattern: "^[0-9]{1,16}$" },
    }],
    delete: op("cancelTimer", "agents", "Cancel a pending timer", {
      "204": { description: "Cancelled" },
    }),
  },
};
