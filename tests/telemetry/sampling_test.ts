import assert from "node:assert/strict";
import { newTraceId } from "../../src/acl/mod.ts";
import {
  CaxtonMetrics,
  isSampled,
  renderPrometheus,
  sampledAtRatio,
  Telemetry,
  toolCallSpan,
} from "../../src/telemetry/mod.ts";

Deno.test("ratio sampling keeps about the ratio of new traces, all at 1, none at 0, the same answer for the same id", () => {
  const ids = Array.from({ length: 20_000 }, () => newTraceId());
  const kept = ids.filter((id) => sampledAtRatio(id, 0.01)).length;
  assert.ok(kept > 120 && kept < 290, `kept ${kept} of 20000 at 0.01`);
  assert.equal(ids.filter((id) => sampledAtRatio(id, 1)).length, ids.length);
  assert.equal(ids.filter((id) => sampledAtRatio(id, 0)).length, 0);
  for (const id of ids.slice(0, 100)) {
    assert.equal(sampledAtRatio(id, 0.3), sampledAtRatio(id, 0.3));
  }
});

Deno.test("a parent's decision is kept: a sampled parent is continued, an unsampled one left to the usual stamp", () => {
  const telemetry = new Telemetry({ metrics: new CaxtonMetrics(), sampleRatio: 0 });
  const message = { performative: "inform" as const, receiver: ["x"] };
  assert.equal(isSampled("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), true);
  assert.equal(isSampled("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"), false);
  assert.equal(
    telemetry.route(message, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"),
    undefined,
  );
  // No parent at ratio 0: a new trace, marked unsampled so the next hops do not record it either.
  const fresh = telemetry.route(message, undefined)!;
  assert.match(fresh, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  // A traceparent that does not parse is no parent: a new trace, decided by the ratio.
  assert.match(telemetry.route(message, "junk")!, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
});

Deno.test("the tool call hook counts calls by server, tool and outcome", () => {
  const metrics = new CaxtonMetrics();
  toolCallSpan(metrics, null, "fs", "read_file")(null);
  toolCallSpan(metrics, null, "fs", "read_file")(null);
  toolCallSpan(metrics, null, "fs", "read_file")("ENOENT");
  const text = renderPrometheus(metrics);
  assert.match(text, /^caxton_tool_calls_total\{server="fs",tool="read_file",outcome="ok"\} 2$/m);
  assert.match(
    text,
    /^caxton_tool_calls_total\{server="fs",tool="read_file",outcome="error"\} 1$/m,
  );
  // Appended to another exposition: the families it already has are left out.
  const appended = renderPrometheus(metrics, { skip: new Set(["caxton_agents"]) });
  assert.doesNotMatch(appended, /caxton_agents\b/);
  assert.match(appended, /^# TYPE caxton_tool_calls_total counter$/m);
});
