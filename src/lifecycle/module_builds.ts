/**
 * Compiled, metered builds of agent modules. Metering is the slow part of a
 * deploy, so a build of the same bytes under the same limits is made once:
 * kept compiled in memory, and its metered bytes kept in the store for the
 * next start of the node.
 */
import type { AgentLimits, ModulePreparer } from "../runtime/mod.ts";
import { AgentLoadError, firstSlice, METERING_VERSION } from "../runtime/mod.ts";
import type { AgentRecord, ModuleBuild, Store } from "../store/mod.ts";

/** Finds or makes the compiled build of a module for given limits. */
export class ModuleBuilds {
  readonly #store: Store;
  readonly #preparer: ModulePreparer;
  readonly #compiled = new Map<string, WebAssembly.Module>();

  constructor(store: Store, preparer: ModulePreparer) {
    this.#store = store;
    this.#preparer = preparer;
  }

  /** Validates, meters and compiles deployed bytes, reusing a build of the same bytes and limits. */
  async forDeploy(
    bytes: Uint8Array,
    limits: AgentLimits,
  ): Promise<{ hash: string; module: WebAssembly.Module }> {
    if (bytes.length > limits.maxModuleBytes) {
      // Let the preparer refuse it with its precise reason; never serve a cached build.
      await this.#preparer.prepare(bytes, _prepareOptions(limits));
    }
    const hash = await _sha256(bytes);
    const options = _buildKey(limits);
    const compiled = this.#compiled.get(`${hash}:${options}`);
    if (compiled) return { hash, module: compiled };
    const build = this.#store.modules.build(hash, options) ?? await this.#make(bytes, hash, limits);
    return { hash, module: await this.#compile(build) };
  }

  /** The build an agent runs: its current version's module under its current limits. */
  async forAgent(record: AgentRecord): Promise<WebAssembly.Module> {
    const { moduleHash, limits } = record;
    let build = this.#store.modules.build(moduleHash, _buildKey(limits));
    if (!build) {
      // Limits changed since the build was made: meter the stored original again.
      const original = this.#store.modules.original(moduleHash);
      if (!original) throw new AgentLoadError(record.name, "its module is missing from the store");
      build = await this.#make(original, moduleHash, limits);
    }
    return await this.#compile(build);
  }

  async #make(bytes: Uint8Array, hash: string, limits: AgentLimits): Promise<ModuleBuild> {
    const prepared = await this.#preparer.prepare(bytes, _prepareOptions(limits));
    const build = {
      hash,
      options: _buildKey(limits),
      metered: prepared.metered,
      hasInit: prepared.hasInit,
    };
    this.#store.modules.put(bytes, build);
    return build;
  }

  async #compile(build: ModuleBuild): Promise<WebAssembly.Module> {
    const key = `${build.hash}:${build.options}`;
    let module = this.#compiled.get(key);
    if (!module) {
      module = await WebAssembly.compile(build.metered as Uint8Array<ArrayBuffer>);
      this.#compiled.set(key, module);
    }
    return module;
  }
}

/**
 * What a metered build depends on, as a stable key. The metering version
 * keeps builds of an older metering (still in the store) from being reused.
 */
function _buildKey(limits: AgentLimits): string {
  return JSON.stringify({
    fuel: limits.fuelPerMessage,
    memoryPages: limits.memoryPages,
    metering: METERING_VERSION,
  });
}

function _prepareOptions(limits: AgentLimits) {
  return {
    memoryCapPages: limits.memoryPages,
    initialFuel: BigInt(firstSlice(limits.fuelPerMessage)),
    maxModuleBytes: limits.maxModuleBytes,
  };
}

async function _sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
