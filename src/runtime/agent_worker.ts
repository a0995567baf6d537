/**
 * Worker entry for agent hosting. Runs with `permissions: "none"`: agent code
 * reaches nothing but the host functions in agent_instance.ts. Handles each
 * delivery batch synchronously and answers with one batch of outcomes.
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import { AgentInstance } from "./agent_instance.ts";
import type { FromWorker, Outcome, ToWorker } from "./protocol.ts";

const instances = new Map<number, AgentInstance>();
/** Receivers whose mailboxes the node reported full. */
const congested = new Set<string>();

function post(message: FromWorker): void {
  self.postMessage(message);
}

function deliver(batch: ToWorker & { kind: "deliver" }): void {
  const outcomes: Outcome[] = [];
  for (const d of batch.batch) {
    const instance = instances.get(d.instanceId);
    if (!instance) {
      outcomes.push({
        instanceId: d.instanceId,
        seq: d.seq,
        failure: "agent instance is not loaded",
        trapped: false,
        sends: [],
        stateChanges: [],
        logs: [],
        capabilities: [],
        fuelUsed: 0,
      });
      continue;
    }
    const result = instance.handle(d.message);
    outcomes.push({
      instanceId: d.instanceId,
      seq: d.seq,
      failure: result.failure,
      trapped: result.trapped,
      ...result.effects,
    });
  }
  post({ kind: "handled", batch: outcomes });
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.kind) {
    case "deliver":
      deliver(message);
      break;
    case "load":
      try {
        const { instance, effects } = AgentInstance.create(
          message.agentName,
          message.module,
          message.limits,
          new Map(message.state),
          congested,
        );
        instances.set(message.instanceId, instance);
        post({ kind: "loaded", instanceId: message.instanceId, effects });
      } catch (error) {
        post({
          kind: "load-failed",
          instanceId: message.instanceId,
          reason: (error as Error).message,
        });
      }
      break;
    case "congestion":
      for (const agent of message.agents) {
        if (message.congested) congested.add(agent);
        else congested.delete(agent);
      }
      break;
    case "unload":
      instances.delete(message.instanceId);
      break;
    case "ping":
      post({ kind: "pong", seq: message.seq });
      break;
  }
};
