import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { tempDataDir } from "../_support/node.ts";
import { cliArgs, runCli, runCliWith, spawnServer, startServer } from "../_support/process.ts";

Deno.test("a port in use is named with the fix, and no data dir is created", async () => {
  using dir = tempDataDir();
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  const fresh = join(dir.path, "never-created");
  const res = await runCli("serve", "--port", String(port), "--data-dir", fresh);
  assert.notEqual(res.code, 0);
  const lines = res.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line: ${res.stderr}`);
  assert.match(
    lines[0]!,
    new RegExp(
      `^caxton: Cannot listen on 127\\.0\\.0\\.1:${port}: port ${port} is in use .*--port N or CAXTON_PORT$`,
    ),
  );
  assert.ok(!existsSync(fresh), "the data dir is not created when the port is taken");
});

Deno.test("a second node on one data dir is refused and told who holds it; kill -9 frees the dir", async () => {
  using dir = tempDataDir();
  const holder = await spawnServer({
    args: cliArgs("serve", "--port", "0", "--data-dir", dir.path),
  });
  try {
    const record = JSON.parse(Deno.readTextFileSync(join(dir.path, "node.json")));
    assert.equal(record.url, holder.url);
    assert.equal(record.pid, holder.process.pid);

    // Bounded: were the second node let in, it would serve until stopped.
    const second = await runCliWith(
      { signal: AbortSignal.timeout(60_000) },
      "serve",
      "--port",
      "0",
      "--data-dir",
      dir.path,
    );
    assert.notEqual(second.code, 0);
    assert.match(
      second.stderr.trim(),
      new RegExp(
        `^caxton: Cannot use data dir "${dir.path}": another Caxton node holds it \\(pid ${holder.process.pid}, ${holder.url}\\); .*--data-dir or CAXTON_DATA_DIR$`,
      ),
    );
    const restore = await runCli("restore", join(dir.path, "caxton.db"), "--data-dir", dir.path);
    assert.notEqual(restore.code, 0, "restore refuses a data dir a node runs on");
    assert.match(restore.stderr, /another Caxton node holds it/);
    // The holder still serves: the refused node touched nothing of it.
    assert.equal((await fetch(`${holder.url}/ready`).then((r) => r.json())).status, "ready");

    holder.process.kill("SIGKILL");
    await holder.process.status;
  } finally {
    await holder[Symbol.asyncDispose]();
  }
  // The operating system dropped the lock with the process; node.json was left behind, stale.
  assert.ok(existsSync(join(dir.path, "node.json")));
  await using restarted = await startServer("--data-dir", dir.path);
  assert.equal((await fetch(`${restarted.url}/ready`).then((r) => r.json())).status, "ready");
  const record = JSON.parse(Deno.readTextFileSync(join(dir.path, "node.json")));
  assert.equal(record.url, restarted.url, "the restarted node recorded itself");
  restarted.process.kill("SIGTERM");
  assert.equal((await restarted.process.status).code, 0);
  assert.ok(!existsSync(join(dir.path, "node.json")), "a clean stop removes the record");
});
