/**
 * One agent deployed by name: a new agent, a new version of a stopped one, or
 * a hot reload of a running one. The caller holds the agent's lock.
 */
import { resolveLimits } from "../runtime/mod.ts";
import type { AgentTable, AgentView } from "./agent_table.ts";
import { deployedLanguage, type DeployOptions, InvalidDeploymentError } from "./deploy_options.ts";
import { hotReload } from "./hot_reload.ts";
import { takeInstances } from "./instance_pool.ts";
import { type PoolSize, poolSize } from "./pool_size.ts";

/** Deploys `bytes` as agent `name`, replacing the version it runs if it exists. */
export async function deployOne(
  agents: AgentTable,
  name: string,
  bytes: Uint8Array,
  options: DeployOptions,
): Promise<AgentView> {
  const existing = agents.find(name);
  const limits = resolveLimits(
    options.limits ?? {},
    existing?.record.limits ?? agents.deps.defaults,
  );
  const { hash, module } = await agents.builds.forDeploy(bytes, limits);
  const language = deployedLanguage(bytes, options);
  const isolation = options.isolation ?? existing?.record.isolation ?? "shared";
  const store = agents.deps.store;
  const tools = options.tools ? [...new Set(options.tools)] : undefined;
  const toolLimits = options.toolLimits ? { ...options.toolLimits } : undefined;
  if (existing && options.keepAlive !== undefined) {
    store.agents.setKeepAlive(existing.record.id, options.keepAlive);
    existing.record = { ...existing.record, keepAlive: options.keepAlive };
  }
  const sizeBefore: PoolSize | undefined = existing && {
    instances: existing.record.instances,
    maxInstances: existing.record.maxInstances,
  };
  const setSize = (size: PoolSize) => {
    store.agents.setInstances(existing!.record.id, size.instances, size.maxInstances);
    existing!.record = { ...existing!.record, ...size };
  };
  const size = options.instances === undefined ? undefined : poolSize(options.instances);
  if (existing && size) setSize(size);
  if (existing && (tools || toolLimits)) {
    const next = {
      tools: tools ?? existing.record.tools,
      toolLimits: toolLimits ?? existing.record.toolLimits,
    };
    store.agents.setTools(existing.record.id, next.tools, next.toolLimits);
    existing.record = { ...existing.record, ...next };
  }
  if (!existing) {
    const record = store.agents.create({
      name,
      moduleHash: hash,
      language,
      isolation,
      limits,
      tools,
      toolLimits,
      keepAlive: options.keepAlive,
      ...size,
    });
    const live = agents.adopt(record);
    live.module = module;
    agents.transition(live, "loaded", "deployed");
    try {
      return await agents.loadDeployed(live, options.start !== false);
    } catch (error) {
      // A first deploy that cannot load leaves nothing: not listed, the name free (issue 13).
      agents.discard(live);
      throw error;
    }
  }
  if (existing.record.state === "running") {
    return await hotReload(agents, existing, hash, module, limits, isolation, language).catch(
      (error) => {
        // The old version keeps serving with the members it had.
        if (size) setSize(sizeBefore!);
        throw error;
      },
    );
  }
  if (existing.record.state === "draining") {
    throw new InvalidDeploymentError(
      `Cannot deploy agent "${name}" while it is draining; wait until it is stopped`,
    );
  }
  // Loaded, Stopped or Failed: a new version, loaded afresh. It is instantiated before it
  // replaces the old one, so a version that cannot load leaves the agent as it was (issue 13).
  const next = await agents.startInstance(existing, module, limits, isolation);
  agents.unload(existing);
  agents.newVersion(existing, hash, limits, isolation, language);
  existing.module = module;
  takeInstances(agents, existing, next);
  if (existing.record.state !== "loaded") agents.transition(existing, "loaded", "redeployed");
  if (options.start !== false) agents.run(existing);
  return agents.view(existing);
}
