/**
 * Bulk deploy (issue 21): many agents from one module in one call. The module
 * is validated, metered and compiled once, and instantiated once as a probe
 * (its start function and `caxton_init` must run, and what `caxton_init`
 * registers becomes every agent's capabilities); then the agents are written
 * in a few large transactions and adopted without an instance — each is
 * activated by its first message, like any passivated agent.
 */
import { resolveLimits } from "../runtime/mod.ts";
import type { AgentTable } from "./agent_table.ts";
import { isPooled, poolSize } from "./pool_size.ts";
import {
  declaredCapabilities,
  deployedLanguage,
  type DeployOptions,
  InvalidDeploymentError,
  isAgentName,
  validateDeployment,
} from "./deploy_options.ts";

/** Agents written per transaction: big enough to be fast, small enough to let requests in between. */
const _CHUNK = 5_000;

/** What a bulk deploy did. */
export interface BulkDeployResult {
  /** Agents created. */
  deployed: number;
  /** Their names, first and last, in the order given. */
  first: string;
  last: string;
  moduleHash: string;
  /** Each agent's capabilities (declared, and registered by the probe's `caxton_init`). */
  capabilities: string[];
}

/** Options of {@linkcode deployMany}: one deployment's, and a progress report. */
export interface BulkDeployOptions extends DeployOptions {
  /** Told after each transaction how many agents exist so far. */
  onProgress?: (deployed: number) => void;
}

/** Deploys `names` as new agents of one module; refuses, creating nothing, if any name is taken. */
export async function deployMany(
  agents: AgentTable,
  names: readonly string[],
  bytes: Uint8Array,
  options: BulkDeployOptions = {},
): Promise<BulkDeployResult> {
  _checkNames(agents, names, options);
  const limits = resolveLimits(options.limits ?? {}, agents.deps.defaults);
  const isolation = options.isolation ?? "shared";
  const { hash, module } = await agents.builds.forDeploy(bytes, limits);
  const language = deployedLanguage(bytes, options);
  // One probe instance proves the module starts; it is unloaded at once.
  const probe = await agents.deps.pool.load({
    agentName: names[0]!,
    module,
    limits,
    isolation,
    state: new Map(),
  });
  agents.deps.pool.unload(probe.instanceId);
  const byName = new Map(declaredCapabilities(options).map((c) => [c.name, c]));
  for (const c of probe.effects.capabilities) if (!byName.has(c.name)) byName.set(c.name, c);
  const capabilities = [...byName.values()];
  const claims = agents.deps.names;
  const claimed: string[] = [];
  try {
    for (const name of names) {
      await claims?.claim(name);
      claimed.push(name);
    }
  } catch (error) {
    await Promise.all(claimed.map((name) => claims!.release(name).catch(() => {})));
    throw error;
  }
  const start = options.start !== false;
  const moves = start
    ? [{ to: "loaded", reason: "deployed" }, { to: "running", reason: "started" }] as const
    : [{ to: "loaded", reason: "deployed" }] as const;
  const store = agents.deps.store;
  let deployed = 0;
  for (let from = 0; from < names.length; from += _CHUNK) {
    const records = store.transaction(() =>
      store.agents.createMany({
        names: names.slice(from, from + _CHUNK),
        moduleHash: hash,
        language,
        isolation,
        limits,
        tools: options.tools ? [...new Set(options.tools)] : undefined,
        toolLimits: options.toolLimits,
        keepAlive: options.keepAlive,
        capabilities,
        moves,
      })
    );
    for (const record of records) {
      const live = agents.adopt(record);
      live.module = module;
      if (start) agents.run(live);
      if (start && record.keepAlive) void agents.activation.activate(live);
    }
    deployed += records.length;
    options.onProgress?.(deployed);
    // Let other requests in between transactions.
    if (deployed < names.length) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return {
    deployed,
    first: names[0]!,
    last: names.at(-1)!,
    moduleHash: hash,
    capabilities: capabilities.map((c) => c.name),
  };
}

function _checkNames(agents: AgentTable, names: readonly string[], options: DeployOptions): void {
  if (names.length === 0) throw new InvalidDeploymentError("Cannot deploy no agents: give names");
  validateDeployment(names[0]!, options);
  if (options.instances !== undefined && isPooled(poolSize(options.instances))) {
    throw new InvalidDeploymentError(
      "Cannot deploy pooled agents in bulk: deploy a pool by its name (docs/POOLS.md)",
    );
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (!isAgentName(name)) validateDeployment(name, {}); // throws with the reason
    if (seen.has(name)) {
      throw new InvalidDeploymentError(`Cannot deploy agent "${name}" twice in one bulk deploy`);
    }
    seen.add(name);
  }
  // Adopted or not, every agent is in the store: one query for the whole batch.
  const taken = agents.deps.store.agents.lookups.taken(names);
  if (taken.length > 0) throw new AgentsExistError(taken);
}

/** Raised when a bulk deploy names agents that exist already (nothing is deployed). */
export class AgentsExistError extends Error {
  readonly code = "agents_exist";
  constructor(readonly agents: readonly string[]) {
    super(
      `Cannot bulk-deploy: ${agents.length} of the names exist already (${
        agents.slice(0, 5).map((n) => `"${n}"`).join(", ")
      }${agents.length > 5 ? ", …" : ""})`,
    );
    this.name = "AgentsExistError";
  }
}

/** The most agents one bulk deploy creates. */
export const MAX_BULK_AGENTS = 1_000_000;

/**
 * Names from a template: `{n}` in `pattern` is replaced by `start`,
 * `start + 1`, … (`count` names); without `{n}`, `-<n>` is appended.
 */
export function namesFromPattern(pattern: string, count: number, start = 1): string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_BULK_AGENTS) {
    throw new InvalidDeploymentError(
      `Cannot deploy ${count} agents: count must be an integer from 1 to ${MAX_BULK_AGENTS}`,
    );
  }
  if (!Number.isInteger(start) || start < 0) {
    throw new InvalidDeploymentError(`Cannot number agents from ${start}: use an integer >= 0`);
  }
  const template = pattern.includes("{n}") ? pattern : `${pattern}-{n}`;
  return Array.from({ length: count }, (_, i) => template.replaceAll("{n}", String(start + i)));
}
