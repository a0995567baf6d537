import assert from "node:assert/strict";
import { agentBytes, tempDataDir, until } from "../_support/node.ts";
import { runCliWith, startServer } from "../_support/process.ts";

interface _Timer {
  id: number;
  dueAt: string;
}

async function _fired(url: string, payload: string): Promise<string | undefined> {
  const res = await fetch(
    `${url}/api/v1/agents/tk/state/${encodeURIComponent(`fired:${payload}`)}`,
  );
  if (res.status === 404) {
    await res.body?.cancel();
    return undefined;
  }
  return (await res.json()).value;
}

Deno.test("timers survive kill -9 of caxton serve and fire once after the restart, late ones marked", async () => {
  using dir = tempDataDir();
  let dueAt = 0;
  let killedAt = 0;
  const ids: Record<string, number> = {};
  {
    const server = await startServer("--data-dir", dir.path);
    try {
      const put = await fetch(`${server.url}/api/v1/agents/tk`, {
        method: "PUT",
        headers: { "content-type": "application/wasm" },
        body: agentBytes("timekeeper_as"),
      });
      assert.equal(put.status, 201, await put.text());
      // One through the CLI, one through REST, due after the node is killed.
      const env = { CAXTON_SERVER: server.url, NO_COLOR: "1" };
      const cli = await runCliWith(
        { env },
        "timer",
        "set",
        "tk",
        "--in",
        "8s",
        "--payload",
        "later",
        "--json",
      );
      assert.equal(cli.code, 0, cli.stderr);
      ids.later = (JSON.parse(cli.stdout) as _Timer).id;
      const bad = await runCliWith({ env }, "timer", "set", "tk", "--in", "soon");
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--in "soon" is not a duration/);
      const res = await fetch(`${server.url}/api/v1/agents/tk/timers`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ delayMs: 1_500, payload: "early" }),
      });
      assert.equal(res.status, 201);
      const early = (await res.json()) as _Timer;
      ids.early = early.id;
      dueAt = Date.parse(early.dueAt);
    } finally {
      server.process.kill("SIGKILL");
      killedAt = Date.now();
      await server.process.status;
      await server[Symbol.asyncDispose]();
    }
  }
  assert.ok(
    killedAt < dueAt,
    "killed before the early timer was due (else the test proves nothing)",
  );
  // Down past the early timer's due time.
  await until(() => Date.now() > dueAt + 1_500, "the early timer's due time has passed");
  await using server = await startServer("--data-dir", dir.path);
  await until(async () => (await _fired(server.url, "early")) === "1", "the late timer fired");
  await until(async () => (await _fired(server.url, "later")) === "1", "the later timer fired");
  const list = await (await fetch(`${server.url}/api/v1/agents/tk/timers`)).json();
  assert.deepEqual(list.timers, []);
  // Once each, as the log has it, the one due during the downtime marked late.
  for (const [payload, id] of Object.entries(ids)) {
    const conversation = await (await fetch(`${server.url}/api/v1/conversations/timer:${id}`))
      .json();
    const delivered = conversation.messages.filter((m: { receiver: string }) =>
      m.receiver === "tk"
    );
    assert.equal(delivered.length, 1, `timer ${payload} fired once`);
    if (payload === "early") assert.equal(delivered[0].message.content.late, true);
  }
  assert.equal(await _fired(server.url, "early"), "1");
});

Deno.test("the timer API refuses bad input with problems and cancels what is pending", async () => {
  using dir = tempDataDir();
  await using server = await startServer("--data-dir", dir.path);
  const api = `${server.url}/api/v1/agents`;
  await (await fetch(`${api}/tk`, {
    method: "PUT",
    headers: { "content-type": "application/wasm" },
    body: agentBytes("timekeeper_as"),
  })).body?.cancel();
  const post = (body: unknown, agent = "tk") =>
    fetch(`${api}/${agent}/timers`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const negative = await post({ delayMs: -1 });
  assert.equal(negative.status, 400);
  assert.equal(negative.headers.get("content-type"), "application/problem+json");
  assert.match((await negative.json()).detail, /delayMs/);
  const unknown = await post({ delayMs: 10, colour: "red" });
  assert.equal(unknown.status, 400);
  await unknown.body?.cancel();
  const nobody = await post({ delayMs: 10 }, "nobody");
  assert.equal(nobody.status, 404);
  await nobody.body?.cancel();
  const periodic = await post({ delayMs: 60_000, everyMs: 60_000, payload: "p" });
  assert.equal(periodic.status, 201);
  const { id } = await periodic.json() as _Timer;
  const listed = await (await fetch(`${api}/tk/timers`)).json();
  assert.deepEqual(listed.timers.map((t: { id: number; everyMs: number }) => [t.id, t.everyMs]), [
    [id, 60_000],
  ]);
  const gone = await fetch(`${api}/tk/timers/${id}`, { method: "DELETE" });
  assert.equal(gone.status, 204);
  const again = await fetch(`${api}/tk/timers/${id}`, { method: "DELETE" });
  assert.equal(again.status, 404);
  assert.equal((await again.json()).type, "https://caxton.dev/problems/timer_not_found");
});
