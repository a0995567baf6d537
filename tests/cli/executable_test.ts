/**
 * The single executable: `deno task compile` builds `caxton`, which then
 * serves, deploys, sends and replies with no Deno installed beside it.
 * `deno compile` needs Deno's `denort` runtime, downloaded from Deno's
 * servers or named by DENORT_BIN. Where neither works (no internet, as on
 * this project's machines: the npm package `deno` ships only `deno`),
 * scripts/compile.ts exits with EXIT_NO_DENORT and says so in one line: only
 * then is the test skipped, with that line printed. Any other compile failure
 * fails the test.
 */
import assert from "node:assert/strict";
import { EXIT_NO_DENORT } from "../../scripts/compile.ts";
import { agentBytes } from "../_support/node.ts";
import { spawnServer } from "../_support/process.ts";

const REPO = new URL("../../", import.meta.url).pathname;
const dir = Deno.makeTempDirSync({ prefix: "caxton-exe-" });
const binary = `${dir}/caxton`;

const compiled = await new Deno.Command(Deno.execPath(), {
  args: ["run", "-q", "--allow-all", "scripts/compile.ts", binary],
  cwd: REPO,
  env: { NO_COLOR: "1" },
  stdout: "piped",
  stderr: "piped",
}).output();
const noDenort = compiled.code === EXIT_NO_DENORT;
if (noDenort) {
  Deno.removeSync(dir, { recursive: true });
  console.log(
    `SKIP the single-executable test: ${new TextDecoder().decode(compiled.stderr).trim()}`,
  );
}

Deno.test({
  name: "the compiled `caxton` serves, deploys with its own CLI, and an agent replies",
  ignore: noDenort,
  fn: async () => {
    try {
      const text = new TextDecoder();
      assert.equal(
        compiled.code,
        0,
        `compile failed:\n${text.decode(compiled.stdout)}${text.decode(compiled.stderr)}`,
      );
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
