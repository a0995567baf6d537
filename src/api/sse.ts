/** Server-Sent Event streams that end when the client leaves or the node closes. */
import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";

/** Keep-alive comment period, so proxies do not close an idle stream. */
const _KEEP_ALIVE_MS = 15_000;

/**
 * Opens an SSE response; `open` subscribes and returns what to dispose when
 * the stream ends. Events are written in order.
 */
export function eventStream(
  c: Context,
  closing: AbortSignal,
  open: (send: (event: string, data: unknown) => void, end: () => void) => Disposable,
): Response {
  return streamSSE(c, async (stream: SSEStreamingApi) => {
    const ended = Promise.withResolvers<void>();
    let chain = Promise.resolve();
    // Events that come together (a busy live tail) go out in one write, in order:
    // one promise and one chunk per turn of the event loop, not per event.
    let batch = "";
    const flush = async () => {
      const text = batch;
      batch = "";
      await stream.write(text);
    };
    const send = (event: string, data: unknown) => {
      // JSON.stringify writes no raw line break, so the data is one SSE line.
      if (batch === "") chain = chain.then(flush).catch(() => ended.resolve());
      batch += `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    };
    const end = () => {
      chain.then(() => ended.resolve());
    };
    using _subscription = open(send, end);
    stream.onAbort(() => ended.resolve());
    const onClosing = () => ended.resolve();
    closing.addEventListener("abort", onClosing, { once: true });
    if (closing.aborted) ended.resolve();
    const keepAlive = setInterval(() => {
      chain = chain.then(() => stream.write(": keep-alive\n\n")).then(
        () => {},
        () => ended.resolve(),
      );
    }, _KEEP_ALIVE_MS);
    try {
      // Flush headers so the client sees the stream open before the first event.
      await stream.write(": open\n\n");
      await ended.promise;
    } finally {
      clearInterval(keepAlive);
      closing.removeEventListener("abort", onClosing);
    }
    await chain;
  });
}
