/**
 * The memory cap, applied at deploy time: `memory.grow` past the agent's
 * memory limit returns -1 inside the module, so the limit holds without the
 * host watching every allocation.
 *
 * @module
 */
import binaryen from "binaryen";
import { binaryenErrorMessage } from "./binaryen_extras.ts";
import { ModuleRejectedError } from "./module_rules.ts";

/** Options of {@linkcode capMemoryMaximum}. */
export interface MemoryCap {
  /** binaryen's internal name of the module's only memory. */
  memoryName: string;
  /** Initial pages, kept as declared. */
  initialPages: number;
  /** The new maximum, in pages; `memory.grow` past it returns -1. */
  maxPages: number;
}

/**
 * Re-declares the module's memory with maximum `maxPages`, keeping its name
 * (so its exports still point at it) and its data segments.
 *
 * @throws {ModuleRejectedError} `unsupported_feature` when a data segment's
 *   offset is not a constant binaryen can read.
 */
export function capMemoryMaximum(module: binaryen.Module, cap: MemoryCap): void {
  const reader = module as unknown as _DataSegmentReader;
  const segments: _NamedMemorySegment[] = [];
  for (let index = 0; index < reader.getNumDataSegments(); index++) {
    let segment: _DataSegmentInfo;
    try {
      segment = reader.getDataSegmentInfo(reader.getDataSegmentByIndex(index));
    } catch (thrown) {
      throw new ModuleRejectedError(
        "unsupported_feature",
        `Cannot deploy module: data segment ${index} has an offset Caxton cannot read ` +
          `(${binaryenErrorMessage(thrown)}); use constant segment offsets (no extended-const)`,
      );
    }
    segments.push({
      name: segment.name, // memory.init and data.drop refer to it
      data: new Uint8Array(segment.data),
      passive: segment.passive,
      // Offsets are u32; i32.const takes them signed.
      offset: segment.passive ? 0 : module.i32.const((segment.offset ?? 0) | 0),
    });
  }
  module.setMemory(cap.initialPages, cap.maxPages, null, segments, false, false, cap.memoryName);
}

interface _DataSegmentInfo {
  name: string;
  offset: number | null;
  data: ArrayBuffer;
  passive: boolean;
}
interface _DataSegmentReader {
  getNumDataSegments(): number;
  getDataSegmentByIndex(index: number): number;
  getDataSegmentInfo(segment: number): _DataSegmentInfo;
}
interface _NamedMemorySegment extends binaryen.MemorySegment {
  name: string;
}
