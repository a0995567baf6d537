/// <reference lib="dom" />
/**
 * Reads a live tail off the page's main thread: a Web Worker fetches the SSE
 * stream (with the bearer key; EventSource cannot send one), splits and
 * counts its events, and hands the page at most `rows` raw events every
 * `everyMs`, so a tail of thousands of messages a second never blocks the
 * page. Bundled apart as /ui/tail_worker.js.
 */
import type { TailFromWorker, TailStart } from "./tail_protocol.ts";

const _post = (message: TailFromWorker) =>
  (globalThis as unknown as { postMessage(m: TailFromWorker): void }).postMessage(message);

globalThis.addEventListener("message", (e) => {
  _read((e as MessageEvent<TailStart>).data).catch((error: Error) =>
    _post({ kind: "error", message: error.message })
  );
}, { once: true });

async function _read({ path, key, rows, everyMs }: TailStart): Promise<void> {
  const res = await fetch(`/api/v1${path}`, {
    headers: {
      accept: "text/event-stream",
      ...(key === "" ? {} : { authorization: `Bearer ${key}` }),
    },
  });
  if (!res.ok || !res.body) throw new Error(`the tail answered ${res.status}`);
  _post({ kind: "open" });
  let count = 0;
  let recent: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hand = () => {
    timer = undefined;
    _post({ kind: "batch", count, rows: recent.slice(-rows) });
    recent = [];
  };
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the node closed the tail");
    buffer += value;
    let start = 0;
    let end;
    while ((end = buffer.indexOf("\n\n", start)) >= 0) {
      const data = _messageData(buffer.slice(start, end));
      start = end + 2;
      if (data === null) continue;
      count++;
      recent.push(data);
      if (recent.length >= 2 * rows) recent = recent.slice(-rows);
    }
    buffer = buffer.slice(start);
    timer ??= setTimeout(hand, everyMs);
  }
}

/** The data of a `message` event, unparsed; null for other events and comments. */
function _messageData(block: string): string | null {
  let event = "message";
  let data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data += line.slice(5).trimStart();
  }
  return event === "message" && data !== "" ? data : null;
}
