import assert from "node:assert/strict";
import { CapabilityIndex, CapabilityRouter, type ProviderStatus } from "../../src/directory/mod.ts";

function _directory() {
  const status = new Map<string, ProviderStatus>([
    ["busy", { state: "running", load: 9 }],
    ["idle-a", { state: "running", load: 0 }],
    ["idle-b", { state: "running", load: 0 }],
    ["down", { state: "failed", load: 0 }],
  ]);
  const index = new CapabilityIndex((agent) => status.get(agent));
  for (const agent of status.keys()) index.set(agent, [{ name: "translate" }]);
  return { status, router: new CapabilityRouter(index) };
}

const _message = (conversationId?: string) => ({
  performative: "request" as const,
  sender: "ext:x",
  receiver: ["cap:translate"],
  ...(conversationId ? { conversationId } : {}),
});

Deno.test("cap: picks the least loaded live provider, equals in turn, never a failed one", () => {
  const { router } = _directory();
  const picks = [1, 2, 3, 4].map(() => router.resolve("cap:translate", _message()));
  assert.deepEqual(picks, [["idle-a"], ["idle-b"], ["idle-a"], ["idle-b"]]);
  assert.deepEqual(
    [...router.resolve("cap:translate/*", _message()) as string[]].sort(),
    ["busy", "idle-a", "idle-b"],
  );
});

Deno.test("a conversation keeps its provider while it lives, even when busier than the rest", () => {
  const { status, router } = _directory();
  const [first] = router.resolve("cap:translate", _message("c1")) as string[];
  status.set(first!, { state: "running", load: 50 });
  assert.deepEqual(router.resolve("cap:translate", _message("c1")), [first]);
  status.set(first!, { state: "stopped", load: 0 });
  const [moved] = router.resolve("cap:translate", _message("c1")) as string[];
  assert.notEqual(moved, first);
  assert.notEqual(moved, "down");
  assert.equal(typeof router.resolve("cap:nobody", _message()), "string");
});
