/**
 * `Mailbox.drained()` waits for the mailbox to empty without starving the
 * event loop. A node's close hung for good (CI, under load) when an agent was
 * activating at shutdown: messages queued, none in flight, and `drained()`
 * looped on already-resolved promises, so the worker's "loaded" answer that
 * would have emptied the mailbox never ran. A spinning loop cannot be stopped
 * from inside the process, so the case runs in a child process with a deadline.
 */
import assert from "node:assert/strict";

const MAILBOX = new URL("../../src/router/mailbox.ts", import.meta.url).href;

const SCRIPT = `
import { Mailbox } from ${JSON.stringify(MAILBOX)};
const mailbox = new Mailbox("activating");
const message = { performative: "inform", sender: "a", receivers: ["activating"] };
mailbox.enqueue({ message, text: "{}" });
mailbox.enqueue({ message, text: "{}" });
let done = false;
const drained = mailbox.drained().then(() => done = true);
// The instance arrives on a later turn of the event loop, as a worker's answer does.
await new Promise((resolve) => setTimeout(resolve, 20));
if (done) throw new Error("drained() resolved with two messages queued");
const seqs = [];
mailbox.connect((seq) => (seqs.push(seq), true));
for (const seq of seqs) mailbox.complete(seq);
await drained;
console.log("drained", mailbox.depth);
`;

Deno.test("drained() on a mailbox waiting for its instance lets the instance arrive, then resolves", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", SCRIPT],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).spawn();
  const { code, stdout, stderr } = await child.output();
  const text = new TextDecoder();
  assert.equal(code, 0, `the child spun or failed: ${text.decode(stderr)}`);
  assert.equal(text.decode(stdout).trim(), "drained 0");
});
