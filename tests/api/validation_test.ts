/**
 * Input refused by a route's zod schema answers an RFC 9457 problem that
 * names the field, and the document is generated from every mounted
 * `OpenAPIHono` sub-app.
 */
import assert from "node:assert/strict";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { describeApi } from "../../src/api/openapi.ts";
import { routes } from "../../src/api/route_parts.ts";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { assertProblem, call } from "../_support/http.ts";

Deno.test("a refused query parameter names the parameter, the value and what is expected", async () => {
  await using n = await startApiNode();
  const res = await call(`${n.api}/messages?after=-3`);
  assertProblem(res, 400, "bad_query");
  assert.equal(res.body.field, "after");
  assert.match(res.body.detail, /after="-3": expected an integer from 0 to/);
  // A route with its own hook for the body still refuses its query as bad_query (found by fuzzing).
  const timeout = await call(`${n.api}/agents/echo/request?timeout=process`, { method: "POST" });
  assertProblem(timeout, 400, "bad_query");
  assert.equal(timeout.body.field, "timeout");
  const wait = await call(`${n.api}/participants/nobody/messages?wait=soon`);
  assertProblem(wait, 400, "bad_query");
  assert.equal(wait.body.field, "wait");
});

Deno.test("a refused body field is named, with the problem type its route always gave", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "echo", "echo_wat");
  const job = await call(`${n.api}/jobs`, {
    method: "POST",
    json: { agent: "echo", timeoutMs: 0 },
  });
  assertProblem(job, 400, "bad_request");
  assert.equal(job.body.field, "timeoutMs");
  const performative = await call(`${n.api}/jobs`, {
    method: "POST",
    json: { agent: "echo", performative: "shout" },
  });
  assertProblem(performative, 400, "invalid_message");
  assert.equal(performative.body.field, "performative");
  const unknown = await call(`${n.api}/agents/echo/request`, {
    method: "POST",
    json: { replyWith: "mine" },
  });
  assertProblem(unknown, 400, "invalid_message");
  assert.match(unknown.body.detail, /"replyWith"/);
  const capacity = await call(`${n.api}/participants/p`, {
    method: "PUT",
    json: { capacity: "lots" },
  });
  assertProblem(capacity, 400, "bad_request");
  assert.equal(capacity.body.field, "capacity");
  // A body that is not JSON still gets the problem it always did, before any schema.
  assertProblem(
    await call(`${n.api}/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    }),
    400,
    "bad_json",
  );
});

Deno.test("a sub-app declared with createRoute is in the document once mounted", async () => {
  // As another area adds one: its own OpenAPIHono, no hook of its own.
  const area = new OpenAPIHono();
  area.openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      operationId: "getWidget",
      summary: "A widget",
      request: {
        params: z.object({ id: z.string() }),
        query: z.object({ limit: z.coerce.number().int({ error: "an integer" }).optional() }),
      },
      responses: { 200: { description: "The widget" } },
    }),
    (c) => c.body(null, 200),
  );
  const app = routes();
  app.onError((error) => {
    const problem = (error as { problem?: { status: number } }).problem;
    return Response.json(problem, { status: problem?.status ?? 500 });
  });
  app.route("/api/v1/widgets", area);
  const op = describeApi(app, "test").paths?.["/api/v1/widgets/{id}"]?.get;
  assert.equal(op?.operationId, "getWidget");
  // The problems every route may answer are added by the generator.
  assert.ok(op?.responses?.["400"], "400 problem documented");
  // Refused input is the app's problem (its hook), not zod's own error shape.
  const res = await app.request("/api/v1/widgets/w1?limit=x");
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(body.type, "https://caxton.dev/problems/bad_query");
  assert.equal(body.field, "limit");
});
