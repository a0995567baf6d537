/**
 * @module
 * Observability for Caxton's components: the JSON logger, spans (route,
 * deliver, agent handle, lifecycle, API request, tool call) exported by
 * Caxton's own OTLP exporter (the OpenTelemetry JS SDK; Deno's built-in one
 * under OTEL_DENO=true), the metrics (OTLP and Prometheus text), and
 * the conversation's timing tree (`GET /api/v1/conversations/{id}/trace`). `@opentelemetry/api` is
 * imported here and nowhere else.
 */
export { createJsonLogger, LOG_LEVELS, SILENT_LOGGER } from "./logger.ts";
export type { Logger, LogLevel } from "./logger.ts";
export { RepeatAggregator } from "./repeats.ts";
export type { RepeatAggregatorOptions } from "./repeats.ts";
export { ATTR, METRIC, SPAN } from "./attributes.ts";
export { Telemetry } from "./tracing.ts";
export type { HandledDelivery, TelemetryOptions } from "./tracing.ts";
export { CaxtonMetrics, LATENCY_BUCKETS } from "./metrics.ts";
export type { DeploymentMetrics } from "./deployment_metrics.ts";
export { DeploymentSpans } from "./deployment_spans.ts";
export type { DeploymentSpanInfo } from "./deployment_spans.ts";
export type {
  AgentCensusReadings,
  AgentReadings,
  CaxtonMetricsOptions,
  MetricValue,
} from "./metrics.ts";
export { PROMETHEUS_CONTENT_TYPE, renderFamilies, renderPrometheus } from "./prometheus.ts";
export { requestTelemetry } from "./http.ts";
export type { TracingEnv } from "./http.ts";
export { DEFAULT_SERVICE_NAME, startOtlpExport } from "./otlp_export.ts";
export type { OtlpExport } from "./otlp_export.ts";
export { exportingLogs } from "./otlp_logs.ts";
export { toolCallSpan } from "./tool_call.ts";
export type { ToolCallEnd } from "./tool_call.ts";
export { isSampled, sampledAtRatio } from "./sampling.ts";
export { RecentAgentLogs } from "./recent_logs.ts";
export type { RecentAgentLogsOptions, RecentLogLine } from "./recent_logs.ts";
export { conversationTrace } from "./conversation_tree.ts";
export type { ConversationTrace, TracedDelivery, TraceNode } from "./conversation_tree.ts";
