/**
 * `caxton agent test`: builds an agent project, deploys it into a real node
 * started in this process (temp data dir, worker pool, no HTTP) and checks
 * each case of the project's `agent_test.json` — a message to send and the
 * fields the reply must have.
 */
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { startNode } from "../../main.ts";
import type { AclMessage } from "../acl/mod.ts";
import { defaultConfig } from "../config/mod.ts";
import { SILENT_LOGGER } from "../telemetry/mod.ts";
import { buildAgentProject, ProjectError, readProject } from "../toolchain/mod.ts";

/** The project's test spec file. */
export const PROJECT_TEST_FILE = "agent_test.json";

/** One case of `agent_test.json`. */
export interface ProjectTestCase {
  name: string;
  /** Sent to the agent from `ext:test`; performative defaults to `request`. */
  send: Partial<AclMessage>;
  /** Fields the reply must have, compared by value. */
  expect: Record<string, unknown>;
  /** How long to wait for the reply (default 5000 ms). */
  timeoutMs?: number;
}

/** How one case went. */
export interface ProjectTestResult {
  name: string;
  passed: boolean;
  reply?: AclMessage;
  /** Why it failed. */
  problem?: string;
}

/** What `caxton agent test` reports. */
export interface ProjectTestReport {
  agent: string;
  wasmBytes: number;
  results: ProjectTestResult[];
}

/**
 * Builds the project in `dir`, runs its cases against a fresh in-process node
 * and closes the node again.
 *
 * @throws {ProjectError} when the project or its spec cannot be read, or the
 *   build or the deploy fails.
 */
export async function testAgentProject(dir: string): Promise<ProjectTestReport> {
  const { name } = await readProject(dir);
  const cases = await _readCases(dir);
  const wasm = await buildAgentProject(dir);
  const dataDir = await Deno.makeTempDir({ prefix: `caxton-test-${name}-` });
  const node = await startNode({ ...defaultConfig(), dataDir, port: 0, workers: 1 }, {
    serve: false,
    logger: SILENT_LOGGER,
  });
  const waiting = new Map<string, (message: AclMessage) => void>();
  const inbox = node.router.registerExternal("ext:test", (message) => {
    waiting.get(message.conversationId ?? "")?.(message);
  });
  try {
    try {
      await node.agents.deploy(name, wasm);
    } catch (error) {
      throw new ProjectError(`Cannot deploy ${name}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const results: ProjectTestResult[] = [];
    for (const [index, testCase] of cases.entries()) {
      results.push(await _run(node.router, name, testCase, index, waiting));
    }
    return { agent: name, wasmBytes: wasm.length, results };
  } finally {
    inbox[Symbol.dispose]();
    await node.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

async function _run(
  router: { route(message: AclMessage): unknown },
  agent: string,
  testCase: ProjectTestCase,
  index: number,
  waiting: Map<string, (message: AclMessage) => void>,
): Promise<ProjectTestResult> {
  const message: AclMessage = {
    performative: "request",
    conversationId: `test-${index + 1}`,
    replyWith: `r-${index + 1}`,
    ...testCase.send,
    sender: "ext:test",
    receiver: [agent],
  } as AclMessage;
  const timeoutMs = testCase.timeoutMs ?? 5_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reply = await new Promise<AclMessage | undefined>((resolve) => {
    waiting.set(message.conversationId!, resolve);
    timer = setTimeout(() => resolve(undefined), timeoutMs);
    router.route(message);
  }).finally(() => {
    clearTimeout(timer);
    waiting.delete(message.conversationId!);
  });
  if (reply === undefined) {
    return { name: testCase.name, passed: false, problem: `no reply within ${timeoutMs} ms` };
  }
  const record = reply as unknown as Record<string, unknown>;
  const wrong = Object.entries(testCase.expect).filter(([key, value]) =>
    !isDeepStrictEqual(record[key], value)
  );
  if (wrong.length === 0) return { name: testCase.name, passed: true, reply };
  return {
    name: testCase.name,
    passed: false,
    reply,
    problem: wrong.map(([key, value]) =>
      `${key}: expected ${JSON.stringify(value)}, got ${JSON.stringify(record[key])}`
    ).join("; "),
  };
}

async function _readCases(dir: string): Promise<ProjectTestCase[]> {
  const file = join(dir, PROJECT_TEST_FILE);
  let spec: { tests?: unknown };
  try {
    spec = JSON.parse(await Deno.readTextFile(file));
  } catch (error) {
    throw new ProjectError(`Cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const tests = spec.tests;
  const valid = Array.isArray(tests) && tests.length > 0 &&
    tests.every((t) =>
      typeof t?.name === "string" && typeof t.send === "object" && t.send !== null &&
      typeof t.expect === "object" && t.expect !== null
    );
  if (!valid) {
    throw new ProjectError(
      `Cannot read ${file}: it needs "tests": [{"name", "send": {…}, "expect": {…}}, …]`,
    );
  }
  return tests as ProjectTestCase[];
}
