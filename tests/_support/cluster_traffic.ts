/**
 * Continuous request traffic through cluster nodes' REST APIs, one lane per
 * (node asked, agent): each lane sends one request after another until
 * stopped and records how each ended, so a test can count what was answered,
 * what failed and why, and when. Every request is bounded by its `timeout`.
 */
import type { ClusterNode } from "./nats.ts";

/** How one request ended. */
export interface Outcome {
  lane: string;
  /** Content sent (unique per lane), echoed back by an echo agent. */
  content: string;
  sentAt: number;
  doneAt: number;
  /** `answered` (the echo), a failure's code, a problem's code, or `network`. */
  result: string;
  status: number;
  /** The answer, when it was not the echo or a failure with a code. */
  detail?: string;
}

/** A lane: requests to `agent` through `via`'s API. */
export interface Lane {
  name: string;
  via: ClusterNode;
  agent: string;
}

/**
 * Running traffic; {@linkcode stop} resolves with every outcome once the lanes
 * end (disposing stops it too, so a failed assertion leaves no lane running).
 */
export interface Traffic extends AsyncDisposable {
  readonly outcomes: readonly Outcome[];
  stop(): Promise<Outcome[]>;
}

/** Starts `lanes`, each request waiting at most `timeoutMs` for its answer. */
export function startTraffic(lanes: readonly Lane[], timeoutMs: number): Traffic {
  const outcomes: Outcome[] = [];
  let running = true;
  const loops = lanes.map(async (lane) => {
    for (let i = 0; running; i++) {
      const content = `${lane.name} ${i}`;
      const sentAt = Date.now();
      outcomes.push({
        lane: lane.name,
        content,
        sentAt,
        ...(await _send(lane, content, timeoutMs)),
        doneAt: Date.now(),
      });
    }
  });
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
    async [Symbol.asyncDispose]() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function _send(
  lane: Lane,
  content: string,
  timeoutMs: number,
): Promise<{ result: string; status: number; detail?: string }> {
  try {
    const res = await fetch(`${lane.via.api}/agents/${lane.agent}/request?timeout=${timeoutMs}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ content }),
    });
    const body = await res.json();
    if (res.status !== 200) {
      return { result: String(body.type).split("/").pop()!, status: res.status };
    }
    if (body.performative === "failure") return { result: body.content?.code, status: 200 };
    if (body.content === content) return { result: "answered", status: 200 };
    return { result: "wrong_answer", status: 200, detail: JSON.stringify(body) };
  } catch {
    return { result: "network", status: 0 };
  }
}

/** Counts outcomes by result. */
export function countByResult(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.result] = (counts[o.result] ?? 0) + 1;
  return counts;
}

/** The longest time between two consecutive answers in `outcomes` (sorted by when they ended). */
export function longestGap(outcomes: readonly Outcome[], from: number, to: number): number {
  const times = outcomes.filter((o) => o.result === "answered").map((o) => o.doneAt)
    .filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  let gap = 0;
  let last = from;
  for (const t of [...times, to]) {
    gap = Math.max(gap, t - last);
    last = t;
  }
  return gap;
}
