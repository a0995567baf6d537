import assert from "node:assert/strict";
import type { AclMessage } from "../../src/acl/mod.ts";
import { parseTraceparent } from "../../src/acl/mod.ts";
import { ATTR, SPAN } from "../../src/telemetry/mod.ts";
import { tempDataDir, until } from "../_support/node.ts";
import { otlpEnv, type ReceivedSpan, runFixture, startOtlpReceiver } from "../_support/otlp.ts";

const FIXTURE = new URL("../fixtures/otel_node.ts", import.meta.url).pathname;
const AGENTS = new URL("../../build/agents/wat", import.meta.url).pathname;
const HTTP_CALLER = "00-11111111111111111111111111111111-1111111111111111-01";
const MESSAGE_CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

interface FixtureOutput {
  deployed: string[];
  request: string;
  verdict: AclMessage;
  untraced: string;
  done: AclMessage;
  logs: string[];
  directDeliveries: number;
}

/** The span's ancestors inside `byId`, nearest first, ending where the chain leaves it. */
function ancestors(span: ReceivedSpan, byId: Map<string, ReceivedSpan>): ReceivedSpan[] {
  const chain: ReceivedSpan[] = [];
  for (let p = byId.get(span.parentSpanId); p; p = byId.get(p.parentSpanId)) chain.push(p);
  return chain;
}

Deno.test("a three-agent Contract Net round arrives at a real OTLP receiver as one trace under its caller, parent by parent", async () => {
  await contractNetTrace({ workers: 2, messageLog: "log" });
});

// One worker: every hop between the agents is a direct delivery (the worker hands the message
// over itself), which must report its route, deliver and handle spans like the main thread's.
for (const messageLog of ["log", "none"] as const) {
  Deno.test(`messageLog ${messageLog}, one worker: every direct hop of the round has its route, deliver and handle spans`, async () => {
    await contractNetTrace({ workers: 1, messageLog });
  });
}

