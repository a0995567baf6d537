/**
 * The hand-written OpenAPI paths of the capability directory (and, later,
 * timers), beside the routes declared with `createRoute` in capabilities.ts,
 * until the whole document is generated from the code.
 */
import { ok, op, query } from "./openapi_parts.ts";

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
