/**
 * The sandbox stage: the new version in a throwaway instance (with a copy of
 * the agent's state, so the real one is never touched), `caxton_init` run,
 * then test messages replayed — those given with the deployment, checked
 * against their expected replies, and the agent's recent logged requests,
 * which must not fail — with fuel and memory checked against the limits. Its
 * sends go nowhere. The first difference fails the stage, naming the message.
 *
 * Memory: the instance runs a build whose memory cap is twice the agent's
 * limit, so a version that grows past the limit is seen doing it (with
 * traffic, the same `memory.grow` would quietly return -1).
 */
import type { AclMessage } from "../../acl/mod.ts";
import type { AgentLimits, Isolation, Outcome } from "../../runtime/mod.ts";
import type { AgentTable } from "../agent_table.ts";
import type { LiveAgent } from "../live_agent.ts";
import { repliesOf } from "./reply_shape.ts";
import type { RolloutOptions, TestMessage } from "./rollout_options.ts";
import type { StageResult } from "./rollout_report.ts";

/** Who sandbox messages come from when the test does not say. */
const _SANDBOX_SENDER = "ext:caxton-sandbox";
/** How long one sandbox message may take before the stage fails. */
const _MESSAGE_TIMEOUT_MS = 10_000;
/** Bytes in a WebAssembly page. */
const _PAGE = 65_536;
/** The largest memory a module may declare, in pages (4 GiB). */
const _MAX_PAGES = 65_536;

/** Where the sandbox hears its instance's outcomes (the deployments front routes them). */
export interface OutcomeClaims {
  claim(instanceId: number, handler: (outcome: Outcome) => void): void;
  release(instanceId: number): void;
}

/** Runs the sandbox stage; never throws for the module's faults, reports them. */
export async function runSandbox(
  agents: AgentTable,
  live: LiveAgent,
  build: { bytes: Uint8Array; limits: AgentLimits; isolation: Isolation },
  options: RolloutOptions,
  claims: OutcomeClaims,
): Promise<StageResult> {
  const began = performance.now();
  const result = (failure?: StageResult["failure"], messages = 0): StageResult => ({
    stage: "sandbox",
    passed: failure === undefined,
    messages,
    ms: Math.round(performance.now() - began),
    ...(failure ? { failure } : {}),
  });
  const limitPages = build.limits.memoryPages;
  let instanceId: number;
  try {
    const { module } = await agents.builds.forDeploy(build.bytes, {
      ...build.limits,
      memoryPages: Math.min(_MAX_PAGES, 2 * limitPages),
    });
    const loaded = await agents.deps.pool.load({
      agentName: live.record.name,
      module,
      limits: build.limits,
      isolation: build.isolation,
      state: agents.deps.store.state.load(live.record.id),
      watchMemory: true,
    });
    instanceId = loaded.instanceId;
    const grown = _overMemory(loaded.effects.memoryBytes, limitPages);
    if (grown) {
      agents.deps.pool.unload(instanceId);
      return result({ difference: `caxton_init ${grown}` });
    }
  } catch (error) {
    return result({
      difference: `caxton_init or instantiation failed: ${(error as Error).message}`,
    });
  }
  const waiting = new Map<number, (outcome: Outcome) => void>();
  claims.claim(instanceId, (outcome) => waiting.get(outcome.seq)?.(outcome));
  try {
    const cases = [
      ...options.tests.map((test) => ({ message: _testMessage(test), test })),
      ...recentRequests(agents, live.record.name, options.sample).map((message) => ({
        message,
        test: undefined,
      })),
    ];
    const maxFuel = options.maxFuelPerMessage ?? build.limits.fuelPerMessage;
    for (const [index, { message, test }] of cases.entries()) {
      const seq = index + 1;
      const outcome = await new Promise<Outcome | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), _MESSAGE_TIMEOUT_MS);
        waiting.set(seq, (o) => {
          clearTimeout(timer);
          resolve(o);
        });
        agents.deps.pool.deliver(instanceId, JSON.stringify(message), { seq });
      });
      const difference = outcome === undefined
        ? `no outcome within ${_MESSAGE_TIMEOUT_MS} ms`
        : _difference(outcome, test, { maxFuel, limitPages });
      if (difference) return result({ message, difference }, seq);
    }
    return result(undefined, cases.length);
  } finally {
    claims.release(instanceId);
    agents.deps.pool.unload(instanceId);
  }
}

/** Up to `limit` requests the agent received lately (from the message log), oldest first. */
export function recentRequests(agents: AgentTable, name: string, limit: number): AclMessage[] {
  if (limit === 0) return [];
  const log = agents.deps.store.messages;
  const since = Math.max(0, log.lastId() - 2_000);
  return log.byAgent(name, { since, limit: 500 })
    .filter((m) => m.receiver === name && m.status === "handled" && m.message.sender !== name)
    .slice(-limit)
    .map((m) => m.message);
}

function _testMessage(test: TestMessage): AclMessage {
  const message: AclMessage = {
    performative: (test.performative ?? "request") as AclMessage["performative"],
    sender: _SANDBOX_SENDER,
    receiver: ["sandbox"],
    content: test.content,
    replyWith: crypto.randomUUID(),
  };
  if (test.conversationId) message.conversationId = test.conversationId;
  return message;
}

/** What is wrong with an outcome, or undefined when it is what the test expects. */
function _difference(
  outcome: Outcome,
  test: TestMessage | undefined,
  { maxFuel, limitPages }: { maxFuel: number; limitPages: number },
): string | undefined {
  const grown = _overMemory(outcome.memoryBytes, limitPages);
  if (grown) return `handling it ${grown}`;
  if (outcome.failure !== null) {
    return `${outcome.trapped ? "trapped" : "failed"}: ${outcome.failure}`;
  }
  if (outcome.fuelUsed > maxFuel) return `used ${outcome.fuelUsed} fuel, over ${maxFuel}`;
  if (!test) return undefined;
  const reply = repliesOf(outcome)[0] as Record<string, unknown> | undefined;
  if (!reply) return "no reply";
  const performative = reply.performative as string;
  if (
    test.expectPerformative
      ? performative !== test.expectPerformative
      : /^(failure|not-understood)$/.test(performative)
  ) {
    return `replied ${performative}, expected ${test.expectPerformative ?? "a non-failure"}`;
  }
  if (test.expectContent !== undefined) {
    const text = JSON.stringify(reply.content);
    if (!new RegExp(test.expectContent).test(text)) {
      return `replied content ${text}, expected to match /${test.expectContent}/`;
    }
  }
  return undefined;
}

/** "grew memory to N pages, D over …" when `bytes` pass the agent's limit, else undefined. */
function _overMemory(bytes: number | undefined, limitPages: number): string | undefined {
  if (bytes === undefined || bytes <= limitPages * _PAGE) return undefined;
  const pages = bytes / _PAGE;
  return `grew memory to ${pages} pages, ${
    pages - limitPages
  } over the agent's limit of ${limitPages} pages (memoryPages)`;
}
