/**
 * What an instance makes the host allocate besides linear memory, checked at
 * deploy time. A few bytes of module can declare a table of millions of
 * entries (a 122-byte module with a 10-million-entry table costs ~235 MB per
 * instance) or thousands of globals: each such count has a fixed limit, and
 * what tables, element segments and globals cost per instance is counted
 * against the agent's memory cap, so linear memory gets what is left.
 *
 * @module
 */
import binaryen from "binaryen";
import { ModuleRejectedError } from "./module_rules.ts";

/** Most of each thing a module may define (docs/ABI.md, "Limits"). */
export const INSTANCE_LIMITS = Object.freeze({
  /** Entries of a table, initial or maximum. */
  tableEntries: 100_000,
  /** Functions, imported and defined. */
  functions: 100_000,
  /** Globals. */
  globals: 10_000,
  /** Element segments, and their entries together (at most `tableEntries`). */
  elementSegments: 10_000,
  /** Data segments. */
  dataSegments: 10_000,
});

/** Host bytes per table entry: measured ~23.5 (a 10-million-entry table cost ~235 MB). */
const TABLE_ENTRY_BYTES = 24;
/** Host bytes per element segment entry kept by an instance. */
const _ELEMENT_ENTRY_BYTES = 8;
/** Host bytes per global (a tagged slot or an 8-byte value, with room for a v128's 16). */
const _GLOBAL_BYTES = 16;
const _PAGE_BYTES = 65_536;
const _DEPLOY = "Cannot deploy module";

/** Checks a parsed module's counts; returns the pages of memory cap its tables and globals take. */
export function checkInstanceLimits(module: binaryen.Module): { hostPages: number } {
  const count = (what: keyof typeof INSTANCE_LIMITS, label: string, found: number) => {
    const limit = INSTANCE_LIMITS[what];
    if (found <= limit) return;
    throw new ModuleRejectedError(
      what === "tableEntries" ? "table_too_large" : "too_many_definitions",
      `${_DEPLOY}: ${label} ${found}, over the limit of ${limit} per module ` +
        `(${what}); define fewer, or split the agent`,
    );
  };
  count("functions", "it defines or imports functions:", module.getNumFunctions());
  count("globals", "it defines globals:", module.getNumGlobals());
  count("dataSegments", "it has data segments:", _numDataSegments(module));
  const segments = module.getNumElementSegments();
  count("elementSegments", "it has element segments:", segments);

  let tableEntries = 0;
  for (let index = 0; index < module.getNumTables(); index++) {
    const table = binaryen.getTableInfo(module.getTableByIndex(index));
    count("tableEntries", `its table "${table.name}" starts with entries:`, table.initial);
    if (table.max !== undefined && table.max !== 0xffff_ffff) {
      count("tableEntries", `its table "${table.name}" may grow to entries:`, table.max);
    }
    tableEntries += table.initial;
  }
  let elementEntries = 0;
  for (let index = 0; index < segments; index++) {
    elementEntries += binaryen.getElementSegmentInfo(module.getElementSegmentByIndex(index))
      .data.length;
  }
  count("tableEntries", "its element segments hold entries (together):", elementEntries);
  const hostBytes = tableEntries * TABLE_ENTRY_BYTES + elementEntries * _ELEMENT_ENTRY_BYTES +
    module.getNumGlobals() * _GLOBAL_BYTES;
  return { hostPages: Math.ceil(hostBytes / _PAGE_BYTES) };
}

function _numDataSegments(module: binaryen.Module): number {
  return (module as unknown as { getNumDataSegments(): number }).getNumDataSegments();
}
