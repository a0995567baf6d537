/**
 * `/api/v1/agents/{name}/state`: an agent's persisted key-value state, read
 * only. Values are bytes; they are shown as UTF-8 text when they decode as
 * such (and hold no control characters but tab and line breaks), else as
 * base64, and `encoding` says which.
 */
import { Buffer } from "node:buffer";
import { Hono } from "hono";
import { intQuery } from "./body.ts";
import { problem, ProblemError } from "./problem_details.ts";
import type { ApiDeps } from "./deps.ts";

/** One state entry as the API shows it. */
export interface PublicStateEntry {
  key: string;
  value: string;
  encoding: "utf8" | "base64";
  /** Size of the stored value in bytes. */
  bytes: number;
}

const _utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// Control characters other than tab and line breaks (a NUL in a counter's bytes) are
// not text anyone can read back from JSON: such values go as base64 too.
// deno-lint-ignore no-control-regex
const _CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/** A stored value in its most readable faithful form: UTF-8 text, else base64. */
export function publicStateEntry(key: string, value: Uint8Array): PublicStateEntry {
  try {
    const text = _utf8.decode(value);
    if (_CONTROL.test(text)) throw new TypeError("not text");
    return { key, value: text, encoding: "utf8", bytes: value.length };
  } catch {
    return {
      key,
      value: Buffer.from(value).toString("base64"),
      encoding: "base64",
      bytes: value.length,
    };
  }
}

export function stateRoutes(deps: Pick<ApiDeps, "agents" | "store">): Hono {
  const app = new Hono();
  app.get("/:name/state", (c) => {
    const agent = deps.agents.get(c.req.param("name"));
    const page = deps.store.state.page(agent.id, {
      prefix: c.req.query("prefix") ?? "",
      after: c.req.query("after") ?? "",
      limit: intQuery(c, "limit", 100, 1, 1000),
    });
    return c.json({
      agent: agent.name,
      items: page.items.map((e) => publicStateEntry(e.key, e.value)),
      next: page.next,
    });
  });
  app.get("/:name/state/:key{.+}", (c) => {
    const agent = deps.agents.get(c.req.param("name"));
    const key = c.req.param("key");
    const value = deps.store.state.get(agent.id, key);
    if (value === undefined) {
      throw new ProblemError(
        problem(
          404,
          "state_key_not_found",
          `Cannot find key "${key}" in the state of agent "${agent.name}"`,
          `List its keys with GET /api/v1/agents/${agent.name}/state`,
          { agent: agent.name, key },
        ),
      );
    }
    return c.json(publicStateEntry(key, value));
  });
  return app;
}
