/**
 * Asynchronous jobs: a request whose answer is kept by id in the store
 * (submitted → running → complete | failed). Jobs unfinished when the node
 * stopped run again when it starts (at least once).
 */
import type { AclMessage } from "../acl/mod.ts";
import type { JobRecord, Store } from "../store/mod.ts";
import type { RequestBroker } from "./broker.ts";
import { ClosedError, JobNotFoundError } from "./errors.ts";

/** Runs jobs through the broker and records their outcome. */
export class JobRunner {
  readonly #store: Store;
  readonly #broker: RequestBroker;
  readonly #running = new Set<Promise<void>>();

  constructor(store: Store, broker: RequestBroker) {
    this.#store = store;
    this.#broker = broker;
  }

  /** Records a job and starts it; resolves with the job as submitted. */
  submit(
    agent: string,
    message: Partial<Omit<AclMessage, "sender" | "receiver">>,
    timeoutMs: number,
  ): JobRecord {
    const job = this.#store.jobs.create({
      id: crypto.randomUUID(),
      agent,
      request: { performative: "request", ...message, receiver: [agent] },
      timeoutMs,
    });
    this.#start(job);
    return job;
  }

  get(id: string): JobRecord {
    const job = this.#store.jobs.byId(id);
    if (!job) throw new JobNotFoundError(id);
    return job;
  }

  /** Runs again the jobs a previous run left unfinished. Returns how many. */
  resume(): number {
    const jobs = this.#store.jobs.unfinished();
    for (const job of jobs) this.#start(job);
    return jobs.length;
  }

  /** Waits for running jobs to settle (the broker rejects them when it closes). */
  async close(): Promise<void> {
    await Promise.all(this.#running);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #start(job: JobRecord): void {
    const run = this.#run(job).finally(() => this.#running.delete(run));
    this.#running.add(run);
  }

  async #run(job: JobRecord): Promise<void> {
    this.#store.jobs.setStatus(job.id, "running");
    const { sender: _s, receiver: _r, ...message } = job.request;
    try {
      const reply = await this.#broker.request(job.agent, message, { timeoutMs: job.timeoutMs });
      if (reply.performative === "failure" || reply.performative === "refuse") {
        const content = reply.content as { reason?: string } | undefined;
        this.#store.jobs.setStatus(job.id, "failed", {
          result: reply,
          error: content?.reason ?? `the agent answered ${reply.performative}`,
        });
      } else {
        this.#store.jobs.setStatus(job.id, "complete", { result: reply });
      }
    } catch (error) {
      // Left running: the next start runs it again.
      if (error instanceof ClosedError) return;
      this.#store.jobs.setStatus(job.id, "failed", { error: (error as Error).message });
    }
  }
}