async function contractNetTrace(
  options: { workers: number; messageLog: "log" | "none" },
): Promise<void> {
  await using receiver = startOtlpReceiver();
  using dir = tempDataDir();
  const out = await runFixture<FixtureOutput>(
    FIXTURE,
    [dir.path, AGENTS, HTTP_CALLER, MESSAGE_CALLER, String(options.workers)],
    {
      ...otlpEnv(receiver),
      CAXTON_TRACE_SAMPLE_RATIO: "0",
      CAXTON_MESSAGE_LOG: options.messageLog,
    },
  );
  // The round's six hops between agents (cfp, propose, accept or reject, twice) went directly.
  if (options.workers === 1) assert.ok(out.directDeliveries >= 6, `${out.directDeliveries} direct`);
  const callerTrace = parseTraceparent(MESSAGE_CALLER)!;
  // Spans arrive in export batches, not in the order of the round: wait for the verdict's
  // route span and for every agent's handling (direct deliveries report theirs later).
  const handledBy = () =>
    new Set(
      receiver.spans.filter((s) => s.name === SPAN.handle).map((s) =>
        String(s.attributes[ATTR.agentName])
      ),
    );
  await until(
    () =>
      receiver.spans.some((s) =>
        s.name === SPAN.route && s.attributes[ATTR.receiver]?.toString() === "ext:client"
      ) && ["b1", "b2", "manager"].every((name) => handledBy().has(name)),
    "the verdict's route span and every agent's handling",
  );
  const trace = receiver.spans.filter((s) => s.traceId === callerTrace.traceId);
  const byId = new Map(trace.map((s) => [s.spanId, s]));

  // The request's route span is the caller's child, and its id is the stamp the message carries.
  const first = trace.find((s) =>
    s.name === SPAN.route && s.attributes[ATTR.performative] === "request"
  )!;
  assert.ok(first, "the request was traced although the sample ratio is 0 (parent-based)");
  assert.equal(first.parentSpanId, callerTrace.parentId);
  assert.equal(parseTraceparent(out.request)!.parentId, first.spanId);
  assert.equal(first.attributes[ATTR.conversationId], "cnp-otel");
  assert.equal(first.attributes[ATTR.sender], "ext:client");

  // The MCP tool call hook records its span under the message that asked for the call.
  const tool = trace.find((s) => s.name === `${SPAN.toolCall} fs/read_file`)!;
  assert.equal(tool.parentSpanId, first.spanId);
  assert.equal(tool.attributes[ATTR.toolServer], "fs");

  // Every span of the trace hangs, parent by parent, from the caller's span.
  for (const span of trace) {
    const chain = ancestors(span, byId);
    const top = chain.at(-1) ?? span;
    assert.equal(top.parentSpanId, callerTrace.parentId, `${span.name} reaches the caller`);
  }

  // All three agents handled messages of this trace, with their fuel and outcome.
  const handles = trace.filter((s) => s.name === SPAN.handle);
  assert.deepEqual(
    [...new Set(handles.map((s) => s.attributes[ATTR.agentName]))].sort(),
    ["b1", "b2", "manager"],
  );
  for (const h of handles) {
    assert.ok(Number(h.attributes[ATTR.fuelUsed]) > 0, "fuel used is recorded");
    assert.equal(h.attributes[ATTR.outcome], "handled");
    // handle ← deliver ← route, and the worker's times lie inside the delivery.
    const deliver = byId.get(h.parentSpanId)!;
    assert.equal(deliver.name, SPAN.deliver);
    assert.equal(deliver.attributes[ATTR.destination], h.attributes[ATTR.agentName]);
    assert.equal(byId.get(deliver.parentSpanId)!.name, SPAN.route);
    assert.ok(BigInt(h.startTimeUnixNano) >= BigInt(deliver.startTimeUnixNano));
  }

  // A bidder's cfp was routed while the manager handled the request.
  const cfp = trace.find((s) =>
    s.name === SPAN.route && s.attributes[ATTR.performative] === "cfp"
  )!;
  const cause = byId.get(cfp.parentSpanId)!;
  assert.equal(cause.name, SPAN.handle);
  assert.equal(cause.attributes[ATTR.agentName], "manager");

  // The verdict to the client: route ← handle(manager) ← … ← handle(bidder) ← … ← the request.
  const verdictRoute = trace.find((s) =>
    s.name === SPAN.route && s.attributes[ATTR.receiver]?.toString() === "ext:client"
  )!;
  assert.equal(parseTraceparent(out.verdict.traceparent)!.parentId, verdictRoute.spanId);
  const path = ancestors(verdictRoute, byId).map((s) =>
    s.name === SPAN.handle ? `handle:${s.attributes[ATTR.agentName]}` : s.name
  );
  assert.equal(path[0], "handle:manager");
  assert.ok(path.some((p) => p === "handle:b1" || p === "handle:b2"), path.join(" < "));
  assert.equal(path.at(-1), SPAN.route, "the chain starts at the request's route span");

  // A message with no traceparent at ratio 0: stamped unsampled, and no span recorded.
  assert.equal(parseTraceparent(out.untraced)!.flags, "00");
  const untracedTrace = parseTraceparent(out.untraced)!.traceId;
  assert.equal(parseTraceparent(out.done.traceparent)!.traceId, untracedTrace);
  assert.ok(!receiver.spans.some((s) => s.traceId === untracedTrace));

  // An agent's log line keeps its name and joins the span of the handling that wrote it.
  const line = out.logs.map((l) => JSON.parse(l)).find((l) => l.msg === "count is now 1");
  assert.equal(line["caxton.agent.name"], "counter");
  assert.equal(line.trace_id, "22222222222222222222222222222222");
  await until(() => receiver.spans.some((s) => s.spanId === line.span_id), "the log's span");
  const logged = receiver.spans.find((s) => s.spanId === line.span_id)!;
  assert.equal(logged.name, SPAN.handle);
  assert.equal(logged.attributes[ATTR.agentName], "counter");

  // Metrics travel over OTLP too.
  await until(
    () => receiver.metricNames.has("caxton_messages_routed_total"),
    "the routed-messages metric",
  );
}

Deno.test("an HTTP caller's traceparent is honoured: the API span is in its trace, the answer carries it, the deploy span is its child", async () => {
  await using receiver = startOtlpReceiver();
  using dir = tempDataDir();
  const out = await runFixture<FixtureOutput>(
    FIXTURE,
    [dir.path, AGENTS, HTTP_CALLER, MESSAGE_CALLER],
    { ...otlpEnv(receiver), CAXTON_TRACE_SAMPLE_RATIO: "0" },
  );
  const caller = parseTraceparent(HTTP_CALLER)!;
  await until(
    () =>
      receiver.spans.filter((s) =>
        s.traceId === caller.traceId && s.name === `${SPAN.lifecycle} deploy`
      ).length === 3,
    "three deploy spans",
  );
  const trace = receiver.spans.filter((s) => s.traceId === caller.traceId);
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const api = trace.filter((s) => s.name === "PUT /api/v1/agents/:name");
  assert.equal(api.length, 3);
  for (const [i, answer] of out.deployed.entries()) {
    const context = parseTraceparent(answer)!;
    assert.equal(
      context.traceId,
      caller.traceId,
      "the response's traceparent continues the caller",
    );
    const span = byId.get(context.parentId)!;
    assert.equal(span.name, "PUT /api/v1/agents/:name", `deploy ${i} names its API span`);
    assert.equal(span.attributes[ATTR.httpStatus], 201);
    const top = ancestors(span, byId).at(-1) ?? span;
    assert.equal(top.parentSpanId, caller.parentId);
    const deploy = trace.find((s) =>
      s.name === `${SPAN.lifecycle} deploy` && s.parentSpanId === span.spanId
    );
    assert.ok(deploy, "the lifecycle span is a child of the API request span");
  }
});
