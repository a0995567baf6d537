/**
 * Agent workers below the main thread (issue 13 item 5). The main thread
 * routes, logs, answers HTTP and fires every `?timeout`; a storm keeps an
 * agent worker busy flat out, and with as many workers as cores the main
 * thread then waited for a core (bench/storm.ts: most of a late timer's delay
 * was time off the CPU). A worker lowers its own thread's priority (raises
 * its nice value) once, first thing, and then gives up the permission that
 * let it: agent code never runs with any. Linux only: there a nice value is
 * per thread; elsewhere it would lower the whole process.
 */
import { getPriority, setPriority } from "node:os";

/** True when agent workers can be put below the main thread: Linux, and the node may set priorities. */
export function canLowerPriority(nice: number): boolean {
  const granted = (kind: "getPriority" | "setPriority") =>
    Deno.permissions.querySync({ name: "sys", kind }).state === "granted";
  // A worker may not be given more than its parent holds.
  return nice > 0 && Deno.build.os === "linux" && granted("getPriority") && granted("setPriority");
}

/** Worker options that add only the permission to set a priority, when `nice` will be applied. */
export function priorityWorkerOptions(base: WorkerOptions, nice: number): WorkerOptions {
  if (!canLowerPriority(nice)) return base;
  return {
    ...base,
    deno: {
      permissions: {
        env: false,
        ffi: false,
        import: false,
        net: false,
        read: false,
        run: false,
        write: false,
        sys: ["getPriority", "setPriority"],
      },
    },
  };
}

/**
 * Worker side: puts this thread `nice` levels below the thread that made it
 * (whose nice value it inherited; setpriority on thread 0 is the caller's on
 * Linux, capped at 19), then revokes the permission. Returns why it could
 * not, or null.
 */
export function lowerOwnPriority(nice: number): string | null {
  let failure: string | null = null;
  if (nice > 0 && Deno.build.os === "linux") {
    try {
      setPriority(0, Math.min(19, getPriority(0) + nice));
    } catch (error) {
      failure = (error as Error).message;
    }
  }
  Deno.permissions.revokeSync({ name: "sys" });
  return failure;
}
