/** Agent rows to records: the columns read, and one parsed copy per distinct column text. */
import type {
  AgentRecord,
  CapabilityRecord,
  StoredAgentState,
  StoredIsolation,
  StoredLimits,
  ToolLimits,
} from "./agent_records.ts";

/** The columns a record is built from, in the order `AgentRepository.each` reads them. */
export const AGENT_COLUMNS = [
  "id",
  "name",
  "state",
  "version",
  "isolation",
  "limits",
  "capabilities",
  "tools",
  "tool_limits",
  "keep_alive",
  "instances",
  "max_instances",
  "failure",
  "created_at",
  "updated_at",
  "module_hash",
  "language",
] as const;

export const AGENT_SELECT = `SELECT a.*, v.module_hash, v.language FROM agents a
  JOIN agent_versions v ON v.agent_id = a.id AND v.version = a.version`;

/**
 * One parsed copy per distinct column text: 100,000 agents of one module share
 * their limits, tools and capabilities instead of holding a copy each (issue 21).
 * Records are replaced, never mutated, so sharing is safe. Bounded, in case
 * every agent differs.
 */
export class Interned {
  /** Per column, so equal texts of different columns never share a value. */
  readonly #columns = new Map<string, Map<string, unknown>>();
  get<T>(column: string, text: string, parse: (text: string) => T): T {
    let parsed = this.#columns.get(column);
    if (!parsed) this.#columns.set(column, parsed = new Map());
    let value = parsed.get(text) as T | undefined;
    if (value === undefined) {
      value = parse(text);
      if (parsed.size < 4096) parsed.set(text, value);
    }
    return value;
  }
}

const _same = (text: string) => text;

/** The capabilities a `capabilities` column holds, parsed once per distinct text. */
export function capabilityDetails(text: string, interned: Interned): CapabilityRecord[] {
  return interned.get("c", text, _capabilityDetails);
}

function _capabilityDetails(text: string): CapabilityRecord[] {
  // Entries are bare names (older rows, undescribed capabilities) or objects.
  const entries = JSON.parse(text) as (string | CapabilityRecord)[];
  return entries.map((e) => typeof e === "string" ? { name: e } : e);
}

/** The `capabilities` column's text: bare names kept as names, described ones as objects. */
export function capabilitiesColumn(capabilities: readonly CapabilityRecord[]): string {
  return JSON.stringify(capabilities.map((c) => Object.keys(c).length === 1 ? c.name : c));
}

/** The record a row describes, sharing parsed values through `interned`. */
export function toAgentRecord(
  row: Record<string, unknown>,
  interned = new Interned(),
): AgentRecord {
  const capabilities = row.capabilities as string;
  const details = capabilityDetails(capabilities, interned);
  return {
    id: row.id as number,
    name: row.name as string,
    state: row.state as StoredAgentState,
    version: row.version as number,
    moduleHash: interned.get("h", row.module_hash as string, _same),
    language: (row.language as string | null) ?? "unknown",
    isolation: row.isolation as StoredIsolation,
    limits: interned.get("l", row.limits as string, JSON.parse) as StoredLimits,
    capabilities: interned.get("n", capabilities, () => details.map((c) => c.name)),
    capabilityDetails: details,
    tools: interned.get("t", (row.tools as string | undefined) ?? "[]", JSON.parse) as string[],
    toolLimits: interned.get(
      "o",
      (row.tool_limits as string | undefined) ?? "{}",
      JSON.parse,
    ) as ToolLimits,
    keepAlive: row.keep_alive === 1,
    instances: (row.instances as number | undefined) ?? 1,
    maxInstances: (row.max_instances as number | null | undefined) ?? null,
    failure: (row.failure as string | null) ?? null,
    // Agents of one bulk deploy share their times: one string each, not one per agent.
    createdAt: interned.get("at", row.created_at as string, _same),
    updatedAt: interned.get("at", row.updated_at as string, _same),
  };
}
