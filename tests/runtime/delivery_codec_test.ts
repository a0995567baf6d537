import assert from "node:assert/strict";
import fc from "fast-check";
import {
  packDelivery,
  packOutcomes,
  unpackDeliveries,
  unpackOutcomes,
} from "../../src/runtime/delivery_codec.ts";
import type { Delivery, Outcome } from "../../src/runtime/worker_protocol.ts";

const delivery = fc.record({
  instanceId: fc.nat(),
  seq: fc.nat(),
  message: fc.string({ unit: "binary" }),
  traceparent: fc.option(fc.string({ unit: "binary", minLength: 1 }), { nil: undefined }),
  observe: fc.option(fc.constant(true as const), { nil: undefined }),
  timed: fc.option(fc.constant(true as const), { nil: undefined }),
}, { requiredKeys: ["instanceId", "seq", "message", "traceparent"] });

Deno.test("packed deliveries read back as they were, whatever their text holds", () => {
  fc.assert(fc.property(fc.array(delivery, { maxLength: 20 }), (batch) => {
    let packed = "";
    for (const d of batch) packed = packDelivery(packed, d as Delivery);
    const read: Delivery[] = [];
    unpackDeliveries(packed, (d) => read.push(d));
    // An absent field and one set to undefined read the same.
    const plain = (ds: unknown[]) => JSON.parse(JSON.stringify(ds));
    assert.deepEqual(plain(read), plain(batch));
  }));
});

function outcome(i: number, extra: Partial<Outcome> = {}): Outcome {
  return {
    instanceId: i,
    seq: i * 3,
    failure: null,
    trapped: false,
    sends: [`{"n":${i},"text":"a,b\\n"}`, "x\ny,1"],
    stateChanges: [],
    logs: [],
    capabilities: [],
    fuelUsed: 1_000 + i,
    ...extra,
  };
}

Deno.test("packed outcomes keep their order; those with more than sends cross as objects", () => {
  const outcomes = [
    outcome(1),
    outcome(2, { failure: "trap", trapped: true, sends: [] }),
    outcome(3, { sends: [] }),
    outcome(4, { stateChanges: [{ key: "k", value: null }] }),
    outcome(5, { fuelUsed: 1.5 }),
    outcome(6),
  ];
  const { packed, rest } = packOutcomes(outcomes);
  assert.equal(rest.length, 3); // the failure, the state change, the fractional fuel
  const read = unpackOutcomes(packed, structuredClone(rest));
  assert.deepEqual(read, outcomes);
});
