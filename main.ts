/**
 * Composition root: config → store → runtime → router → lifecycle → api.
 * The only place that wires concrete parts together, so a test builds the
 * same node in one call: `await using node = await startNode(config)`.
 */
import { mkdirSync } from "node:fs";
import { VERSION } from "./src/version.ts";
import { createApp, listen } from "./src/api/mod.ts";
import {
  type CaxtonConfig,
  databasePath,
  readNodeRecord,
  removeNodeRecord,
  writeNodeRecord,
} from "./src/config/mod.ts";
import { AgentManager, maxLiveInstances, SaturationWatch } from "./src/lifecycle/mod.ts";
import { AuditRetention, createSecurity, type Security } from "./src/auth/mod.ts";
import { BreakerBoard } from "./src/resilience/mod.ts";
import { type Cluster, startCluster } from "./src/cluster/mod.ts";
import { CapabilityIndex, CapabilityRouter, DirectoryFacilitator } from "./src/directory/mod.ts";
import { TimerService } from "./src/timers/mod.ts";

import {
  CaxtonMcp,
  mcpAgentSummary,
  mcpHostnames,
  type ToolCallRecord,
  ToolGateway,
} from "./src/mcp/mod.ts";
import { DeliveryCounter, JobRunner, ParticipantHub, RequestBroker } from "./src/outside/mod.ts";
import { ProtocolMonitor, Router } from "./src/router/mod.ts";
import { ModulePreparer, WorkerPool } from "./src/runtime/mod.ts";
import {
  type DataDirLock,
  GroupCommitWriter,
  lockDataDir,
  LogRetention,
  LogWriterWorker,
  openStore,
  type Store,
} from "./src/store/mod.ts";
import {
  CaxtonMetrics,
  createJsonLogger,
  exportingLogs,
  type Logger,
  RecentAgentLogs,
  RepeatAggregator,
  startOtlpExport,
  Telemetry,
  toolCallSpan,
} from "./src/telemetry/mod.ts";

// The version lives in src/version.ts (the CLI reads it without this root); re-exported here.
export { VERSION };

