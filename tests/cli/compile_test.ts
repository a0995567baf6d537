// `deno task compile` without denort (the runtime `deno compile` builds on):
// one line that says what is missing and how to supply it, a non-zero exit,
// and no empty dist/ left behind. Deterministic offline: DENORT_BIN names a
// missing file, or the download goes through a closed loopback proxy with an
// empty Deno cache.
import assert from "node:assert/strict";
import { join } from "node:path";
import { EXIT_NO_DENORT } from "../../scripts/compile.ts";
import { tempDataDir } from "../_support/node.ts";

const SCRIPT = new URL("../../scripts/compile.ts", import.meta.url).pathname;

async function _compile(output: string, env: Record<string, string>) {
  const { DENORT_BIN: _, ...inherited } = Deno.env.toObject();
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "--allow-all", SCRIPT, output],
    clearEnv: true,
    env: { ...inherited, NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: run.code, out: text.decode(run.stdout) + text.decode(run.stderr) };
}

Deno.test("compile with DENORT_BIN naming a missing file: one line, exit 3, no dist/", async () => {
  using dir = tempDataDir();
  const missing = join(dir.path, "no-such-denort");
  const run = await _compile(join(dir.path, "dist", "caxton"), { DENORT_BIN: missing });
  assert.equal(run.code, EXIT_NO_DENORT, run.out);
  assert.equal(run.out.trim().split("\n").length, 1, run.out);
  assert.match(run.out, /^compile: no denort /);
  assert.ok(run.out.includes(`DENORT_BIN names "${missing}", which is not a file`), run.out);
  assert.match(run.out, /set DENORT_BIN to a denort binary of Deno \d+\.\d+\.\d+/);
  assert.deepEqual([...Deno.readDirSync(dir.path)], []);
});

Deno.test("compile offline without DENORT_BIN: one line naming the download and DENORT_BIN", async () => {
  using dir = tempDataDir();
  const closed = "http://127.0.0.1:9"; // the discard port: nothing listens on loopback
  const run = await _compile(join(dir.path, "dist", "caxton"), {
    DENO_DIR: join(dir.path, "deno-cache"),
    HTTPS_PROXY: closed,
    HTTP_PROXY: closed,
  });
  assert.equal(run.code, EXIT_NO_DENORT, run.out);
  assert.equal(run.out.trim().split("\n").length, 1, run.out);
  assert.match(
    run.out,
    /https:\/\/dl\.deno\.land\/release\/v[\d.]+\/denort-\S+\.zip cannot be downloaded/,
  );
  assert.match(run.out, /set DENORT_BIN .* or run where dl\.deno\.land is reachable$/m);
  await assert.rejects(() => Deno.stat(join(dir.path, "dist")), Deno.errors.NotFound);
});
