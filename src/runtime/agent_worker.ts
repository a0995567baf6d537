/**
 * Worker entry for agent hosting. Runs with `permissions: "none"`: agent code
 * reaches nothing but the host functions in agent_instance.ts. Deliveries from
 * the main thread and direct deliveries between this worker's own agents go
 * through one run queue, handled in chunks; after each chunk the worker posts
 * one batch of outcomes, counts and notes, then lets control messages in.
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import { AgentInstance, HostCode } from "./agent_instance.ts";
import { DirectRouter, type QueuedDelivery } from "./direct_router.ts";
import type { DirectTally, FromWorker, Outcome, ToWorker } from "./worker_protocol.ts";
import { SendQuota } from "./send_quota.ts";
import { lowerOwnPriority } from "./worker_priority.ts";
import { packOutcomes, unpackDeliveries } from "./delivery_codec.ts";
import { newSpanId } from "../acl/mod.ts";

/** Deliveries handled before the worker posts what they did and looks at its inbox. */
const _CHUNK = 512;

const instances = new Map<number, AgentInstance>();
/** Instances whose outcomes carry their memory size (a deployment's sandbox). */
const memoryWatched = new Set<number>();
/** Receivers whose mailboxes the node reported full. */
const congested = new Set<string>();
const direct = new DirectRouter();
const quota = new SendQuota();
// Every send passes here (sender already set): over its quota, an agent gets -2, as from a full mailbox.
const localRoute = (message: Record<string, unknown>, text: string, cause: string | undefined) =>
  quota.take(message.sender as string) ? direct.offer(message, text, cause) : HostCode.mailboxFull;

let outcomes: Outcome[] = [];
let tallies = new Map<number, DirectTally>();
let draining = false;
let resumeScheduled = false;
// A MessageChannel resumes the run queue on the next task without setTimeout's clamping.
const resume = new MessageChannel();
resume.port1.onmessage = () => {
  resumeScheduled = false;
  drain();
};
/**
 * Busy time after which the run queue resumes through a timer instead. Port
 * messages to itself keep the worker from ever polling its inbox (measured:
 * an echo's delivery from the main thread waited 0.4–0.8 s behind a storm
 * here), so at least this often the worker lets the event loop take its
 * inbox (deliveries, control messages) before going on.
 */
const _YIELD_MS = 4;
/** When the worker last let its inbox in. */
let inboxAt = performance.now();
const resumeAfterInbox = () => {
  inboxAt = performance.now();
  resumeScheduled = false;
  drain();
};

function post(message: FromWorker): void {
  self.postMessage(message);
}

/** This chunk's counts for an instance. */
function tallyOf(instanceId: number): DirectTally {
  let tally = tallies.get(instanceId);
  if (!tally) tallies.set(instanceId, tally = { instanceId, handled: 0, fuelUsed: 0, sent: 0 });
  return tally;
}

function handle(item: QueuedDelivery): void {
  const instance = instances.get(item.instanceId);
  if (!instance) {
    outcomes.push({
      instanceId: item.instanceId,
      seq: item.seq,
      failure: "agent instance is not loaded",
      trapped: false,
      sends: [],
      stateChanges: [],
      logs: [],
      capabilities: [],
      fuelUsed: 0,
      ...(item.seq === 0 ? { message: item.text } : {}),
      ...(item.logRef !== undefined ? { logRef: item.logRef } : {}),
    });
    return;
  }
  const startedAt = item.timed ? performance.timeOrigin + performance.now() : 0;
  // Traced (node tracing): this thread names the handle span, so what the agent sends, directly
  // or not, continues from it; the main thread records it under that id.
  const handleSpanId = item.timed && direct.tracing ? newSpanId() : undefined;
  const cause = handleSpanId === undefined
    ? item.traceparent
    : `00-${item.traceparent!.slice(3, 35)}-${handleSpanId}-01`;
  const result = instance.handle(item.text, cause);
  const effects = result.effects;
  const quiet = result.failure === null && effects.sends.length === 0 &&
    effects.stateChanges.length === 0 && effects.logs.length === 0 &&
    effects.capabilities.length === 0 && effects.timers === undefined;
  if (item.seq === 0 && quiet && !item.timed) {
    // Nothing to report but the count.
    const tally = tallyOf(item.instanceId);
    tally.handled++;
    tally.fuelUsed += effects.fuelUsed;
    tally.sent += instance.sentLocally;
    if (item.logRef !== undefined) direct.done.push(item.instanceId, item.logRef);
    return;
  }
  if (instance.sentLocally > 0) {
    const tally = tallyOf(item.instanceId);
    tally.sent += instance.sentLocally;
  }
  outcomes.push({
    instanceId: item.instanceId,
    seq: item.seq,
    failure: result.failure,
    ...(result.failureCode ? { failureCode: result.failureCode } : {}),
    trapped: result.trapped,
    ...effects,
    ...(item.seq === 0 && (result.failure !== null || item.timed) ? { message: item.text } : {}),
    ...(item.timed ? { startedAt, endedAt: performance.timeOrigin + performance.now() } : {}),
    ...(handleSpanId !== undefined ? { handleSpanId } : {}),
    ...(item.routedAt !== undefined
      ? { routedAt: item.routedAt, routeParent: item.routeParent }
      : {}),
    ...(item.logRef !== undefined ? { logRef: item.logRef } : {}),
    ...(memoryWatched.has(item.instanceId) ? { memoryBytes: instance.memoryBytes } : {}),
  });
}

