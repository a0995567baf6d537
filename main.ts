/**
 * Composition root: config → store → runtime → router → lifecycle → api.
 * The only place that wires concrete parts together, so a test builds the
 * same node in one call: `await using node = await startNode(config)`.
 */
import { mkdirSync } from "node:fs";
import { createApp, listen } from "./src/api/mod.ts";
import {
  type CaxtonConfig,
  databasePath,
  readNodeRecord,
  removeNodeRecord,
  writeNodeRecord,
} from "./src/config/mod.ts";
import { AgentManager } from "./src/lifecycle/mod.ts";
import { CaxtonMcp, mcpHostnames, type ToolCallRecord, ToolGateway } from "./src/mcp/mod.ts";
import { DeliveryCounter, JobRunner, ParticipantHub, RequestBroker } from "./src/outside/mod.ts";
import { ProtocolMonitor, Router } from "./src/router/mod.ts";
import { ModulePreparer, WorkerPool } from "./src/runtime/mod.ts";
import {
  type DataDirLock,
  GroupCommitWriter,
  lockDataDir,
  openStore,
  type Store,
} from "./src/store/mod.ts";
import {
  CaxtonMetrics,
  createJsonLogger,
  type Logger,
  Telemetry,
  toolCallSpan,
} from "./src/telemetry/mod.ts";

/** Caxton's version, reported by `/health` and `caxton version`. */
export const VERSION = "0.1.0";

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
  const logger = options.logger ?? createJsonLogger(config.logLevel);
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
  const log = new DeliveryCounter(
    new GroupCommitWriter(store.messages, {
      mode: config.messageLog,
      onError: (error) => logger.log("error", "message log write failed", { error: error.message }),
    }),
  );
  const metrics = new CaxtonMetrics();
  const telemetry = config.tracing
    ? new Telemetry({ metrics, sampleRatio: config.traceSampleRatio })
    : null;
  const router = new Router({
    log,
    ...(telemetry ? { telemetry } : {}),
    onDeadLetter: (letter) =>
      logger.log("warn", "dead letter", { reason: letter.reason, message: letter.message }),
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
    onBounced: (messages) => agents.onBounced(messages),
    onNotes: (notes) => agents.onNotes(notes),
  });
  router.onAllTaps((any) => pool.observe(any));
  const agents = new AgentManager({
    store,
    pool,
    router,
    preparer,
    defaults: config.limits,
    logger,
    mailboxCapacity: config.mailboxCapacity,
    // Direct delivery inside a worker skips the main thread, so it needs the log off.
    directDelivery: config.messageLog === "none",
    ...(telemetry ? { telemetry } : {}),
  });
  const tools = new ToolGateway({
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
    listAgents: () =>
      agents.list().map((a) => ({
        name: a.name,
        state: a.state,
        version: a.version,
        capabilities: a.capabilities,
        tools: a.tools,
        mailboxDepth: a.mailboxDepth,
      })),
    conversation: (id) => store.messages.byConversation(id),
    allowedHostnames: mcpHostnames(config.host),
  });
  const participants = new ParticipantHub(router, store.participants);
  const broker = new RequestBroker(router);
  const jobs = new JobRunner(store, broker);
  const closing = new AbortController();
  metrics.readAgentsFrom(() =>
    agents.list().map((a) => ({
      name: a.name,
      state: a.state,
      mailboxDepth: a.mailboxDepth,
      fuelUsed: a.counters.fuelUsed,
      traps: a.counters.traps,
      handled: a.counters.handled,
    }))
  );
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
      closing: closing.signal,
      version: VERSION,
      metrics,
      telemetry,
      tools,
      mcp,
    }, {
      corsOrigins: config.corsOrigins,
      maxRequestBytes: config.maxRequestBytes,
      apiToken: config.apiToken,
    });
    listener.serve(app.fetch);
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
  ready = true;
  logger.log("info", "caxton node started", {
    url,
    dataDir: config.dataDir,
    workers: config.workers,
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
      await participants.close();
      broker.close();
      await jobs.close();
      await agents.drainAll();
      mcp.close();
      await server?.shutdown();
      await tools.close();
      router.close();
      log.close();
      await pool.close();
      await preparer.close();
      store.close();
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
    tools,
    mcp,
    participants,
    broker,
    jobs,
    deliveries: log,
    metrics,
    telemetry,
    url,
    close,
    [Symbol.asyncDispose]: close,
  };
}
