/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/** Worker for worker_priority_test: lowers itself as an agent worker does, then tries again. */
import { getPriority, setPriority } from "node:os";
import { lowerOwnPriority } from "../../src/runtime/worker_priority.ts";

self.onmessage = (e: MessageEvent<number>) => {
  const failure = lowerOwnPriority(e.data);
  let again = "allowed";
  try {
    setPriority(0, 19);
  } catch (error) {
    again = (error as Error).name;
  }
  let read = "allowed";
  try {
    getPriority(0);
  } catch (error) {
    read = (error as Error).name;
  }
  self.postMessage({ failure, again, read });
};
