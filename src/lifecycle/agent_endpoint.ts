/**
 * Where the router meets an agent: the endpoint that takes its messages into
 * the mailbox, and the sink that hands them from the mailbox to its instance.
 */
import { type Envelope, MessageTooLargeError } from "../router/mod.ts";
import type { Telemetry } from "../telemetry/mod.ts";
import type { WorkerPool } from "../runtime/mod.ts";
import type { LiveAgent } from "./live_agent.ts";

const _utf8 = new TextEncoder();

/**
 * The router endpoint of an agent: refuses while it does not accept, and
 * oversize messages; a message for a running agent without an instance
 * (passivated) waits in its mailbox and `wake`s it (issue 21).
 */
export function agentEndpoint(
  live: LiveAgent,
  hooks: {
    wake: (live: LiveAgent) => void;
    /** Before a wake by `message`: makes room for an instance or throws (instance_limit.ts). */
    admit: (live: LiveAgent, message: Envelope["message"]) => void;
    busy: Set<LiveAgent>;
  },
) {
  const name = live.record.name;
  return {
    reportsOutcome: true,
    enqueue: (envelope: Envelope) => {
      if (!live.accepting) {
        throw new Error(`agent "${name}" is ${live.record.state}, not running`);
      }
      // UTF-16 length is a lower bound of the UTF-8 size; the exact size is checked only near the cap.
      const limit = live.record.limits.maxMessageBytes;
      if (envelope.text.length > limit / 3) {
        const bytes = _utf8.encode(envelope.text).length;
        if (bytes > limit) throw new MessageTooLargeError(name, bytes, limit);
      }
      const waking = live.instanceId === null && live.activating === null;
      if (waking) hooks.admit(live, envelope.message);
      live.mailbox.enqueue(envelope);
      // The saturation watch reads busy agents only (they leave the set once drained).
      hooks.busy.add(live);
      if (waking) hooks.wake(live);
    },
  };
}

/** Delivers what the mailbox releases to the agent's current instance. */
export function instanceSink(live: LiveAgent, pool: WorkerPool, telemetry?: Telemetry) {
  const instanceId = live.instanceId!;
  return (seq: number, envelope: Envelope) =>
    deliverEnvelope(pool, instanceId, seq, envelope, telemetry);
}

/** Queues one mailbox delivery for an instance on its worker. */
export function deliverEnvelope(
  pool: WorkerPool,
  instanceId: number,
  seq: number,
  envelope: Envelope,
  telemetry?: Telemetry,
): boolean {
  return pool.deliver(instanceId, envelope.text, {
    seq,
    traceparent: envelope.message.traceparent,
    observe: envelope.message.protocol !== undefined,
    timed: telemetry?.traced(envelope.message.traceparent),
  });
}
