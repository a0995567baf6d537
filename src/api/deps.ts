/** What the HTTP layer needs from the node. */
import type { AgentManager, SaturationWatch } from "../lifecycle/mod.ts";
import type { Cluster } from "../cluster/mod.ts";
import type { CapabilityIndex } from "../directory/mod.ts";
import type { TimerService } from "../timers/mod.ts";
import type { DeliveryCounter, JobRunner, ParticipantHub, RequestBroker } from "../outside/mod.ts";
import type { Router } from "../router/mod.ts";
import type { CaxtonMcp, ToolGateway } from "../mcp/mod.ts";
import type { WorkerPool } from "../runtime/mod.ts";
import type { Store } from "../store/mod.ts";
import type { Security } from "../auth/mod.ts";
import type { BreakerView } from "../resilience/mod.ts";
import type { CaxtonMetrics, RecentAgentLogs, Telemetry } from "../telemetry/mod.ts";

export interface ApiDeps {
  agents: AgentManager;
  pool: WorkerPool;
  store: Store;
  router: Router;
  participants: ParticipantHub;
  broker: RequestBroker;
  jobs: JobRunner;
  /** Counts logged deliveries (metrics); live tails use `router.tap`. */
  deliveries: DeliveryCounter;
  /** Workers whose backlog has stayed high (`/ready` says degraded); absent: never. */
  saturation?: Pick<SaturationWatch, "saturated"> & Partial<Pick<SaturationWatch, "eventLoopLag">>;
  /** Whether startup (store open, agents restored) has finished. */
  isReady: () => boolean;
  /** Aborted when the node begins to close: open streams end. */
  closing: AbortSignal;
  version: string;
  /** Request duration metric (and `/metrics`, once served). */
  metrics?: CaxtonMetrics;
  /** Request spans; null or absent when tracing is off. */
  telemetry?: Telemetry | null;
  /** MCP tools for agents (`GET /api/v1/tools`). */
  tools: ToolGateway;
  /** Caxton as an MCP server (`/mcp`). */
  mcp: CaxtonMcp;
  /** Distinct receivers one message sent through the API may name (default 64). */
  maxReceivers?: number;
  /** Cluster membership (`GET /api/v1/cluster`, `/ready`); null or absent standalone. */
  cluster?: Cluster | null;
  /** The capability directory (`GET /api/v1/capabilities`). */
  directory?: CapabilityIndex;
  /** Durable timers (`/api/v1/agents/{name}/timers`). */
  timers?: TimerService;
  /** Credentials, roles, rate limits, audit (issue 17); absent: the open app of tests. */
  security?: Security;
  /** Circuit breakers whose state /metrics and /ready show (issue 17). */
  breakers?: { views(): BreakerView[] };
  /** Agents' recent log lines (`GET /api/v1/agents/{name}/logs`); absent: none kept. */
  agentLogs?: RecentAgentLogs;
}

/** HTTP settings of {@linkcode createApp}. */
export interface ApiOptions {
  /** Origins allowed by CORS (`*` for any); empty or absent turns CORS off. */
  corsOrigins?: string[];
  /** Largest request body read, in bytes (default 16 MiB). */
  maxRequestBytes?: number;
  /** When set, `/api/v1` requires `Authorization: Bearer <apiToken>`. */
  apiToken?: string | null;
}
