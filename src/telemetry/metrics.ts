/**
 * Caxton's instruments. Values live here, in plain numbers, so the same
 * instruments are read two ways: exported over OTLP by Deno's built-in
 * OpenTelemetry (observable instruments read them at each collection, so the
 * message path makes no OpenTelemetry call), and rendered as Prometheus text
 * by prometheus.ts for `/metrics`.
 */
import { type Histogram, type Meter, metrics as otelMetrics } from "@opentelemetry/api";
import { METRIC } from "./attributes.ts";
import { DeploymentMetrics } from "./deployment_metrics.ts";

/** Upper bounds (seconds) of the latency histograms' buckets. */
export const LATENCY_BUCKETS = [
  0.00005,
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
] as const;

/** A histogram's state: counts per bucket (the last is +Inf), sum and count. */
export interface HistogramValue {
  buckets: readonly number[];
  counts: number[];
  sum: number;
  count: number;
}

/** One labelled value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** A metric as read at one moment. */
export type MetricValue =
  | { name: string; help: string; type: "counter" | "gauge"; samples: Sample[] }
  | {
    name: string;
    help: string;
    type: "histogram";
    samples: { labels: Record<string, string>; value: HistogramValue }[];
  };

/** What the node reports about its agents when asked (read at collection time). */
export interface AgentReadings {
  name: string;
  state: string;
  mailboxDepth: number;
  fuelUsed: number;
  traps: number;
  handled: number;
  failed: number;
  sent: number;
}

/**
 * Every agent counted, without a label per agent (issue 21): by state, by
 * module version, summed counters, and activation on demand.
 */
export interface AgentCensusReadings {
  byState: Record<string, number>;
  byModule: { module: string; version: number; agents: number }[];
  totals: { handled: number; failed: number; traps: number; fuelUsed: number; sent: number };
  /** Agents with an instance now, activations and passivations since start. */
  active: number;
  activations: number;
  passivations: number;
  /** The live-instance limit (Infinity: none), refusals at it and passivations to make room. */
  maxLiveInstances?: number;
  instanceLimitRefusals?: number;
  instanceLimitPassivations?: number;
}

/** An empty histogram with these bucket bounds (seconds). */
export function newHistogram(buckets: readonly number[] = LATENCY_BUCKETS): HistogramValue {
  return { buckets, counts: new Array(buckets.length + 1).fill(0), sum: 0, count: 0 };
}

/** Counts one value into its bucket. */
export function observeHistogram(h: HistogramValue, seconds: number): void {
  let i = 0;
  while (i < h.buckets.length && seconds > h.buckets[i]!) i++;
  h.counts[i]!++;
  h.sum += seconds;
  h.count++;
}

/** Options of {@linkcode CaxtonMetrics}. */
export interface CaxtonMetricsOptions {
  /** Reads every agent's state and counters (the agent manager's views). */
  agents?: () => AgentReadings[];
  /** Export over OTLP through this meter (default: the global one Deno registers). */
  meter?: Meter;
}

/** Every instrument Caxton exports. */
export class CaxtonMetrics {
  /** Deployments' stages, steps and outcomes (issue 16). */
  readonly deployments: DeploymentMetrics;
  readonly #routed = new Map<string, number>();
  readonly #latency = newHistogram();
  readonly #api = new Map<string, { labels: Record<string, string>; value: HistogramValue }>();
  readonly #tools = new Map<string, { labels: Record<string, string>; value: number }>();
  #agents: () => AgentReadings[];
  #census: (() => AgentCensusReadings) | undefined;
  /** OTLP has no observable histogram: these are recorded as values come. */
  readonly #otelLatency: Histogram;
  readonly #otelApi: Histogram;

  constructor(options: CaxtonMetricsOptions = {}) {
    this.#agents = options.agents ?? (() => []);
    const meter = options.meter ?? otelMetrics.getMeter("caxton");
    const advice = { advice: { explicitBucketBoundaries: [...LATENCY_BUCKETS] }, unit: "s" };
    this.#otelLatency = meter.createHistogram(METRIC.deliveryLatency, advice);
    this.#otelApi = meter.createHistogram(METRIC.apiRequestDuration, advice);
    this.deployments = new DeploymentMetrics(meter);
    this.#register(meter);
  }

  /**
   * Sets where agent readings come from (the manager is built after the
   * metrics): `agents` are those with series of their own, `census` counts all.
   */
  readAgentsFrom(agents: () => AgentReadings[], census?: () => AgentCensusReadings): void {
    this.#agents = agents;
    this.#census = census;
  }

  /** Counts one routed message. */
  routed(performative: string): void {
    this.#routed.set(performative, (this.#routed.get(performative) ?? 0) + 1);
  }

  /** Records one delivery's latency, routing to handled. */
  deliveryLatency(seconds: number): void {
    observeHistogram(this.#latency, seconds);
    this.#otelLatency.record(seconds);
  }

  /** Records one API request. */
  apiRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let entry = this.#api.get(key);
    if (!entry) {
      entry = { labels: { method, route, status: String(status) }, value: newHistogram() };
      this.#api.set(key, entry);
    }
    observeHistogram(entry.value, seconds);
    this.#otelApi.record(seconds, entry.labels);
  }

  /** Counts one MCP tool call. */
  toolCall(server: string, tool: string, outcome: string): void {
    const key = `${server}\u0000${tool}\u0000${outcome}`;
    const entry = this.#tools.get(key);
    if (entry) entry.value++;
    else this.#tools.set(key, { labels: { server, tool, outcome }, value: 1 });
  }

