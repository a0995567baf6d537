/**
 * One agent instance inside a worker: instantiation with the ABI v1 host
 * functions, and the metered handling of one message. Runs on the worker
 * thread; nothing here blocks, and every host function has a bounded cost.
 */
import { nextTraceparent } from "../acl/mod.ts";
import { MAX_CAPABILITY_BYTES, parseRegisteredCapability } from "./capability.ts";
import { FuelMeter, REFUEL_IMPORT } from "./fuel_meter.ts";
import type { AgentLimits } from "../config/mod.ts";
import type { Effects, RunFailureCode } from "./worker_protocol.ts";
import { failedRun, type RunFailure, trapFailure } from "./run_failure.ts";
import { TimerIds } from "./timer_ids.ts";

const _MAX_LOG_BYTES = 4096;
const _MAX_KEY_BYTES = 256;
const _MAX_VALUE_BYTES = 65_536;
const _MAX_KEYS = 1024;
const _MAX_SENDS_PER_RUN = 1024;
const _MAX_LOGS_PER_RUN = 256;
/** Timers one message may set or cancel; the node also caps each agent's pending timers. */
const _MAX_TIMERS_PER_RUN = 64;
const _MAX_TIMER_PAYLOAD_BYTES = 4096;
/** Longest delay `set_timer` takes: one year. */
const _MAX_TIMER_DELAY_MS = 31_536_000_000;

const _encoder = new TextEncoder();
const _decoder = new TextDecoder("utf-8", { fatal: true });

/** Return codes of host functions (docs/ABI.md). */
export const HostCode = {
  ok: 0,
  invalid: -1,
  mailboxFull: -2,
  tooLarge: -3,
  quota: -4,
  /** The call is not allowed to this instance: a pooled member writes no state, sets no timer. */
  refused: -5,
} as const;

interface _AgentExports {
  memory: WebAssembly.Memory;
  caxton_alloc: (len: number) => number;
  caxton_handle: (ptr: number, len: number) => number;
  caxton_init?: () => number;
  caxton_fuel: WebAssembly.Global;
}

function _emptyEffects(): Effects {
  return { sends: [], stateChanges: [], logs: [], capabilities: [], fuelUsed: 0 };
}

/**
 * Takes a message the agent sent (sender and traceparent set) for delivery
 * inside this worker: returns the host code for the agent, or undefined to
 * leave it to the main thread (it then appears in the effects' `sends`).
 */
export type LocalRoute = (
  message: Record<string, unknown>,
  text: string,
  /** The traceparent of the handling that sent it. */
  cause: string | undefined,
) => number | undefined;

/** The outcome of running agent code once. */
export interface RunResult {
  effects: Effects;
  failure: string | null;
  /** Why, for programs: the `code` of the `failure` the sender gets. */
  failureCode?: RunFailureCode;
  trapped: boolean;
}

/** An instantiated agent with its state cache. */
export class AgentInstance {
  readonly #name: string;
  readonly #limits: AgentLimits;
  readonly #state: Map<string, Uint8Array>;
  readonly #congested: ReadonlySet<string>;
  readonly #localRoute: LocalRoute | undefined;
  /** A pool member (docs/POOLS.md): state writes and timers are refused. */
  readonly #stateless: boolean;
  /** The traceparent of the message being handled. */
  #cause: string | undefined;
  /** Messages sent directly during the current run. */
  #sentLocally = 0;
  #exports!: _AgentExports;
  #effects: Effects = _emptyEffects();
  readonly #meter = new FuelMeter();
  readonly #timerIds = new TimerIds();

  private constructor(
    name: string,
    limits: AgentLimits,
    state: Map<string, Uint8Array>,
    congested: ReadonlySet<string>,
    localRoute: LocalRoute | undefined,
    stateless: boolean,
  ) {
    this.#stateless = stateless;
    this.#name = name;
    this.#limits = limits;
    this.#state = state;
    this.#congested = congested;
    this.#localRoute = localRoute;
  }

  /** The agent's name. */
  get name(): string {
    return this.#name;
  }

  /** Writes what another version of the agent stored into this cache (value null: deleted). */
  patchState(changes: readonly { key: string; value: Uint8Array | null }[]): void {
    for (const { key, value } of changes) {
      if (value === null) this.#state.delete(key);
      else this.#state.set(key, value);
    }
  }

  /** Messages the last run sent directly, inside the worker. */
  get sentLocally(): number {
    return this.#sentLocally;
  }

  /** The size of the agent's linear memory now, in bytes. */
  get memoryBytes(): number {
    return this.#exports.memory.buffer.byteLength;
  }

