/**
 * Bounded work per task on the main thread. A worker's batch of outcomes can
 * carry thousands of sends to route and log; handled in one task, it held
 * timers (a request's `?timeout`), HTTP and the other workers' outcomes back
 * for tens of milliseconds during a storm. Work given to a slicer runs in
 * order, at most `budgetMs` per task; the rest resumes after the event loop
 * has gone round once (`setImmediate`: due timers and waiting I/O run first,
 * and unlike a chain of `setTimeout(0)` it is never clamped to 4 ms).
 */
import { clearImmediate, setImmediate } from "node:timers";

/** A piece of work: returns false when it stopped early (budget spent), to be resumed. */
export type SlicedTask = () => boolean;

/** Runs tasks in order, a time budget per event-loop task. */
export class TimeSlicer {
  readonly #budgetMs: number;
  #tasks: SlicedTask[] = [];
  #head = 0;
  #deadline = 0;
  #running = false;
  #timer: ReturnType<typeof setImmediate> | undefined;

  constructor(budgetMs = 5) {
    this.#budgetMs = budgetMs;
  }

  /** True once the current slice has used its budget: a task should return false. */
  get expired(): boolean {
    return performance.now() >= this.#deadline;
  }

  /** Tasks waiting (the one running included). */
  get waiting(): number {
    return this.#tasks.length - this.#head;
  }

  /** Runs `task` now if nothing waits, else after what waits. */
  run(task: SlicedTask): void {
    this.#tasks.push(task);
    if (!this.#running && this.#timer === undefined) this.#slice();
  }

  /** Drops what waits (its owner is closing). */
  close(): void {
    if (this.#timer !== undefined) clearImmediate(this.#timer);
    this.#timer = undefined;
    this.#tasks = [];
    this.#head = 0;
  }

  #slice(): void {
    this.#timer = undefined;
    this.#running = true;
    this.#deadline = performance.now() + this.#budgetMs;
    try {
      while (this.#head < this.#tasks.length) {
        let done = true; // a task that throws is not run again
        try {
          done = this.#tasks[this.#head]!();
        } finally {
          if (done) this.#tasks[this.#head++] = undefined as unknown as SlicedTask;
        }
        if (!done || this.expired) break;
      }
    } finally {
      this.#running = false;
    }
    if (this.#head === this.#tasks.length) {
      this.#tasks = [];
      this.#head = 0;
    } else {
      if (this.#head > 1024) {
        this.#tasks = this.#tasks.slice(this.#head);
        this.#head = 0;
      }
      this.#timer = setImmediate(() => this.#slice());
    }
  }
}
