/**
 * What a deployment may ask for, and the check of a name and options before
 * anything is prepared or stored.
 */
import {
  type CapabilityDeclaration,
  detectLanguage,
  type Isolation,
  LANGUAGE_PATTERN,
  parseCapability,
} from "../runtime/mod.ts";
import type { ToolLimits } from "../store/mod.ts";
import { type InstanceRange, poolSizeProblem } from "./pool_size.ts";

/** Raised when a deployment's name or options are not acceptable. */
export class InvalidDeploymentError extends Error {
  readonly code = "invalid_deployment";
  constructor(message: string) {
    super(message);
    this.name = "InvalidDeploymentError";
  }
}

/** Options of one deployment. */
export interface DeployOptions {
  limits?: Partial<Record<string, unknown>>;
  isolation?: Isolation;
  /** Start right away (default) or leave the agent Loaded. */
  start?: boolean;
  /**
   * MCP tools the agent may call, as "server/tool" or "server/*". Default
   * deny: none unless listed. A redeploy without it keeps the current list.
   */
  tools?: readonly string[];
  /**
   * The agent's own limits on tool calls (calls in flight, ms per call);
   * absent ones take the node's `mcp` settings. A redeploy without it keeps them.
   */
  toolLimits?: ToolLimits;
  /**
   * Capabilities declared at deploy time, beside those the agent registers
   * itself: a name, or `{ name, description?, example? }` (what a client
   * should send it, shown by Caxton's MCP server).
   */
  capabilities?: readonly (string | CapabilityDeclaration)[];
  /**
   * Keep the agent's instance while it runs instead of passivating it when
   * idle (issue 21). A redeploy without it keeps the current setting.
   */
  keepAlive?: boolean;
  /**
   * Run as a pool of this many stateless members in different workers, behind
   * one name and mailbox (docs/POOLS.md); 1 is a plain agent. `{min, max}`: the
   * node grows and shrinks the pool within them from its mailbox's depth. A
   * redeploy without it keeps the current size.
   */
  instances?: number | InstanceRange;
  /**
   * The module's source language as the deployer states it ("rust", "zig"…);
   * absent, it is detected from the module (issue 19).
   */
  language?: string;
}

const _TOOL_LIMITS: Record<keyof ToolLimits, number> = {
  maxConcurrentCalls: 10_000,
  callTimeoutMs: 3_600_000,
};

const _TOOL_GRANT = /^[A-Za-z0-9._-]+\/(\*|[^\s/]+)$/;

const _NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** Addresses the node answers itself. */
const _RESERVED: ReadonlySet<string> = new Set(["df"]);

/** Whether `name` is a valid agent name (1-63 of a-z, 0-9, ".", "_", "-"). */
export function isAgentName(name: string): boolean {
  return _NAME.test(name);
}

/** Throws {@linkcode InvalidDeploymentError} with the reason when `name` or `options` are not acceptable. */
export function validateDeployment(name: string, options: DeployOptions): void {
  if (!_NAME.test(name)) {
    throw new InvalidDeploymentError(
      `Cannot deploy agent "${name}": names are 1-63 characters of a-z, 0-9, ".", "_", "-", starting with a letter or digit`,
    );
  }
  if (_RESERVED.has(name)) {
    throw new InvalidDeploymentError(
      `Cannot deploy agent "${name}": the name is reserved for the node's directory facilitator (docs/DISCOVERY.md); choose another`,
    );
  }
  if (options.keepAlive !== undefined && typeof options.keepAlive !== "boolean") {
    throw new InvalidDeploymentError(
      `Cannot deploy agent "${name}": keepAlive must be true or false`,
    );
  }
  const sizeProblem = options.instances === undefined ? null : poolSizeProblem(options.instances);
  if (sizeProblem) {
    throw new InvalidDeploymentError(`Cannot deploy agent "${name}": ${sizeProblem}`);
  }
  if (options.language !== undefined && !LANGUAGE_PATTERN.test(String(options.language))) {
    throw new InvalidDeploymentError(
      `Cannot deploy agent "${name}": language ${
        JSON.stringify(options.language)
      } is not 1-32 characters of a-z, 0-9, "+", "#", ".", "_", "-" starting with a letter (e.g. rust, c, cpp, zig)`,
    );
  }
  if (options.isolation && !["shared", "dedicated"].includes(options.isolation)) {
    throw new InvalidDeploymentError(
      `Cannot deploy agent "${name}": isolation "${options.isolation}" is unknown; use "shared" or "dedicated"`,
    );
  }
  for (const grant of options.tools ?? []) {
    if (typeof grant !== "string" || !_TOOL_GRANT.test(grant)) {
      throw new InvalidDeploymentError(
        `Cannot deploy agent "${name}": tool grant ${
          JSON.stringify(grant)
        } is not "<server>/<tool>" or "<server>/*"`,
      );
    }
  }
  for (const capability of options.capabilities ?? []) {
    const parsed = parseCapability(capability);
    if (typeof parsed === "string") {
      throw new InvalidDeploymentError(`Cannot deploy agent "${name}": ${parsed}`);
    }
  }
  for (const [key, value] of Object.entries(options.toolLimits ?? {})) {
    const max = _TOOL_LIMITS[key as keyof ToolLimits];
    if (max === undefined || !Number.isInteger(value) || value < 1 || value > max) {
      throw new InvalidDeploymentError(
        max === undefined
          ? `Cannot deploy agent "${name}": tool limit "${key}" is unknown; use maxConcurrentCalls or callTimeoutMs`
          : `Cannot deploy agent "${name}": tool limit ${key}=${
            JSON.stringify(value)
          } must be an integer from 1 to ${max}`,
      );
    }
  }
}

/** The language a deployment's versions are stored with: the one stated, else the one detected. */
export function deployedLanguage(bytes: Uint8Array, options: DeployOptions): string {
  return options.language ?? detectLanguage(bytes);
}

/** The deployment's capabilities as declarations (names become `{ name }`); call after validating. */
export function declaredCapabilities(options: DeployOptions): CapabilityDeclaration[] {
  return (options.capabilities ?? []).map((c) => parseCapability(c) as CapabilityDeclaration);
}
