/**
 * Reading a deploy's body: raw `application/wasm` with settings in the query,
 * or multipart with a `module` file part and text parts, each checked with a
 * problem that says how to send it.
 */
import type { Context } from "hono";
import { type DeployOptions, type InstanceRange, parseInstances } from "../lifecycle/mod.ts";
import type { CapabilityDeclaration, Isolation } from "../runtime/mod.ts";
import { requireMediaType } from "./body.ts";
import { problem, ProblemError } from "./problem_details.ts";

/** What a deployment asks for, from either body shape. */
export interface Deployment {
  bytes: Uint8Array;
  limits: Record<string, unknown>;
  isolation?: Isolation;
  /** Names, or `{ name, description?, example? }` objects (checked by the deployment). */
  capabilities?: (string | CapabilityDeclaration)[];
  /** MCP tool grants and the agent's own tool limits (docs/MCP.md). */
  tools?: string[];
  toolLimits?: Record<string, number>;
  start: boolean;
  /** Never passivated when idle (issue 21); absent keeps a redeployed agent's setting. */
  keepAlive?: boolean;
  /** Pool members, or `{min, max}` (docs/POOLS.md); absent keeps a redeployed agent's size. */
  instances?: number | InstanceRange;
  /** The module's source language as stated; absent, it is detected (issue 19). */
  language?: string;
}

/** A deployment's settings, as the agent manager takes them (one agent or many). */
export function deployOptions(d: Deployment): DeployOptions {
  return {
    limits: d.limits,
    isolation: d.isolation,
    capabilities: d.capabilities,
    tools: d.tools,
    toolLimits: d.toolLimits,
    start: d.start,
    keepAlive: d.keepAlive,
    instances: d.instances,
    language: d.language,
  };
}

/**
 * Reads the module and its settings from either body shape; `fromCluster`
 * gives the module of a deploy forwarded with only its hash (cluster_modules.ts).
 */
export async function readDeployment(
  c: Context,
  fromCluster?: () => Promise<Uint8Array>,
): Promise<Deployment> {
  const type = requireMediaType(c, ["application/wasm", "multipart/form-data"]);
  if (type === "application/wasm") {
    const query = c.req.query();
    const limits: Record<string, unknown> = {};
    const toolLimits: Record<string, number> = {};
    for (const [key, value] of Object.entries(query)) {
      if (key.startsWith("limits.")) limits[key.slice("limits.".length)] = Number(value);
      if (key.startsWith("toolLimits.")) {
        toolLimits[key.slice("toolLimits.".length)] = Number(value);
      }
    }
    return {
      bytes: fromCluster ? await fromCluster() : new Uint8Array(await c.req.arrayBuffer()),
      limits,
      isolation: query.isolation as Isolation | undefined,
      capabilities: query.capabilities === undefined
        ? undefined
        : _capabilities(query.capabilities),
      tools: query.tools === undefined ? undefined : _list(query.tools, "tools"),
      toolLimits: Object.keys(toolLimits).length > 0 ? toolLimits : undefined,
      start: query.start !== "false",
      keepAlive: _flag(query.keepAlive),
      instances: _count(query.instances),
      language: query.language,
    };
  }
  let form: FormData;
  try {
    form = await c.req.formData();
  } catch (error) {
    throw new ProblemError(
      problem(
        400,
        "bad_multipart",
        `Cannot read the multipart body: ${(error as Error).message}`,
        'Send multipart/form-data with its boundary, a file part "module" and optional text parts (curl -F module=@agent.wasm -F limits=\'{"maxMemoryPages":16}\')',
      ),
    );
  }
  const module = form.get("module");
  if (!(module instanceof File) && !fromCluster) {
    throw new ProblemError(
      problem(
        400,
        "missing_module",
        'The multipart body has no file part named "module"',
        'Attach the .wasm file as the part "module" (curl -F module=@agent.wasm)',
      ),
    );
  }
  const text = (key: string) => {
    const value = form.get(key);
    return typeof value === "string" ? value : undefined;
  };
  const limitsText = text("limits");
  const capabilities = text("capabilities");
  const tools = text("tools");
  const toolLimits = text("toolLimits");
  return {
    bytes: module instanceof File
      ? new Uint8Array(await module.arrayBuffer())
      : await fromCluster!(),
    limits: limitsText === undefined ? {} : _jsonObject(limitsText, "limits"),
    isolation: text("isolation") as Isolation | undefined,
    capabilities: capabilities === undefined ? undefined : _capabilities(capabilities),
    tools: tools === undefined ? undefined : _list(tools, "tools"),
    toolLimits: toolLimits === undefined
      ? undefined
      : _jsonObject(toolLimits, "toolLimits") as Record<string, number>,
    start: text("start") !== "false",
    keepAlive: _flag(text("keepAlive")),
    instances: _count(text("instances")),
    language: text("language"),
  };
}

/** "true" / "false" as a boolean; anything else is refused. */
function _flag(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (text === "true" || text === "false") return text === "true";
  throw _badSetting(
    "keepAlive",
    text,
    "is not true or false",
    "Send keepAlive=true or keepAlive=false",
  );
}

/** Pool members, `N` or `MIN..MAX`; the sizes are the deployment's to check. */
function _count(text: string | undefined): number | InstanceRange | undefined {
  if (text === undefined) return undefined;
  const instances = parseInstances(text);
  if (instances !== undefined) return instances;
  throw _badSetting(
    "instances",
    text,
    "is not a whole number or a range MIN..MAX",
    "Send instances=N for a fixed pool or instances=MIN..MAX for one the node sizes, e.g. instances=4 or instances=1..4 (docs/POOLS.md)",
  );
}

function _badSetting(field: string, text: string, what: string, remedy: string): ProblemError {
  return new ProblemError(
    problem(400, "bad_query", `${field} ${JSON.stringify(text)} ${what}`, remedy, { field }),
  );
}

function _jsonObject(text: string, field: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ProblemError(
      problem(
        400,
        "bad_json",
        `Cannot read the part "${field}": expected a JSON object, got ${JSON.stringify(text)}`,
        `Send ${field} as JSON, e.g. {"memoryPages":16}`,
      ),
    );
  }
  return value as Record<string, unknown>;
}

/**
 * Capabilities: a JSON array of names or `{ name, description?, example? }`
 * objects (the deployment checks each), or a comma-separated list of names.
 */
function _capabilities(text: string): (string | CapabilityDeclaration)[] {
  if (!text.trim().startsWith("[")) return _list(text, "capabilities");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch { /* reported below */ }
  if (Array.isArray(value)) return value;
  throw new ProblemError(
    problem(
      400,
      "bad_request",
      "Cannot read capabilities: expected a JSON array or a comma-separated list",
      'Send capabilities as ["a","b"], [{"name":"a","description":"…","example":{}}] or a,b',
    ),
  );
}

/** A JSON array of strings, or a comma-separated list. */
function _list(text: string, field: string): string[] {
  if (text.trim().startsWith("[")) {
    try {
      const value = JSON.parse(text);
      if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
    } catch { /* reported below */ }
    throw new ProblemError(
      problem(
        400,
        "bad_request",
        `Cannot read ${field}: expected a JSON array of strings or a comma-separated list`,
        `Send ${field} as ["a","b"] or a,b`,
      ),
    );
  }
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}
