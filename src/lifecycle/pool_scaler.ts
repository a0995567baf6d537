/**
 * Pools the node sizes itself (docs/POOLS.md): an agent deployed with
 * `instances: {min, max}` grows by one member when its mailbox stays deeper
 * than `growDepth` per member for `growAfterMs`, and gives one back after
 * `shrinkAfterMs` without work, never leaving [min, max].
 *
 * A resize changes the members the way a hot reload does: the mailbox pauses,
 * the messages in flight finish on the members they went to, the member is
 * added or unloaded, and the mailbox resumes. Messages wait in the mailbox
 * meanwhile, so none is lost or handled twice; and since no message is in
 * flight when the number changes, a conversation's messages (their member is
 * a hash modulo the number) never run on two members at once.
 */
import { defaultPoolsConfig, type PoolsConfig } from "../config/mod.ts";
import type { AgentTable } from "./agent_table.ts";
import { loadMember } from "./instance_pool.ts";
import type { LiveAgent } from "./live_agent.ts";

/**
 * When a pool grows and shrinks (the `pools` setting): deeper than `growDepth`
 * messages a member (waiting and in flight) for `growAfterMs`, or idle for
 * `shrinkAfterMs`; each further member needs as long again.
 */
export type PoolScaling = PoolsConfig;

interface _Watch {
  /** Since when (performance.now) the mailbox has been deep; -1 when it is not. */
  deepSince: number;
  /** Since when nothing happened; -1 while there is work. */
  idleSince: number;
  /** Messages accepted and finished when last seen. */
  seen: number;
  resizing: boolean;
}

/** Watches the self-sized pools and resizes them. */
export class PoolScaler {
  readonly #agents: AgentTable;
  readonly #scaling: PoolScaling;
  readonly #watches = new WeakMap<LiveAgent, _Watch>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  #grown = 0;
  #shrunk = 0;

  constructor(agents: AgentTable, scaling: PoolScaling = defaultPoolsConfig()) {
    this.#agents = agents;
    this.#scaling = scaling;
  }

  /** Members added and given back since the node started. */
  get figures(): { grown: number; shrunk: number } {
    return { grown: this.#grown, shrunk: this.#shrunk };
  }

  /** Starts watching (a node calls it once its agents are adopted). */
  start(): void {
    if (this.#timer !== undefined || this.#closed) return;
    const { growAfterMs, shrinkAfterMs } = this.#scaling;
    const every = Math.min(
      Math.max(Math.floor(Math.min(growAfterMs, shrinkAfterMs) / 4), 5),
      1_000,
    );
    this.#timer = setInterval(() => this.#sweep(), every);
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }

  /** Looks at agents with instances only; a pool is found once (by its first member). */
  #sweep(): void {
    const now = performance.now();
    for (const [instanceId, live] of this.#agents.byInstance) {
      const members = live.members;
      const max = live.record.maxInstances;
      if (max === null || members === null || members[0]!.instanceId !== instanceId) continue;
      let watch = this.#watches.get(live);
      if (!watch) {
        this.#watches.set(
          live,
          watch = { deepSince: -1, idleSince: -1, seen: -1, resizing: false },
        );
      }
      if (watch.resizing || live.record.state !== "running") continue;
      this.#judge(live, watch, members.length, max, now);
    }
  }

  #judge(live: LiveAgent, watch: _Watch, size: number, max: number, now: number): void {
    const { growDepth, growAfterMs, shrinkAfterMs } = this.#scaling;
    const mailbox = live.mailbox;
    if (mailbox.depth > growDepth * size) {
      if (watch.deepSince < 0) watch.deepSince = now;
      else if (now - watch.deepSince >= growAfterMs && size < max) {
        watch.deepSince = -1;
        void this.#resize(live, watch, 1);
      }
    } else watch.deepSince = -1;
    const activity = mailbox.accepted + live.counters.handled + live.counters.failed;
    if (activity !== watch.seen || mailbox.depth > 0) {
      watch.seen = activity;
      watch.idleSince = -1;
    } else if (watch.idleSince < 0) watch.idleSince = now;
    else if (now - watch.idleSince >= shrinkAfterMs && size > live.record.instances) {
      watch.idleSince = -1;
      void this.#resize(live, watch, -1);
    }
  }

  #resize(live: LiveAgent, watch: _Watch, by: 1 | -1): Promise<void> {
    const agents = this.#agents;
    watch.resizing = true;
    return agents.locked(live.record.name, async () => {
      const members = live.members;
      const max = live.record.maxInstances;
      if (agents.byName.get(live.record.name) !== live || live.record.state !== "running") return;
      if (!members || max === null) return;
      const size = members.length + by;
      if (size < live.record.instances || size > max) return;
      const added = by > 0 ? await loadMember(agents, live, members.length) : null;
      // In-flight messages finish on their members before the number (and the hash) changes.
      live.mailbox.connect(null);
      await live.mailbox.settled();
      if (live.members !== members || this.#closed) {
        // The pool was unloaded meanwhile (worker lost, node closing): the new member goes too.
        if (added) agents.deps.pool.unload(added.instanceId);
        if (live.members === members) agents.connect(live);
        return;
      }
      if (added) {
        members.push({ instanceId: added.instanceId, handled: 0 });
        agents.byInstance.set(added.instanceId, live);
        this.#grown++;
      } else {
        const gone = members.pop()!;
        agents.byInstance.delete(gone.instanceId);
        agents.deps.pool.unload(gone.instanceId);
        this.#shrunk++;
      }
      agents.connect(live);
      agents.log.log("info", added ? "pool grown" : "pool shrunk", {
        "caxton.agent.name": live.record.name,
        members: members.length,
      });
    }).catch((error) => {
      agents.log.log("warn", "pool resize failed", {
        "caxton.agent.name": live.record.name,
        reason: (error as Error).message,
      });
    }).finally(() => {
      watch.resizing = false;
    });
  }
}
