import assert from "node:assert/strict";
import { createApp, openApiDocument } from "../../src/api/mod.ts";
import type { ApiDeps } from "../../src/api/mod.ts";
import { startApiNode } from "../_support/api_node.ts";
import { call } from "../_support/http.ts";

const METHODS = ["get", "put", "post", "delete", "patch"];

/** `/a/:b/c` → `/a/{b}/c`; a parameter's pattern (`:key{.+}`) is dropped. */
function openApiPath(path: string): string {
  return path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
}

Deno.test("the OpenAPI document lists exactly the routes the app serves", () => {
  // Routes are registered at construction; no part of the node is touched.
  const app = createApp({ closing: new AbortController().signal } as unknown as ApiDeps);
  const served = new Set(
    app.routes
      .filter((r) => METHODS.includes(r.method.toLowerCase()))
      .map((r) => `${r.method.toUpperCase()} ${openApiPath(r.path)}`),
  );
  const doc = openApiDocument("test") as { paths: Record<string, Record<string, unknown>> };
  const documented = new Set(
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).filter((k) => METHODS.includes(k)).map((m) => `${m.toUpperCase()} ${path}`)
    ),
  );
  assert.deepEqual(
    [...served].filter((r) => !documented.has(r)),
    [],
    "served but not documented",
  );
  assert.deepEqual(
    [...documented].filter((r) => !served.has(r)),
    [],
    "documented but not served",
  );
  assert.ok(served.size >= 25, `expected the whole API, found ${served.size} routes`);
});

Deno.test("every documented operation has an id, a summary and a problem response", () => {
  const doc = openApiDocument("test") as {
    openapi: string;
    paths: Record<
      string,
      Record<
        string,
        {
          operationId?: string;
          summary?: string;
          responses: Record<string, { content?: Record<string, unknown> }>;
        }
      >
    >;
  };
  assert.equal(doc.openapi, "3.1.0");
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      assert.ok(
        op.operationId && !ids.has(op.operationId),
        `${method} ${path}: unique operationId`,
      );
      ids.add(op.operationId);
      assert.ok(op.summary, `${method} ${path}: summary`);
      assert.ok(op.responses["400"]?.content?.["application/problem+json"], `${method} ${path}`);
    }
  }
});

Deno.test("the server serves its document at /api/v1/openapi.json", async () => {
  await using n = await startApiNode();
  const res = await call(`${n.api}/openapi.json`);
  assert.equal(res.status, 200);
  assert.equal(res.body.openapi, "3.1.0");
  assert.equal(res.body.info.version, "0.1.0");
});
