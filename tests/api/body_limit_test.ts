import assert from "node:assert/strict";
import { Hono } from "hono";
import { declaredBodyLimit } from "../../src/api/body_limit.ts";

function app(): Hono {
  const app = new Hono();
  app.use(declaredBodyLimit({ maxSize: 8, onError: (c) => c.text("too big", 413) }));
  app.post("/", async (c) => c.text(`read ${(await c.req.text()).length}`));
  return app;
}

function stream(text: string): ReadableStream<Uint8Array> {
  return new Blob([text]).stream();
}

Deno.test("a body is judged by its Content-Length, or counted when it is chunked", async () => {
  const length = (n: number) => ({ "content-length": String(n) });
  // The header alone decides, the body is not opened to count it (the real server checks it).
  const trusted = await app().request("/", {
    method: "POST",
    headers: length(3),
    body: "123456789",
  });
  assert.equal(await trusted.text(), "read 9");
  const declared = await app().request("/", {
    method: "POST",
    headers: length(9),
    body: "123456789",
  });
  assert.equal(declared.status, 413);
  await declared.body?.cancel();
  const chunkedSmall = await app().request("/", { method: "POST", body: stream("1234") });
  assert.equal(await chunkedSmall.text(), "read 4");
  const chunkedBig = await app().request("/", { method: "POST", body: stream("123456789") });
  assert.equal(chunkedBig.status, 413);
  await chunkedBig.body?.cancel();
});
