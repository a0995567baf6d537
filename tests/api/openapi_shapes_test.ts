/**
 * The OpenAPI document describes what the server really answers: real
 * responses of a running node are validated (ajv, JSON Schema 2020-12)
 * against the schema the document gives for their operation and status.
 */
// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import { deploy, startApiNode } from "../_support/api_node.ts";
import { call } from "../_support/http.ts";

function validatorFor(doc: any) {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: "doc", components: doc.components });
  return (
    method: string,
    template: string,
    res: { status: number; headers: Headers; body: any },
  ) => {
    const op = doc.paths[template]?.[method.toLowerCase()];
    assert.ok(op, `${method} ${template} is documented`);
    const response = op.responses[String(res.status)];
    assert.ok(response, `${method} ${template} documents status ${res.status}`);
    const type = (res.headers.get("content-type") ?? "").split(";")[0]!;
    if (res.status === 204) return;
    const media = response.content?.[type];
    assert.ok(media, `${method} ${template} ${res.status} documents ${type}`);
    // Rebase #/components refs onto the registered document.
    const schema = JSON.parse(
      JSON.stringify(media.schema).replaceAll('"#/components/', '"doc#/components/'),
    );
    const validate = ajv.compile(schema);
    assert.ok(
      validate(res.body),
      `${method} ${template} ${res.status}: ${JSON.stringify(validate.errors)}`,
    );
  };
}

Deno.test("real responses match the schemas the OpenAPI document gives them", async () => {
  await using n = await startApiNode();
  const doc = (await call(`${n.api}/openapi.json`)).body;
  const check = validatorFor(doc);
  const api = n.api;
  // The check bites: a body that breaks the schema is refused.
  assert.throws(
    () =>
      check("GET", "/api/v1/agents/{name}", {
        status: 200,
        headers: new Headers({ "content-type": "application/json" }),
        body: { name: 1, state: "asleep" },
      }),
    /GET \/api\/v1\/agents\/\{name\} 200: .*required/,
  );
  await deploy(api, "echo", "echo_wat");
  check("GET", "/health", await call(`${n.url}/health`));
  check("GET", "/ready", await call(`${n.url}/ready`));
  check("GET", "/api/v1/agents", await call(`${api}/agents`));
  check("GET", "/api/v1/agents/{name}", await call(`${api}/agents/echo`));
  check("GET", "/api/v1/agents/{name}", await call(`${api}/agents/nobody`));
  check(
    "POST",
    "/api/v1/agents/{name}/stop",
    await call(`${api}/agents/echo/stop`, { method: "POST" }),
  );
  check(
    "POST",
    "/api/v1/agents/{name}/stop",
    await call(`${api}/agents/echo/stop`, { method: "POST" }),
  );
  check(
    "POST",
    "/api/v1/agents/{name}/start",
    await call(`${api}/agents/echo/start`, { method: "POST" }),
  );
  check(
    "PUT",
    "/api/v1/agents/{name}",
    await call(`${api}/agents/x`, {
      method: "PUT",
      headers: { "content-type": "text/plain" },
      body: "x",
    }),
  );
  check(
    "PUT",
    "/api/v1/participants/{name}",
    await call(`${api}/participants/pat`, { method: "PUT", json: { capacity: 10 } }),
  );
  check("GET", "/api/v1/participants", await call(`${api}/participants`));
  check("GET", "/api/v1/participants/{name}", await call(`${api}/participants/pat`));
  const message = {
    performative: "request",
    receiver: ["echo"],
    content: "x",
    conversationId: "shape-1",
    replyWith: "r",
  };
  check(
    "POST",
    "/api/v1/participants/{name}/messages",
    await call(`${api}/participants/pat/messages`, { method: "POST", json: message }),
  );
  check(
    "GET",
    "/api/v1/participants/{name}/messages",
    await call(`${api}/participants/pat/messages?wait=5000`),
  );
  check(
    "POST",
    "/api/v1/messages",
    await call(`${api}/messages`, { method: "POST", json: { ...message, sender: "ext:nobody" } }),
  );
  await n.node.router.flushLog();
  check("GET", "/api/v1/messages", await call(`${api}/messages?conversation=shape-1`));
  check("GET", "/api/v1/conversations/{id}", await call(`${api}/conversations/shape-1`));
  // Issue 19: what the dashboard reads.
  check(
    "GET",
    "/api/v1/conversations/{id}/check",
    await call(`${api}/conversations/shape-1/check`),
  );
  check("GET", "/api/v1/stats", await call(`${api}/stats`));
  check("GET", "/api/v1/agents/{name}/logs", await call(`${api}/agents/echo/logs`));
  check(
    "POST",
    "/api/v1/agents/{name}/request",
    await call(`${api}/agents/echo/request`, { method: "POST", json: { content: "y" } }),
  );
  const job = await call(`${api}/jobs`, { method: "POST", json: { agent: "echo", content: "z" } });
  check("POST", "/api/v1/jobs", job);
  let got = await call(`${api}/jobs/${job.body.id}`);
  while (got.body.status !== "complete") got = await call(`${api}/jobs/${job.body.id}`);
  check("GET", "/api/v1/jobs/{id}", got);
  check("GET", "/api/v1/agents/{name}/history", await call(`${api}/agents/echo/history`));
  check("DELETE", "/api/v1/agents/{name}", await call(`${api}/agents/echo`, { method: "DELETE" }));
});
