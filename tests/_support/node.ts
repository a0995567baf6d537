/**
 * One way to build a real node for tests: real SQLite file in a temp dir, a
 * real worker pool, agents built from source by `deno task build:agents`.
 */
import { join } from "node:path";
import { type CaxtonNode, startNode, type StartOptions } from "../../main.ts";
import { type CaxtonConfig, defaultConfig } from "../../src/config/mod.ts";
import type { AclMessage } from "../../src/acl/mod.ts";
import { type Logger, type LogLevel, SILENT_LOGGER } from "../../src/telemetry/mod.ts";

const AGENTS_DIR = new URL("../../build/agents/", import.meta.url);

/** Bytes of an agent built by scripts/build_agents.ts (e.g. "echo_wat"). */
export function agentBytes(name: string): Uint8Array<ArrayBuffer> {
  try {
    return Deno.readFileSync(new URL(`${name}.wasm`, AGENTS_DIR));
  } catch {
    throw new Error(`build/agents/${name}.wasm is missing: run \`deno task build:agents\` first`);
  }
}

/** A temp data dir removed when disposed. */
export function tempDataDir(): { path: string } & Disposable {
  const path = Deno.makeTempDirSync({ prefix: "caxton-test-" });
  return { path, [Symbol.dispose]: () => Deno.removeSync(path, { recursive: true }) };
}

/** Starts a node on a temp data dir (or the given one), without HTTP unless asked. */
export function startTestNode(
  overrides: Partial<CaxtonConfig> & { dataDir: string },
  options: { serve?: boolean; logger?: Logger; onToolCall?: StartOptions["onToolCall"] } = {},
): Promise<CaxtonNode> {
  const config: CaxtonConfig = {
    ...defaultConfig(),
    port: 0,
    workers: 2,
    ...overrides,
  };
  return startNode(config, {
    serve: options.serve ?? false,
    logger: options.logger ?? SILENT_LOGGER,
    onToolCall: options.onToolCall,
  });
}

/** A logger that keeps every line, fields flattened beside `level` and `msg`. */
export function capturingLogger(): Logger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    log: (level: LogLevel, msg: string, fields: Record<string, unknown> = {}) =>
      lines.push({ level, msg, ...fields }),
  };
}

/** An outside participant that collects what it receives. */
export class TestParticipant implements Disposable {
  readonly name: string;
  readonly received: AclMessage[] = [];
  readonly #node: CaxtonNode;
  readonly #registration: Disposable;
  #waiters: { match: (m: AclMessage) => boolean; resolve: (m: AclMessage) => void }[] = [];

  constructor(node: CaxtonNode, name = `ext:test-${crypto.randomUUID().slice(0, 8)}`) {
    this.name = name;
    this.#node = node;
    this.#registration = node.router.registerExternal(name, (message) => {
      this.received.push(message);
      const waiter = this.#waiters.find((w) => w.match(message));
      if (waiter) {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        waiter.resolve(message);
      }
    });
  }

  /** Sends `message` as this participant. */
  send(message: Omit<AclMessage, "sender">): void {
    this.#node.router.route({ ...message, sender: this.name });
  }

  /** Sends a request and resolves with the reply (matched by inReplyTo), or rejects after `timeoutMs`. */
  async request(receiver: string, content: unknown, timeoutMs = 5_000): Promise<AclMessage> {
    const replyWith = crypto.randomUUID();
    const reply = this.next((m) => m.inReplyTo === replyWith, timeoutMs);
    this.send({ performative: "request", receiver: [receiver], content, replyWith });
    return await reply;
  }

  /** Resolves with the next message received that matches. */
  next(match: (m: AclMessage) => boolean, timeoutMs = 5_000): Promise<AclMessage> {
    const already = this.received.find(match);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no matching message for ${this.name} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (m: AclMessage) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.#waiters.push({ match, resolve: done });
    });
  }

  [Symbol.dispose](): void {
    this.#registration[Symbol.dispose]();
  }
}

export { join };

/**
 * Resolves once `done()` holds, polling every 5 ms (an async check, e.g. an
 * HTTP call, is awaited before the next); rejects naming `what` after `ms`.
 */
export async function until(
  done: () => boolean | Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
