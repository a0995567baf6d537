// deno-lint-ignore-file no-explicit-any
/** HTTP helpers for tests of the API over a real loopback socket. */
import assert from "node:assert/strict";

/** JSON request to `url`; returns status, headers and parsed body (text when not JSON). */
export async function call(
  url: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  const res = await fetch(url, {
    ...rest,
    headers,
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });
  const text = await res.text();
  const type = res.headers.get("content-type") ?? "";
  return {
    status: res.status,
    headers: res.headers,
    body: type.includes("json") && text !== "" ? JSON.parse(text) : text,
  };
}

/** Asserts an RFC 9457 problem with the given status and type suffix. */
export function assertProblem(
  res: { status: number; headers: Headers; body: any },
  status: number,
  code: string,
): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.headers.get("content-type"), "application/problem+json");
  assert.equal(res.body.type, `https://caxton.dev/problems/${code}`);
  assert.equal(res.body.status, status);
  assert.ok(typeof res.body.detail === "string" && res.body.detail.length > 0, "a detail");
  assert.ok(typeof res.body.remedy === "string" && res.body.remedy.length > 0, "a remedy");
}

/** Reads Server-Sent Events from a response; cancel with `close()`. */
export class EventReader {
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";

  constructor(res: Response) {
    assert.equal(res.headers.get("content-type"), "text/event-stream");
    this.#reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next event (comments skipped), or null when the stream ended. */
  async next(): Promise<{ event: string; data: any } | null> {
    for (;;) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const lines = block.split("\n").filter((l) => !l.startsWith(":"));
        if (lines.length === 0) continue;
        const event = lines.find((l) => l.startsWith("event: "))?.slice(7) ?? "message";
        const data = lines.filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
        return { event, data: data === "" ? null : JSON.parse(data) };
      }
      const { value, done } = await this.#reader.read();
      if (done) return null;
      this.#buffer += value;
    }
  }

  async close(): Promise<void> {
    await this.#reader.cancel();
  }
}

/** Opens an SSE stream and waits until the server has subscribed. */
export async function openEvents(url: string, init: RequestInit = {}): Promise<EventReader> {
  const res = await fetch(url, init);
  assert.equal(res.status, 200, await (res.status === 200 ? "" : res.text()));
  return new EventReader(res);
}
