// `caxton agent new` scaffolds a project that stands alone, wherever the user
// is: in every language it builds and passes its own test through the
// `caxton` command (`caxton agent test`: a real in-process node), in a folder
// outside the checkout, without a file that points back into the checkout.
import assert from "node:assert/strict";
import { join } from "node:path";
import { AGENT_LANGUAGES, scaffoldAgent, ScaffoldError } from "../../src/scaffold/mod.ts";
import { tempDataDir } from "../_support/node.ts";
import { shellEnv } from "../_support/process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const CLI = join(ROOT, "cli.ts");

/** Runs deno in `cwd` as a user's shell would. */
async function _run(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    ...shellEnv({ NO_COLOR: "1" }),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, out: decoder.decode(output.stdout) + decoder.decode(output.stderr) };
}

/** `caxton <args>` as the docs alias it: cli.ts run from the user's folder. */
const _caxton = (cwd: string, ...args: string[]) =>
  _run(["run", "-q", "-A", "--unstable-worker-options", CLI, ...args], cwd);

async function _files(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) found.push(...(await _files(join(dir, entry.name))));
    else found.push(join(dir, entry.name));
  }
  return found;
}

for (const lang of AGENT_LANGUAGES) {
  Deno.test(`a ${lang} agent scaffolded outside the checkout builds and passes caxton agent test`, async () => {
    using dir = tempDataDir();
    assert.ok(!dir.path.startsWith(ROOT), "the project must live outside the checkout");
    const created = await _caxton(dir.path, "agent", "new", `hello-${lang}`, "--lang", lang);
    assert.equal(created.code, 0, created.out);
    const project = join(dir.path, `hello-${lang}`);
    for (const file of await _files(project)) {
      const text = await Deno.readTextFile(file);
      assert.ok(!text.includes(ROOT.replace(/\/$/, "")), `${file} points into the checkout`);
    }
    const test = await _caxton(project, "agent", "test");
    assert.equal(test.code, 0, test.out);
    assert.match(test.out, /^ok {4}answers a request with inform, threaded/m);
    assert.match(test.out, new RegExp(`"sender":"hello-${lang}"`));
    assert.match(test.out, /^1 passed, 0 failed$/m);
    assert.ok(WebAssembly.validate(await Deno.readFile(join(project, "agent.wasm"))));
  });
}

Deno.test("caxton agent test fails, naming the field, when the reply is not what the spec expects", async () => {
  using dir = tempDataDir();
  const { dir: project } = await scaffoldAgent("picky", { lang: "wat", parentDir: dir.path });
  const specFile = join(project, "agent_test.json");
  const spec = JSON.parse(await Deno.readTextFile(specFile));
  spec.tests[0].expect.content = "something else";
  await Deno.writeTextFile(specFile, JSON.stringify(spec));
  const test = await _caxton(dir.path, "agent", "test", "picky");
  assert.equal(test.code, 1, test.out);
  assert.match(
    test.out,
    /^FAIL {2}answers a request.*: content: expected "something else", got "hello"/m,
  );
  assert.match(test.out, /^0 passed, 1 failed$/m);
});

Deno.test("through deno task, caxton agent new writes into the caller's folder, not the checkout", async () => {
  using dir = tempDataDir();
  const run = await _run(
    [
      "task",
      "-q",
      "--config",
      join(ROOT, "deno.json"),
      "caxton",
      "agent",
      "new",
      "greeter",
      "--lang",
      "c",
    ],
    dir.path,
  );
  assert.equal(run.code, 0, run.out);
  assert.doesNotMatch(run.out, /^Task /m);
  assert.match(run.out, /caxton agent build/);
  assert.ok((await Deno.stat(join(dir.path, "greeter", "agent.c"))).isFile);
  assert.ok((await Deno.stat(join(dir.path, "greeter", "sdk", "caxton.h"))).isFile);
  await assert.rejects(() => Deno.stat(join(ROOT, "greeter")), Deno.errors.NotFound);
  const build = await _caxton(dir.path, "agent", "build", "greeter");
  assert.equal(build.code, 0, build.out);
  assert.match(build.out, /built .*greeter\/agent\.wasm: \d+ bytes \(c\)/);
});

Deno.test("caxton agent test outside a project says what is missing in one line", async () => {
  using dir = tempDataDir();
  const run = await _caxton(dir.path, "agent", "test");
  assert.equal(run.code, 1);
  assert.equal(run.out.trim().split("\n").length, 1, run.out);
  assert.match(run.out, /Cannot find an agent project in .*: there is no caxton\.json/);
});

Deno.test("caxton agent new refuses a bad language, a bad name and an existing folder", async () => {
  using dir = tempDataDir();
  const badLang = await _caxton(dir.path, "agent", "new", "x", "--lang", "cobol");
  assert.equal(badLang.code, 2);
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
