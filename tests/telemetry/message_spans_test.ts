/**
 * Caxton's own batch of message-path spans (src/telemetry/message_spans.ts),
 * posted to a real HTTP receiver on loopback: OTLP/JSON with the ids the
 * caller named, times in nanoseconds, the operator's headers, and a queue
 * that drops past its bound instead of growing.
 */
import assert from "node:assert/strict";
import { MessageSpanExport, otlpHeaders } from "../../src/telemetry/message_spans.ts";

Deno.test("message spans reach the receiver as OTLP/JSON with their ids, times and headers; past the queue bound they are dropped", async () => {
  const posts: { headers: Headers; body: Record<string, unknown> }[] = [];
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      posts.push({ headers: req.headers, body: await req.json() });
      return Response.json({});
    },
  );
  const exporter = new MessageSpanExport({
    url: `http://127.0.0.1:${server.addr.port}/v1/traces`,
    serviceName: "caxton-test",
    headers: otlpHeaders("authorization=Bearer%20abc, x-team=blue", undefined),
    maxQueueSize: 3,
    scheduledDelayMillis: 60_000,
  });
  const at = 1_764_460_800_123.456789;
  for (let i = 0; i < 5; i++) {
    exporter.record({
      name: "caxton.route",
      kind: 4,
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: `00f067aa0ba902b${i}`,
      parentSpanId: "1111111111111111",
      start: at,
      end: at + 1,
      attributes: { "caxton.acl.receiver": ["b"], "caxton.agent.fuel_used": 7, skipped: undefined },
      error: i === 0 ? "trapped" : undefined,
    });
  }
  assert.equal(exporter.dropped, 2);
  await exporter.shutdown();
  assert.equal(posts.length, 1);
  assert.equal(posts[0]!.headers.get("authorization"), "Bearer abc");
  assert.equal(posts[0]!.headers.get("x-team"), "blue");
  // deno-lint-ignore no-explicit-any
  const resource = (posts[0]!.body.resourceSpans as any[])[0];
  assert.deepEqual(resource.resource.attributes, [
    { key: "service.name", value: { stringValue: "caxton-test" } },
  ]);
  const spans = resource.scopeSpans[0].spans;
  assert.deepEqual(spans.map((s: { spanId: string }) => s.spanId), [
    "00f067aa0ba902b0",
    "00f067aa0ba902b1",
    "00f067aa0ba902b2",
  ]);
  assert.equal(spans[0].startTimeUnixNano, "1764460800123457000");
  assert.equal(spans[0].endTimeUnixNano, "1764460800124457000");
  assert.equal(spans[0].kind, 4);
  assert.deepEqual(spans[0].status, { code: 2, message: "trapped" });
  assert.deepEqual(spans[1].status, {});
  assert.deepEqual(spans[0].attributes, [
    { key: "caxton.acl.receiver", value: { arrayValue: { values: [{ stringValue: "b" }] } } },
    { key: "caxton.agent.fuel_used", value: { intValue: "7" } },
  ]);
});

Deno.test("a slow collector gets one post at a time; the spans wait in the queue and all arrive", async () => {
  let open = 0;
  let most = 0;
  let received = 0;
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      open++;
      most = Math.max(most, open);
      // deno-lint-ignore no-explicit-any
      const body: any = await req.json();
      received += body.resourceSpans[0].scopeSpans[0].spans.length;
      await new Promise((r) => setTimeout(r, 30));
      open--;
      return Response.json({});
    },
  );
  const exporter = new MessageSpanExport({
    url: `http://127.0.0.1:${server.addr.port}/v1/traces`,
    serviceName: "caxton-test",
    maxExportBatchSize: 2,
  });
  for (let i = 0; i < 9; i++) {
    exporter.record({
      name: "caxton.deliver",
      kind: 5,
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: `00f067aa0ba902b${i}`,
      parentSpanId: "1111111111111111",
      start: 1,
      end: 2,
      attributes: {},
    });
  }
  await exporter.shutdown();
  assert.equal(most, 1);
  assert.equal(received, 9);
  assert.equal(exporter.dropped, 0);
});
