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
    const end = buffer.lastIndexOf("\n\n");
    if (end < 0) continue;
    // Whole events only; "\n" first so every event line, the first too, follows a newline.
    const events = "\n" + buffer.slice(0, end + 2);
    buffer = buffer.slice(end + 2);
    const fresh = _newestData(events, rows);
    count += _occurrences(events, _EVENT);
    recent.push(...fresh);
    if (recent.length >= 2 * rows) recent = recent.slice(-rows);
    timer ??= setTimeout(hand, everyMs);
  }
}

/**
 * The node writes each event as `event: <name>\ndata: <one JSON line>\n\n` (src/api/sse.ts):
 * at thousands a second, events are counted by a search, and only the newest
 * `rows` are cut out, instead of splitting every event into lines.
 */
const _EVENT = "\nevent: message\ndata: ";

function _occurrences(text: string, what: string): number {
  let n = 0;
  for (let i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length)) n++;
  return n;
}

/** The data of the last `rows` `message` events in `text`, oldest first, unparsed. */
function _newestData(text: string, rows: number): string[] {
  const found: string[] = [];
  for (let i = text.lastIndexOf(_EVENT); i >= 0 && found.length < rows;) {
    const from = i + _EVENT.length;
    found.push(text.slice(from, text.indexOf("\n", from)));
    i = i === 0 ? -1 : text.lastIndexOf(_EVENT, i - 1);
  }
  return found.reverse();
}
