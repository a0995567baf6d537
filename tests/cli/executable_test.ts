/**
 * The single executable: `deno task compile` builds `caxton`, which then
 * serves, deploys, sends and replies with no Deno installed beside it.
 * `deno compile` needs Deno's `denort` runtime, downloaded from Deno's
 * servers or named by DENORT_BIN. Where neither works (no internet, as on
 * this project's machines: the npm package `deno` ships only `deno`), the
 * test is skipped with the reason printed, never faked.
 */
import assert from "node:assert/strict";
import { agentBytes } from "../_support/node.ts";
import { spawnServer } from "../_support/process.ts";

const REPO = new URL("../../", import.meta.url).pathname;
const dir = Deno.makeTempDirSync({ prefix: "caxton-exe-" });
const binary = `${dir}/caxton`;

const compiled = await new Deno.Command(Deno.execPath(), {
  args: ["task", "compile", binary],
  cwd: REPO,
  stdout: "piped",
  stderr: "piped",
}).output();
// deno-lint-ignore no-control-regex
const lines = new TextDecoder().decode(compiled.stderr).replace(/\x1b\[[0-9;]*m/g, "").split("\n");
const reason = compiled.code === 0
  ? null
  : (lines.find((l) => /error sending request|dns error/.test(l)) ??
    lines.find((l) => /denort|DENORT_BIN/.test(l)) ?? `deno compile exited ${compiled.code}`)
    .trim();
if (reason !== null) {
  Deno.removeSync(dir, { recursive: true });
  console.log(
    `SKIP the single-executable test: denort is not available (DENORT_BIN ${
      Deno.env.get("DENORT_BIN") ? "is set but failed" : "is not set"
    }; deno compile could not download it): ${reason}`,
  );
}

Deno.test({
  name: "the compiled `caxton` serves, deploys with its own CLI, and an agent replies",
  ignore: reason !== null,
  fn: async () => {
    try {
      const data = `${dir}/data`;
      await using server = await spawnServer({
        command: binary,
        args: ["serve", "--port", "0", "--data-dir", data],
      });
      const module = `${dir}/echo.wasm`;
      Deno.writeFileSync(module, agentBytes("echo_wat"));
      const run = async (...args: string[]) => {
        const out = await new Deno.Command(binary, {
          args,
          env: { CAXTON_SERVER: server.url, NO_COLOR: "1" },
          stdout: "piped",
          stderr: "piped",
        }).output();
        return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
      };
      assert.equal((await run("agent", "deploy", "echo", module)).code, 0);
      const reply = await run("message", "send", "echo", '"from the binary"');
      assert.equal(reply.code, 0);
      assert.equal(reply.stdout.trim(), "inform from echo: from the binary");
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
