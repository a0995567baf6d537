// `caxton agent new`: every language scaffolds a project whose own build and
// test commands work — the test deploys the built agent into a real node and
// gets its reply.
import assert from "node:assert/strict";
import { join } from "node:path";
import { AGENT_LANGUAGES, scaffoldAgent, ScaffoldError } from "../../src/scaffold/mod.ts";
import { tempDataDir } from "../_support/node.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;

async function _run(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, out: decoder.decode(output.stdout) + decoder.decode(output.stderr) };
}

for (const lang of AGENT_LANGUAGES) {
  Deno.test(`a scaffolded ${lang} agent builds, deploys into a real node and replies`, async () => {
    using dir = tempDataDir();
    const project = await scaffoldAgent(`hello-${lang}`, { lang, parentDir: dir.path });
    assert.ok(project.files.includes("agent_test.ts"));
    assert.ok(project.files.includes("build.ts"));
    const build = await _run(["task", "build"], project.dir);
    assert.equal(build.code, 0, build.out);
    assert.match(build.out, /agent\.wasm: \d+ bytes/);
    const wasm = await Deno.readFile(join(project.dir, "agent.wasm"));
    assert.ok(WebAssembly.validate(wasm));
    const test = await _run(["task", "test"], project.dir);
    assert.equal(test.code, 0, test.out);
    assert.match(test.out, /"performative":"inform"/);
    assert.match(test.out, new RegExp(`"sender":"hello-${lang}"`));
    assert.match(test.out, /ok \| 1 passed \| 0 failed/);
  });
}

Deno.test("caxton agent new writes the project and prints the next commands", async () => {
  using dir = tempDataDir();
  const run = await _run(["run", "-A", CLI, "agent", "new", "greeter", "--lang", "c"], dir.path);
  assert.equal(run.code, 0, run.out);
  assert.match(run.out, /created .*greeter/);
  assert.match(run.out, /task build/);
  assert.ok((await Deno.stat(join(dir.path, "greeter", "agent.c"))).isFile);
  assert.ok((await Deno.stat(join(dir.path, "greeter", "sdk", "caxton.h"))).isFile);
});

Deno.test("caxton agent new refuses a bad language, a bad name and an existing folder", async () => {
  using dir = tempDataDir();
  const badLang = await _run(["run", "-A", CLI, "agent", "new", "x", "--lang", "cobol"], dir.path);
  assert.notEqual(badLang.code, 0);
  assert.match(badLang.out, /choose --lang assemblyscript, c, rust, wat/);
  await assert.rejects(
    () => scaffoldAgent("Bad Name", { lang: "c", parentDir: dir.path }),
    (error) => error instanceof ScaffoldError && error.code === "invalid_name",
  );
  await scaffoldAgent("twice", { lang: "wat", parentDir: dir.path });
  await assert.rejects(
    () => scaffoldAgent("twice", { lang: "wat", parentDir: dir.path }),
    (error) => error instanceof ScaffoldError && error.code === "exists",
  );
});
