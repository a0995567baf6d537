/** What the HTTP layer needs from the node. */
import type { AgentManager } from "../lifecycle/mod.ts";
import type { WorkerPool } from "../runtime/mod.ts";
import type { CaxtonMetrics, Telemetry } from "../telemetry/mod.ts";

export interface ApiDeps {
  agents: AgentManager;
  pool: WorkerPool;
  /** Whether startup (store open, agents restored) has finished. */
  isReady: () => boolean;
  version: string;
  /** Request duration metric (and `/metrics`, once served). */
  metrics?: CaxtonMetrics;
  /** Request spans; null or absent when tracing is off. */
  telemetry?: Telemetry | null;
}
