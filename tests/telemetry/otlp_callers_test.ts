import assert from "node:assert/strict";
import { parseTraceparent } from "../../src/acl/mod.ts";
import { ATTR, DEFAULT_SERVICE_NAME, SPAN } from "../../src/telemetry/mod.ts";
import { tempDataDir, until } from "../_support/node.ts";
import { otlpEnv, runFixture, startOtlpReceiver } from "../_support/otlp.ts";

const FIXTURE = new URL("../fixtures/otel_callers.ts", import.meta.url).pathname;
const ECHO = new URL("../../build/agents/echo_wat.wasm", import.meta.url).pathname;
const JOB_CALLER = "00-33333333333333333333333333333333-3333333333333333-01";
const MCP_CALLER = "00-44444444444444444444444444444444-4444444444444444-01";

Deno.test("conversations started through POST /api/v1/jobs and /mcp continue their caller's trace; the service is `caxton`; info lines arrive as INFO", async () => {
  await using receiver = startOtlpReceiver();
  using dir = tempDataDir();
  const out = await runFixture<{ job: { status: string }; mcp: { reply: { sender: string } } }>(
    FIXTURE,
    [dir.path, ECHO, JOB_CALLER, MCP_CALLER],
    { ...otlpEnv(receiver), CAXTON_TRACE_SAMPLE_RATIO: "0" },
  );
  assert.equal(out.job.status, "complete");
  assert.equal(out.mcp.reply.sender, "echo");

  // The MCP request tool sends as its own `ext:mcp-…` address, to receive the reply.
  for (const [caller, sender] of [[JOB_CALLER, "ext:_api"], [MCP_CALLER, "ext:mcp"]] as const) {
    const { traceId } = parseTraceparent(caller)!;
    // The request the caller caused is routed in the caller's trace (ratio 0: only a parent samples it).
    await until(
      () => receiver.spans.some((s) => s.traceId === traceId && s.name === SPAN.handle),
      `echo's handling in the trace of ${sender}'s caller`,
    );
    const route = receiver.spans.find((s) =>
      s.traceId === traceId && s.name === SPAN.route &&
      String(s.attributes[ATTR.sender]).startsWith(sender)
    );
    assert.ok(route, `the request ${sender} sent is routed in its caller's trace`);
    const api = receiver.spans.find((s) => s.spanId === route.parentSpanId);
    assert.ok(api, `the route span's parent (the API request span) arrived for ${sender}`);
    assert.equal(api.traceId, traceId);
    assert.equal(api.parentSpanId, parseTraceparent(caller)!.parentId, "under the caller's span");
  }

  assert.ok(receiver.serviceNames.has(DEFAULT_SERVICE_NAME), [...receiver.serviceNames].join());
  assert.deepEqual([...receiver.serviceNames], [DEFAULT_SERVICE_NAME]);
  await until(
    () => receiver.logs.some((l) => l.body === "caxton node started"),
    "the node's start line as a log record",
  );
  const started = receiver.logs.find((l) => l.body === "caxton node started")!;
  assert.equal(started.severityText, "INFO");
  assert.ok(!receiver.logs.some((l) => l.severityText === "ERROR"), "no line arrives as ERROR");
});
