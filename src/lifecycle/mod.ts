/**
 * @module
 * The agent lifecycle (Unloaded → Loaded → Running → Draining → Stopped, and
 * Failed) and the manager of deployments, hot reload and recovery.
 */
export {
  AGENT_STATES,
  assertTransition,
  canTransition,
  IllegalTransitionError,
} from "./agent_state.ts";
export type { AgentState } from "./agent_state.ts";
export { AgentManager } from "./agent_manager.ts";
export { AgentNotFoundError } from "./agent_table.ts";
export type { AgentManagerDeps, AgentView } from "./agent_table.ts";
export type { AgentQuery } from "./agent_listing.ts";
export type { ActivationFigures } from "./activation.ts";
export { maxLiveInstances } from "./instance_limit.ts";
export type { AgentCensus, AgentFigures } from "./agent_census.ts";
export type { AgentCounters } from "./live_agent.ts";
export type { BulkDeployOptions, BulkDeployResult } from "./bulk_deploy.ts";
export { AgentsExistError, MAX_BULK_AGENTS, namesFromPattern } from "./bulk_deploy.ts";
export { SaturationWatch } from "./saturation.ts";
export type { SaturatedWorker } from "./saturation.ts";
export { InvalidDeploymentError } from "./deploy_options.ts";
export type { DeployOptions } from "./deploy_options.ts";
export { MAX_INSTANCES, parseInstances } from "./pool_size.ts";
export type { InstanceRange } from "./pool_size.ts";
export type { DirectoryListing, TimerSink } from "./effects.ts";