/** A running node. `close()` drains mailboxes, then stops HTTP, workers and store. */
export interface CaxtonNode {
  readonly config: CaxtonConfig;
  readonly store: Store;
  readonly pool: WorkerPool;
  readonly preparer: ModulePreparer;
  readonly router: Router;
  /** Checks conversations that name a FIPA interaction protocol as their messages are routed. */
  readonly protocols: ProtocolMonitor;
  readonly agents: AgentManager;
  /** What agents offer (docs/DISCOVERY.md): searched by the API, the CLI and `df`. */
  readonly directory: CapabilityIndex;
  /** Durable timers and reminders (docs/TIMERS.md). */
  readonly timers: TimerService;
  /** The configured MCP servers' tools, reachable by agents at `tool:<server>/<tool>`. */
  readonly tools: ToolGateway;
  /** Caxton as an MCP server (`/mcp` on the API, `caxton mcp` on stdio). */
  readonly mcp: CaxtonMcp;
  /** Outside participants `ext:<name>`. */
  readonly participants: ParticipantHub;
  /** Agents as services: request → reply for HTTP clients. */
  readonly broker: RequestBroker;
  readonly jobs: JobRunner;
  /** Counts the deliveries the router logs, for metrics. */
  readonly deliveries: DeliveryCounter;
  /** Every instrument; `renderPrometheus(node.metrics)` is the `/metrics` text. */
  readonly metrics: CaxtonMetrics;
  /** Spans and per-message metrics; null when tracing is off. */
  readonly telemetry: Telemetry | null;
  /** Where the API listens (port resolved when 0 was asked). */
  readonly url: string | null;
  /** This node as a cluster member; null standalone (docs/CLUSTER.md). */
  readonly cluster: Cluster | null;
  /** Circuit breakers around webhooks and MCP servers (issue 17). */
  readonly breakers: BreakerBoard;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of {@linkcode startNode}. */
export interface StartOptions {
  /** Serve the HTTP API (default true). */
  serve?: boolean;
  logger?: Logger;
  /** Told of every MCP tool call (the span hook until telemetry has a tracer). */
  onToolCall?: (call: ToolCallRecord) => void;
}

/** Builds and starts a node; resolves once its agents are restored. */
export async function startNode(
  config: CaxtonConfig,
  options: StartOptions = {},
): Promise<CaxtonNode> {
  // Caxton's own OTLP exporter when tracing is on (null under OTEL_DENO: Deno's exports).
  const otlp = config.tracing ? startOtlpExport(Deno.env.toObject()) : null;
  const lines = options.logger ?? createJsonLogger(config.logLevel);
  // Repeated warnings (a storm of dead letters, traps) cost two lines per kind per 5 s.
  const logger = new RepeatAggregator(
    otlp ? exportingLogs(lines, otlp.logs, config.logLevel) : lines,
  );
  // Issue 14: the port is bound before anything touches the disk (a port in use
  // leaves no data dir behind), then the data dir is locked: one node per dir.
  const listener = options.serve === false ? null : listen(config.host, config.port);
  let lock: DataDirLock | null = null;
  try {
    if (config.dataDir !== ":memory:") {
      mkdirSync(config.dataDir, { recursive: true });
      lock = lockDataDir(config.dataDir, { holder: () => readNodeRecord(config.dataDir) });
    }
  } catch (error) {
    await listener?.server.shutdown();
    throw error;
  }
  const store = openStore(databasePath(config));
  // Issue 17: beyond loopback, a node without any credential refuses to start.
  let security: Security;
  try {
    security = createSecurity(config, store);
  } catch (error) {
    store.close();
    lock?.release();
    await listener?.server.shutdown();
    throw error;
  }
  // The log's writes run in a worker of their own (issue 15); an in-memory store writes inline.
  const logWriter = config.messageLog === "log" && databasePath(config) !== ":memory:"
    ? await LogWriterWorker.open(databasePath(config), store.messages)
    : null;
  const log = new DeliveryCounter(
    new GroupCommitWriter(logWriter ?? store.messages, {
      mode: config.messageLog,
      onError: (error) => logger.log("error", "message log write failed", { error: error.message }),
    }),
  );
  const metrics = new CaxtonMetrics(otlp ? { meter: otlp.meter } : {});
  const telemetry = config.tracing
    ? new Telemetry({
      metrics,
      sampleRatio: config.traceSampleRatio,
      ...(otlp ? { tracer: otlp.tracer, messageSpans: otlp.messageSpans } : {}),
    })
    : null;
  const router = new Router({
    log,
    ...(telemetry ? { telemetry } : {}),
    // Not the whole message (its content may be large): the log keeps it (GET /api/v1/messages).
    onDeadLetter: ({ message, reason }) =>
      logger.log("warn", "dead letter", {
        reason,
        performative: message.performative,
        sender: message.sender,
        receivers: message.receiver.length,
        "caxton.conversation.id": message.conversationId,
      }),
  });
  const protocols = new ProtocolMonitor({
    onViolation: (v) =>
      logger.log("warn", "protocol violation", {
        conversationId: v.conversationId,
        reason: v.reason,
        performative: v.message.performative,
        sender: v.message.sender,
      }),
  });
  // Cluster (docs/CLUSTER.md): joined before agents exist, so their names can be claimed;
  // null standalone, and then the NATS client is never loaded. Heartbeats read `clusterLocal`.
  const clusterLocal = { api: null as string | null, load: () => ({ agents: 0, load: 0 }) };
  const cluster = config.cluster
    ? await startCluster({
      config: config.cluster,
      dataDir: config.dataDir,
      router,
      local: () => ({ api: clusterLocal.api, ...clusterLocal.load() }),
    }).catch(async (error) => {
      log.close();
      await logWriter?.close();
      store.close();
      lock?.release();
      await listener?.server.shutdown();
      throw error;
    })
    : null;
  if (cluster) router.setRemoteRoutes(cluster);
  router.tap((message) => protocols.observe(message), { scope: "protocol" });
  const preparer = new ModulePreparer();
  // The pool reports to the manager, built next; no outcome arrives before it exists.
  const pool = new WorkerPool({
    size: config.workers,
    watchdogMs: config.watchdogMs,
    onOutcome: (outcome) => agents.onOutcome(outcome),
    onWorkerLost: (loss) => agents.onWorkerLost(loss),
    onTallies: (tallies) => agents.onTallies(tallies),
    onArmed: (instanceId) => agents.onArmed(instanceId),
    onBounced: (messages, instanceId, refs) => agents.onBounced(messages, instanceId, refs),
    // Log on: workers report their direct deliveries so they are logged (direct_log.ts).
    ...(config.messageLog === "log"
      ? {
        logDirect: {
          opened: (packed: string) => agents.onDirectOpened(packed),
          done: (pairs: number[]) => agents.onDirectDone(pairs),
        },
      }
      : {}),
    onNotes: (notes) => agents.onNotes(notes),
    // Tracing: workers name the spans of traced direct hops, which the main thread records.
    traceDirect: telemetry?.spansFromWorkers ?? false,
    sendQuota: { messages: config.sendQuota, intervalMs: config.sendQuotaIntervalMs },
    nice: config.scheduling.agentWorkerNice,
  });
  router.onAllTaps((any) => pool.observe(any));
  // What agents logged, remembered for the dashboard (GET /api/v1/agents/{name}/logs).
  const agentLogs = new RecentAgentLogs();
  // The directory reads each provider's state and load from the manager at search time.
  const directory = new CapabilityIndex((name) =>
    agents.providerStatus(name) ?? cluster?.providerStatus(name)
  );
  // Cluster: providers on every node are searched and reached by `cap:` (docs/CLUSTER.md).
  await cluster?.shareDirectory(directory);
  router.setCapabilityRoutes(new CapabilityRouter(directory));
  // Timers fire through the router; their deliveries are logged as they fire.
  const timers = new TimerService(store, router, { log });
  const agents: AgentManager = new AgentManager({
    directory,
    timers,
    store,
    pool,
    router,
    preparer,
    defaults: config.limits,
    logger: agentLogs.watching(logger),
    mailboxCapacity: config.mailboxCapacity,
    // Direct delivery inside a worker skips the main thread's round trip; with the log on the
    // worker reports each delivery so it is logged all the same (logDirect above), and with
    // tracing each traced one so its spans are recorded (traceDirect). Deno's built-in exporter
    // (OTEL_DENO) cannot take span ids a worker chose: deliveries then stay on the main thread.
    directDelivery: telemetry === null || telemetry.spansFromWorkers,
    maxReceivers: config.maxReceivers,
    passivateAfterMs: config.scale.passivateAfterMs,
    metrics,
    poolScaling: config.pools,
    maxLiveInstances: maxLiveInstances(config.scale.maxLiveInstances),
    ...(telemetry ? { telemetry } : {}),
    ...(cluster ? { names: cluster } : {}),
  });
  new DirectoryFacilitator(router, directory, {
    has: (name) => agents.providerStatus(name) !== undefined,
    declareCapability: (name, capability) => agents.declareCapability(name, capability),
    withdrawCapability: (name, capability) => agents.withdrawCapability(name, capability),
  }).attach();
  clusterLocal.load = () => agents.load();
  // Circuit breakers around webhooks and MCP servers (issue 17): state in /metrics and /ready.
  const breakers = new BreakerBoard(config.security.breaker);
  const tools = new ToolGateway({
    breakers,
    router,
    config: config.mcp,
    toolPolicy: (name) => agents.toolPolicy(name),
    logger,
    onCall: options.onToolCall,
    // One span (and count) per tool call, in the caller's trace.
    onCallStart: (server, tool, request) =>
      toolCallSpan(metrics, telemetry, server, tool, request.traceparent),
  });
  // Connected before agents come back, so restored agents find their tools.
  await tools.start();
  const mcp = new CaxtonMcp({
    router,
    version: VERSION,
    listAgents: (query) => {
      const page = agents.page(query);
      return { agents: page.items.map(mcpAgentSummary), next: page.next };
    },
    agent: (name) => agents.has(name) ? mcpAgentSummary(agents.get(name)) : undefined,
    conversation: (id) => store.messages.byConversation(id),
    allowedHostnames: mcpHostnames(config.host),
  });
  const participants = new ParticipantHub(router, store.participants, {
    // Which internal addresses webhooks may reach (issue 13).
    webhooks: { allowPrivate: config.webhookAllowPrivate, allowlist: config.webhookAllowlist },
    breakers,
  });
  const broker = new RequestBroker(router);
  // A request caught in a lost node is answered node_unreachable, not left to its timeout.
  cluster?.onNodeLost((loss) => broker.failWaiting(loss.holds, "node_unreachable", loss.reason));
  const jobs = new JobRunner(store, broker);
  const closing = new AbortController();
  // Bounded cardinality (issue 21): per-agent series for an allowlist and the N busiest only.
  metrics.readAgentsFrom(
    () =>
      agents.withSeries({ allowlist: config.scale.metricsAgents, topN: config.scale.metricsTopN }),
    () => ({ ...agents.census(), ...agents.activity() }),
  );
  // A worker's backlog: its agents' mailboxes plus its own run queue (/ready degraded while high).
  const saturation = new SaturationWatch({
    backlog: config.saturationBacklog,
    forMs: config.saturationMs,
    everyMs: 250,
    maxLagMs: config.scheduling.eventLoopMaxLagMs,
    // Busy agents only: the watch costs what is queued, not the number of agents (issue 21).
    sample: () => agents.addBacklogs(pool.status().queued),
  });
  let ready = false;
  const server = listener?.server ?? null;
  const url = listener?.url ?? null;
  if (listener) {
    const app = createApp({
      agents,
      pool,
      store,
      router,
      participants,
      broker,
      jobs,
      deliveries: log,
      isReady: () => ready,
      saturation,
      closing: closing.signal,
      version: VERSION,
      metrics,
      telemetry,
      tools,
      mcp,
      maxReceivers: config.maxReceivers,
      cluster,
      security,
      breakers,
      directory,
      timers,
      agentLogs,
    }, {
      corsOrigins: config.corsOrigins,
      maxRequestBytes: config.maxRequestBytes,
      apiToken: config.apiToken,
    });
    listener.serve(app.fetch);
    clusterLocal.api = url;
  }
  // Where this node listens, for the CLI and for a second node refused the data dir.
  if (lock) {
    writeNodeRecord(config.dataDir, {
      pid: Deno.pid,
      url,
      version: VERSION,
      startedAt: new Date().toISOString(),
    });
  }
  const { restored, failed } = await agents.restore();
  // Before redelivery, so answers to redelivered messages can reach outside participants.
  const participantsRestored = participants.restore();
  const redelivered = router.redeliver(
    config.messageLog === "log" ? store.messages.unfinished() : [],
  );
  const resumedJobs = jobs.resume();
  // Once agents are back: timers due while the node was down fire now, marked late.
  timers.start();
  // Message log retention by age and size (issue 13), off the message path.
  const retention = config.messageLog === "log"
    ? new LogRetention(store.messages, {
      maxAgeMs: config.messageLogMaxAgeMs,
      maxBytes: config.messageLogMaxBytes,
      intervalMs: config.messageLogPruneIntervalMs,
      onError: (error) => logger.log("error", "message log prune failed", { error: error.message }),
    }).start()
    : null;
  // Cluster: names of restored agents are this node's again (or another node took them meanwhile).
  for (
    const { name, error } of await cluster?.claimRestored(agents.names()) ?? []
  ) {
    logger.log("warn", "restored agent's name is not this node's", {
      agent: name,
      error: error.message,
    });
  }
  // The configuration a node starts with is part of the audit trail (roles, auth mode, limits).
  security.audit({
    actor: "node",
    role: null,
    action: "node.start",
    target: config.host,
    source: null,
    outcome: "ok",
    status: null,
    detail: JSON.stringify({ authRequired: security.required, security: config.security }),
  });
  const auditRetention = config.security.auditRetentionDays > 0
    ? new AuditRetention(store.audit, {
      maxAgeMs: config.security.auditRetentionDays * 86_400_000,
      intervalMs: config.security.auditPruneIntervalMs,
      onError: (error) => logger.log("error", "audit prune failed", { error: error.message }),
    })
    : null;
  ready = true;
  logger.log("info", "caxton node started", {
    url,
    dataDir: config.dataDir,
    workers: config.workers,
    cluster: cluster ? { node: cluster.self.id, name: cluster.self.name } : null,
    restored,
    failedToRestore: failed,
    redelivered,
    resumedJobs,
    participantsRestored,
  });

  let stopping: Promise<void> | null = null;
  const close = () => {
    stopping ??= (async () => {
      // Streams and long polls end, waiting requests are told, then mailboxes drain.
      closing.abort();
      // First: a timer fired into draining agents would be refused and lost.
      timers.close();
      await retention?.close();
      auditRetention?.close();
      await participants.close();
      broker.close();
      await jobs.close();
      await agents.drainAll();
      await cluster?.close();
      mcp.close();
      await server?.shutdown();
      await tools.close();
      router.close();
      saturation.close();
      log.close();
      await pool.close();
      await preparer.close();
      await logWriter?.close();
      store.close();
      logger.close();
      await otlp?.shutdown();
      if (lock) removeNodeRecord(config.dataDir);
      lock?.release();
    })();
    return stopping;
  };
  return {
    config,
    store,
    pool,
    preparer,
    router,
    protocols,
    agents,
    directory,
    timers,
    tools,
    mcp,
    participants,
    broker,
    jobs,
    deliveries: log,
    metrics,
    telemetry,
    url,
    cluster,
    breakers,
    close,
    [Symbol.asyncDispose]: close,
  };
}
