/**
 * For benchmarks: when each delivery reached its agent (the worker started
 * handling it) and when its outcome came back to the main thread. Every
 * delivery of the node is made timed (the worker stamps the start of
 * handling), and `keyOf` picks, from the text the agent receives, what a
 * sample is measured from (e.g. a timer's due time); null skips the delivery.
 */
import type { CaxtonNode } from "../main.ts";

/** Milliseconds after its reference time that a delivery started and was handled. */
export interface DeliverySamples {
  started: number[];
  handled: number[];
}

/** Probes `node`'s deliveries until the returned stop is called. */
export function probeDeliveries(
  node: CaxtonNode,
  referenceOf: (text: string) => number | null,
): { samples: DeliverySamples; stop: () => void } {
  const samples: DeliverySamples = { started: [], handled: [] };
  const pool = node.pool;
  const agents = node.agents;
  const deliver = pool.deliver;
  const onOutcome = agents.onOutcome;
  const reference = new Map<string, number>();
  pool.deliver = function (instanceId, message, options) {
    const at = referenceOf(message);
    if (at === null) return deliver.call(this, instanceId, message, options);
    reference.set(`${instanceId}:${options.seq}`, at);
    return deliver.call(this, instanceId, message, { ...options, timed: true });
  };
  agents.onOutcome = function (outcome) {
    const key = `${outcome.instanceId}:${outcome.seq}`;
    const at = reference.get(key);
    if (at !== undefined) {
      reference.delete(key);
      if (outcome.startedAt !== undefined) samples.started.push(outcome.startedAt - at);
      samples.handled.push(performance.timeOrigin + performance.now() - at);
    }
    return onOutcome.call(this, outcome);
  };
  const stop = () => {
    pool.deliver = deliver;
    agents.onOutcome = onOutcome;
  };
  return { samples, stop };
}