  /**
   * Instantiates a metered module and runs its start function and `caxton_init`,
   * both under the fuel budget. Throws with the reason when either fails.
   */
  static create(
    name: string,
    module: WebAssembly.Module,
    limits: AgentLimits,
    state: Map<string, Uint8Array>,
    congested: ReadonlySet<string> = new Set(),
    localRoute?: LocalRoute,
    stateless = false,
  ): { instance: AgentInstance; effects: Effects } {
    const agent = new AgentInstance(name, limits, state, congested, localRoute, stateless);
    let instance: WebAssembly.Instance;
    try {
      // The start function runs here, on the first slice baked into the fuel
      // global at deploy, under the same budget and deadline as a message.
      agent.#meter.begin(limits.fuelPerMessage, limits.deadlineMs);
      instance = new WebAssembly.Instance(module, {
        caxton: agent.#hostFunctions(),
        [REFUEL_IMPORT.module]: { [REFUEL_IMPORT.base]: agent.#meter.refuel },
      });
    } catch (error) {
      const failure = trapFailure(error);
      const reason = failure
        ? `start function failed: ${failure.reason}`
        : `instantiation failed: ${(error as Error).message}`;
      throw new Error(reason);
    }
    agent.#exports = instance.exports as unknown as _AgentExports;
    const init = agent.#exports.caxton_init;
    if (init) {
      const result = agent.#run(() => {
        const code = init();
        return code === 0 ? null : failedRun("handling_failed", `returned ${code}`);
      });
      if (result.failure) throw new Error(`caxton_init: ${result.failure}`);
      return { instance: agent, effects: result.effects };
    }
    return { instance: agent, effects: _emptyEffects() };
  }

  /** Delivers one message (JSON text) under a fresh fuel budget and deadline. */
  handle(message: string, traceparent?: string): RunResult {
    this.#cause = traceparent;
    const bytes = _encoder.encode(message);
    return this.#run(() => {
      const exports = this.#exports;
      const ptr = exports.caxton_alloc(bytes.length);
      if (ptr === 0) {
        return failedRun("out_of_memory", "caxton_alloc returned 0 (the agent is out of memory)");
      }
      const size = exports.memory.buffer.byteLength;
      // Unsigned: a pointer past 2 GiB comes back from an i32 negative.
      const start = ptr >>> 0;
      if (start + bytes.length > size) {
        return failedRun(
          "bad_pointer",
          `caxton_alloc(${bytes.length}) returned ${start}, out of bounds of the agent's ` +
            `${size}-byte memory`,
          true,
        );
      }
      new Uint8Array(exports.memory.buffer, start, bytes.length).set(bytes);
      const code = exports.caxton_handle(start, bytes.length);
      return code === 0 ? null : failedRun(
        "handling_failed",
        `caxton_handle returned ${code} (the agent reports it failed the message)`,
      );
    });
  }

  #run(call: () => RunFailure | null): RunResult {
    const fuel = this.#exports.caxton_fuel;
    fuel.value = BigInt(this.#meter.begin(this.#limits.fuelPerMessage, this.#limits.deadlineMs));
    this.#effects = _emptyEffects();
    this.#sentLocally = 0;
    let failure: RunFailure | null;
    let thrown: unknown;
    try {
      failure = call();
    } catch (error) {
      thrown = error;
      failure = trapFailure(error) ??
        failedRun("handling_failed", `error: ${(error as Error)?.message ?? String(error)}`, true);
    }
    const effects = this.#effects;
    effects.fuelUsed = this.#meter.used(fuel.value as bigint, thrown);
    this.#effects = _emptyEffects();
    // A failed message sets no timer: timers commit with the message that set them.
    if (failure !== null) delete effects.timers;
    if (failure === null) return { effects, failure: null, trapped: false };
    return {
      effects,
      failure: failure.reason,
      failureCode: failure.code,
      trapped: failure.trapped,
    };
  }

  #bytes(ptr: number, len: number): Uint8Array {
    const memory = this.#exports.memory.buffer;
    if (ptr < 0 || len < 0 || ptr + len > memory.byteLength) {
      throw new WebAssembly.RuntimeError("memory access out of bounds");
    }
    return new Uint8Array(memory, ptr, len);
  }

  #text(ptr: number, len: number): string | null {
    try {
      return _decoder.decode(this.#bytes(ptr, len));
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError) throw error;
      return null;
    }
  }

  #hostFunctions(): Record<string, (...args: never[]) => unknown> {
    return {
      send: (ptr: number, len: number): number => this.#send(ptr, len),
      // Functions that move bytes check the deadline first: a loop of such
      // calls can take far longer per fuel slice than plain code.
      log: (level: number, ptr: number, len: number): void => {
        this.#meter.check();
        if (this.#effects.logs.length >= _MAX_LOGS_PER_RUN) return;
        const cut = Math.min(len, _MAX_LOG_BYTES);
        const text = new TextDecoder().decode(this.#bytes(ptr, cut));
        this.#effects.logs.push({ level: Math.max(0, Math.min(4, level)), text, atMs: Date.now() });
      },
      state_get: (kp: number, kl: number, vp: number, vcap: number): number => {
        this.#meter.check();
        const key = this.#text(kp, kl);
        const value = key === null ? undefined : this.#state.get(key);
        if (value === undefined) return HostCode.invalid;
        const target = this.#bytes(vp, Math.max(0, vcap));
        target.set(value.subarray(0, Math.min(value.length, vcap)));
        return value.length;
      },
      state_set: (kp: number, kl: number, vp: number, vl: number): number => {
        this.#meter.check();
        if (this.#stateless) return HostCode.refused;
        if (kl > _MAX_KEY_BYTES || vl > _MAX_VALUE_BYTES) return HostCode.tooLarge;
        const key = this.#text(kp, kl);
        if (key === null) return HostCode.invalid;
        if (!this.#state.has(key) && this.#state.size >= _MAX_KEYS) return HostCode.quota;
        const value = this.#bytes(vp, vl).slice();
        this.#state.set(key, value);
        this.#effects.stateChanges.push({ key, value });
        return HostCode.ok;
      },
      state_delete: (kp: number, kl: number): number => {
        if (this.#stateless) return HostCode.refused;
        const key = this.#text(kp, kl);
        if (key === null || !this.#state.delete(key)) return HostCode.invalid;
        this.#effects.stateChanges.push({ key, value: null });
        return HostCode.ok;
      },
      now_ms: (): bigint => BigInt(Date.now()),
      set_timer: (delay: bigint, ptr: number, len: number): bigint => {
        this.#meter.check();
        if (this.#stateless) return BigInt(HostCode.refused);
        if (len > _MAX_TIMER_PAYLOAD_BYTES) return BigInt(HostCode.tooLarge);
        const payload = this.#text(ptr, len);
        if (payload === null || delay < 0n || delay > BigInt(_MAX_TIMER_DELAY_MS)) {
          return BigInt(HostCode.invalid);
        }
        const timers = this.#effects.timers ??= [];
        if (timers.length >= _MAX_TIMERS_PER_RUN) return BigInt(HostCode.quota);
        const id = this.#timerIds.next();
        timers.push({ kind: "set", id, delayMs: Number(delay), payload });
        return BigInt(id);
      },
      cancel_timer: (id: bigint): number => {
        if (this.#stateless) return HostCode.refused;
        if (id <= 0n || id > BigInt(Number.MAX_SAFE_INTEGER)) return HostCode.invalid;
        const timers = this.#effects.timers ??= [];
        if (timers.length >= _MAX_TIMERS_PER_RUN) return HostCode.quota;
        timers.push({ kind: "cancel", id: Number(id) });
        return HostCode.ok;
      },
      register_capability: (ptr: number, len: number): number => {
        const text = len > MAX_CAPABILITY_BYTES ? null : this.#text(ptr, len);
        const declared = text === null ? null : parseRegisteredCapability(text);
        if (declared === null) return HostCode.invalid;
        // One entry per name; the main thread merges them as effects.ts says.
        const all = this.#effects.capabilities;
        const known = all.findIndex((c) => c.name === declared.name);
        if (known < 0) all.push(declared);
        else if (Object.keys(declared).length > 1) {
          all[known] = declared;
        }
        return HostCode.ok;
      },
    };
  }

  #send(ptr: number, len: number): number {
    this.#meter.check();
    if (len > this.#limits.maxMessageBytes) return HostCode.tooLarge;
    if (this.#effects.sends.length + this.#sentLocally >= _MAX_SENDS_PER_RUN) return HostCode.quota;
    const text = this.#text(ptr, len);
    if (text === null) return HostCode.invalid;
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text);
    } catch {
      return HostCode.invalid;
    }
    if (
      typeof message !== "object" || message === null || Array.isArray(message) ||
      typeof message.performative !== "string" || message.receiver === undefined
    ) return HostCode.invalid;
    // Backpressure the agent can see: nothing is sent when a receiver is full.
    if (this.#congested.size > 0) {
      const receivers = Array.isArray(message.receiver) ? message.receiver : [message.receiver];
      for (const receiver of receivers) {
        if (typeof receiver === "string" && this.#congested.has(receiver)) {
          return HostCode.mailboxFull;
        }
      }
    }
    // An agent speaks only as itself, within the trace of what it is handling.
    message.sender = this.#name;
    message.traceparent = nextTraceparent(
      this.#cause ?? (typeof message.traceparent === "string" ? message.traceparent : undefined),
    );
    const json = JSON.stringify(message);
    const local = this.#localRoute?.(message, json, this.#cause);
    if (local === undefined) {
      this.#effects.sends.push(json);
      return HostCode.ok;
    }
    if (local === HostCode.ok) this.#sentLocally++;
    return local;
  }
}