  /** Every metric as it stands now. */
  read(): MetricValue[] {
    const agents = this.#agents();
    const census = this.#census?.();
    const states = new Map<string, number>(census ? Object.entries(census.byState) : []);
    if (!census) { for (const a of agents) states.set(a.state, (states.get(a.state) ?? 0) + 1); }
    const perAgent = (pick: (a: AgentReadings) => number): Sample[] =>
      agents.map((a) => ({ labels: { agent: a.name }, value: pick(a) }));
    return [
      ...(census ? _censusFamilies(census) : []),
      {
        name: METRIC.agents,
        help: "Agents by lifecycle state",
        type: "gauge",
        samples: [...states].map(([state, value]) => ({ labels: { state }, value })),
      },
      {
        name: METRIC.messagesRouted,
        help: "Messages routed, by performative",
        type: "counter",
        samples: [...this.#routed].map(([performative, value]) => ({
          labels: { performative },
          value,
        })),
      },
      {
        name: METRIC.messagesHandled,
        help: "Messages handled by each agent (direct deliveries included)",
        type: "counter",
        samples: perAgent((a) => a.handled),
      },
      {
        name: METRIC.deliveryLatency,
        help: "Time from routing to the agent's outcome, seconds",
        type: "histogram",
        samples: [{ labels: {}, value: this.#latency }],
      },
      {
        name: METRIC.messagesFailed,
        help: "Messages failed by each agent with series of its own",
        type: "counter",
        samples: perAgent((a) => a.failed),
      },
      {
        name: METRIC.messagesSent,
        help: "Messages sent by each agent with series of its own",
        type: "counter",
        samples: perAgent((a) => a.sent),
      },
      {
        name: METRIC.mailboxDepth,
        help: "Messages waiting in each agent's mailbox",
        type: "gauge",
        samples: perAgent((a) => a.mailboxDepth),
      },
      {
        name: METRIC.fuelConsumed,
        help: "Fuel consumed by each agent",
        type: "counter",
        samples: perAgent((a) => a.fuelUsed),
      },
      {
        name: METRIC.traps,
        help: "Traps of each agent",
        type: "counter",
        samples: perAgent((a) => a.traps),
      },
      {
        name: METRIC.apiRequestDuration,
        help: "REST API request duration, seconds",
        type: "histogram",
        samples: [...this.#api.values()],
      },
      {
        name: METRIC.toolCalls,
        help: "MCP tool calls, by server, tool and outcome",
        type: "counter",
        samples: [...this.#tools.values()],
      },
      ...this.deployments.families(),
    ];
  }

  /** Observable instruments read this registry at each OTLP collection. */
  #register(meter: Meter): void {
    const byName = () => new Map(this.read().map((m) => [m.name, m]));
    for (const name of [METRIC.agents, METRIC.mailboxDepth]) {
      meter.createObservableGauge(name).addCallback((result) => {
        const metric = byName().get(name);
        if (metric && metric.type !== "histogram") {
          for (const s of metric.samples) result.observe(s.value, s.labels);
        }
      });
    }
    for (
      const name of [
        METRIC.messagesRouted,
        METRIC.messagesHandled,
        METRIC.fuelConsumed,
        METRIC.traps,
        METRIC.toolCalls,
      ]
    ) {
      meter.createObservableCounter(name).addCallback((result) => {
        const metric = byName().get(name);
        if (metric && metric.type !== "histogram") {
          for (const s of metric.samples) result.observe(s.value, s.labels);
        }
      });
    }
  }
}

/** The families of the census: sizes set by states and module versions, never by agents. */
function _censusFamilies(census: AgentCensusReadings): MetricValue[] {
  const one = (
    name: string,
    type: "counter" | "gauge",
    help: string,
    value: number,
  ): MetricValue => ({ name, help, type, samples: [{ labels: {}, value }] });
  const t = census.totals;
  return [
    one(METRIC.agentsActive, "gauge", "Agents with an instance now (activated)", census.active),
    one(
      METRIC.activations,
      "counter",
      "Agents activated by a message or timer",
      census.activations,
    ),
    one(
      METRIC.passivations,
      "counter",
      "Idle agents whose instance was passivated",
      census.passivations,
    ),
    ..._limitFamilies(census, one),
    {
      name: METRIC.agentsByModule,
      help: "Agents by module (hash prefix) and version",
      type: "gauge",
      samples: census.byModule.map((m) => ({
        labels: { module: m.module, version: String(m.version) },
        value: m.agents,
      })),
    },
    one(METRIC.allHandled, "counter", "Messages handled by all agents", t.handled),
    one(METRIC.allFailed, "counter", "Messages failed by all agents", t.failed),
    one(METRIC.allSent, "counter", "Messages sent by all agents", t.sent),
    one(METRIC.allTraps, "counter", "Traps of all agents", t.traps),
    one(METRIC.allFuel, "counter", "Fuel consumed by all agents", t.fuelUsed),
  ];
}

/** The live-instance limit's families (issue 21), when the node has a limit. */
function _limitFamilies(
  census: AgentCensusReadings,
  one: (name: string, type: "counter" | "gauge", help: string, value: number) => MetricValue,
): MetricValue[] {
  const max = census.maxLiveInstances;
  if (max === undefined || !Number.isFinite(max)) return [];
  return [
    one(METRIC.maxLiveInstances, "gauge", "Most live WASM instances the node makes", max),
    one(
      METRIC.instanceLimitRefusals,
      "counter",
      "Messages refused because the node held its most live instances, none idle",
      census.instanceLimitRefusals ?? 0,
    ),
    one(
      METRIC.instanceLimitPassivations,
      "counter",
      "Idle agents passivated early to make room for another's instance",
      census.instanceLimitPassivations ?? 0,
    ),
  ];
}
