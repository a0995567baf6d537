/**
 * Span ids chosen before the span is recorded. An agent worker that delivers
 * between its own agents (direct delivery) hands a traced message on at once,
 * so it names the spans of that hop itself — the route span (the id in the
 * message's traceparent) and the handle span (the parent of what the agent
 * sends) — and the main thread records them later under those ids
 * (Telemetry.deliveredDirect). The tracer provider draws every span id here;
 * one preset id is used by the next span started, then ids are random again.
 */
import { type IdGenerator, RandomIdGenerator } from "@opentelemetry/sdk-trace-base";

/** An id generator whose next span id can be set. */
export class PresetSpanIds implements IdGenerator {
  readonly #random = new RandomIdGenerator();
  #next: string | undefined;

  /** The id the next span started gets (16 lowercase hex digits). */
  preset(spanId: string): void {
    this.#next = spanId;
  }

  /** Forgets a preset id no span took (the tracer did not record one). */
  clear(): void {
    this.#next = undefined;
  }

  generateSpanId(): string {
    const next = this.#next;
    if (next === undefined) return this.#random.generateSpanId();
    this.#next = undefined;
    return next;
  }

  generateTraceId(): string {
    return this.#random.generateTraceId();
  }
}
