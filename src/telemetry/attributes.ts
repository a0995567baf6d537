/**
 * Span, attribute and metric names: one place, shared by spans, metrics and
 * log lines so each can be joined with the others.
 */

/** Span names. */
export const SPAN = {
  route: "caxton.route",
  deliver: "caxton.deliver",
  handle: "caxton.agent.handle",
  lifecycle: "caxton.lifecycle",
  toolCall: "caxton.tool.call",
  deployment: "caxton.deployment",
  deploymentStage: "caxton.deployment.stage",
  deploymentStep: "caxton.deployment.step",
} as const;

/** Attribute keys (OpenTelemetry messaging conventions where one fits). */
export const ATTR = {
  messagingSystem: "messaging.system",
  messagingOperation: "messaging.operation.type",
  destination: "messaging.destination.name",
  performative: "caxton.acl.performative",
  conversationId: "caxton.conversation.id",
  sender: "caxton.acl.sender",
  receiver: "caxton.acl.receiver",
  protocol: "caxton.acl.protocol",
  agentName: "caxton.agent.name",
  fuelUsed: "caxton.agent.fuel_used",
  outcome: "caxton.outcome",
  failure: "caxton.failure",
  operation: "caxton.lifecycle.operation",
  toolServer: "caxton.tool.server",
  toolName: "caxton.tool.name",
  httpMethod: "http.request.method",
  httpRoute: "http.route",
  httpStatus: "http.response.status_code",
  deploymentId: "caxton.deployment.id",
  strategy: "caxton.deployment.strategy",
  stage: "caxton.deployment.stage",
  stepKind: "caxton.deployment.step",
  share: "caxton.deployment.share",
  result: "caxton.deployment.result",
  status: "caxton.deployment.status",
  traceId: "trace_id",
  spanId: "span_id",
} as const;

/** Metric names, as exported over OTLP and rendered for Prometheus. */
export const METRIC = {
  agents: "caxton_agents",
  messagesRouted: "caxton_messages_routed_total",
  messagesHandled: "caxton_agent_messages_handled_total",
  messagesFailed: "caxton_agent_messages_failed_total",
  messagesSent: "caxton_agent_messages_sent_total",
  deliveryLatency: "caxton_delivery_latency_seconds",
  mailboxDepth: "caxton_agent_mailbox_depth",
  fuelConsumed: "caxton_agent_fuel_used_total",
  traps: "caxton_agent_traps_total",
  apiRequestDuration: "caxton_api_request_duration_seconds",
  toolCalls: "caxton_tool_calls_total",
  // Bounded by states and module versions, never by agents (issue 21).
  agentsActive: "caxton_agents_active",
  activations: "caxton_agent_activations_total",
  passivations: "caxton_agent_passivations_total",
  maxLiveInstances: "caxton_instances_live_max",
  instanceLimitRefusals: "caxton_instance_limit_refusals_total",
  instanceLimitPassivations: "caxton_instance_limit_passivations_total",
  agentsByModule: "caxton_agents_by_module",
  allHandled: "caxton_agents_messages_handled_total",
  allFailed: "caxton_agents_messages_failed_total",
  allSent: "caxton_agents_messages_sent_total",
  allTraps: "caxton_agents_traps_total",
  allFuel: "caxton_agents_fuel_used_total",
  // Deployments (issue 16): by strategy, stage, step kind and outcome, never by agent.
  deployments: "caxton_deployments_total",
  deploymentsActive: "caxton_deployments_active",
  deploymentStageSeconds: "caxton_deployment_stage_seconds",
  deploymentSteps: "caxton_deployment_steps_total",
} as const;