/** Handles queued deliveries, a chunk per task, posting after each chunk. */
function drain(): void {
  if (draining) return;
  draining = true;
  try {
    for (let n = 0; n < _CHUNK; n++) {
      const item = direct.next();
      if (!item) break;
      handle(item);
      if (item.seq === 0) direct.handled(item);
    }
  } finally {
    draining = false;
  }
  flush();
  if (direct.pending > 0 && !resumeScheduled) {
    resumeScheduled = true;
    if (performance.now() - inboxAt < _YIELD_MS) resume.port2.postMessage(null);
    else setTimeout(resumeAfterInbox, 0);
  }
}

/** Posts what the handled deliveries produced, then any ended routes (after their outcomes). */
function flush(): void {
  if (
    outcomes.length > 0 || tallies.size > 0 || direct.notes.length > 0 || direct.opened !== ""
  ) {
    post({
      kind: "handled",
      ...packOutcomes(outcomes),
      tallies: [...tallies.values()],
      notes: direct.notes,
      queued: direct.pending,
      opened: direct.opened,
      done: direct.done,
    });
    outcomes = [];
    tallies = new Map();
    direct.notes = [];
    direct.opened = "";
    direct.done = [];
  }
  for (const ended of direct.ended) post({ kind: "undirected", ...ended });
  direct.ended = [];
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  inboxAt = performance.now();
  const message = event.data;
  switch (message.kind) {
    case "deliver":
      unpackDeliveries(message.packed, (d) => {
        const queued: QueuedDelivery = {
          instanceId: d.instanceId,
          seq: d.seq,
          text: d.message,
          traceparent: d.traceparent,
        };
        if (d.timed) queued.timed = true;
        direct.enqueue(queued, d.observe);
      });
      drain();
      break;
    case "congestion":
      for (const agent of message.agents) {
        if (message.congested) congested.add(agent);
        else congested.delete(agent);
      }
      break;
    case "direct":
      direct.arm(message.agent, message.instanceId, message.capacity, message.maxMessageBytes);
      // Behind every message this worker posted before: the main thread's marker.
      flush();
      post({ kind: "direct-armed", instanceId: message.instanceId });
      break;
    case "direct-go":
      direct.go(message.instanceId);
      drain();
      break;
    case "undirect":
      direct.end(message.instanceId, message.token);
      flush();
      break;
    case "observe":
      direct.observeAll = message.all;
      break;
    case "load":
      try {
        const { instance, effects } = AgentInstance.create(
          message.agentName,
          message.module,
          message.limits,
          new Map(message.state),
          congested,
          localRoute,
          message.stateless === true,
        );
        instances.set(message.instanceId, instance);
        if (message.watchMemory) {
          memoryWatched.add(message.instanceId);
          effects.memoryBytes = instance.memoryBytes;
        }
        post({ kind: "loaded", instanceId: message.instanceId, effects });
      } catch (error) {
        post({
          kind: "load-failed",
          instanceId: message.instanceId,
          reason: (error as Error).message,
        });
      }
      break;
    case "state-patch":
      instances.get(message.instanceId)?.patchState(message.changes);
      break;
    case "unload":
      direct.end(message.instanceId, 0, true);
      instances.delete(message.instanceId);
      memoryWatched.delete(message.instanceId);
      flush();
      break;
    case "send-quota":
      quota.spec = { messages: message.messages, intervalMs: message.intervalMs };
      break;
    case "priority":
      lowerOwnPriority(message.nice);
      break;
    case "log-direct":
      direct.logging = true;
      break;
    case "trace-direct":
      direct.tracing = true;
      break;
  }
};
