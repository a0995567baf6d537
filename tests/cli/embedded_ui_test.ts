/**
 * The dashboard in the single executable, as far as it can be tested here:
 * `deno compile` needs denort, which cannot be downloaded on this machine
 * (executable_test.ts runs the real binary where it can). So: the compile's
 * include list carries every file the server loads at run time (workers, every
 * file of build/ui), and the server finds /ui from its own module, not from
 * the working directory, as a binary started from anywhere must.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { COMPILE_INCLUDES } from "../../scripts/compile.ts";
import { UI_FILE_TYPES } from "../../src/api/ui.ts";
import { tempDataDir } from "../_support/node.ts";
import { cliArgs, spawnServer } from "../_support/process.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const UI_DIR = join(ROOT, "build", "ui");
const CONFIG = join(ROOT, "deno.json");

/** Every file under `dir`, relative to the repository root. */
function filesUnder(dir: string): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...filesUnder(path));
    else files.push(relative(ROOT, path));
  }
  return files;
}

/** Whether `deno compile --include` of `COMPILE_INCLUDES` embeds `file` (a path or a folder of it). */
const embedded = (file: string) =>
  COMPILE_INCLUDES.some((include) => file === include || file.startsWith(`${include}/`));

Deno.test("the compile's include list carries every file of build/ui, and the server serves exactly those", () => {
  const built = filesUnder(UI_DIR);
  assert.ok(built.length > 0, "build/ui is built (deno task build:ui)");
  assert.deepEqual(built.filter((f) => !embedded(f)), [], "files deno compile would leave out");
  assert.deepEqual(
    built.map((f) => relative("build/ui", f)).sort(),
    Object.keys(UI_FILE_TYPES).sort(),
    "a built file the server would refuse, or a served one the build does not make",
  );
});

Deno.test("the compile's include list carries every worker entry the source starts", () => {
  const workers: string[] = [];
  for (const file of filesUnder(join(ROOT, "src")).filter((f) => f.endsWith(".ts"))) {
    const text = Deno.readTextFileSync(join(ROOT, file));
    for (
      const [, entry] of text.matchAll(/new Worker\(\s*new URL\("([^"]+)", import\.meta\.url\)/g)
    ) {
      workers.push(relative(ROOT, join(ROOT, file, "..", entry!)));
    }
  }
  assert.ok(workers.length >= 3, `found ${workers.join(", ")}`);
  assert.deepEqual(workers.filter((w) => !embedded(w)), [], "worker entries left out");
  for (const include of COMPILE_INCLUDES) Deno.statSync(join(ROOT, include));
});

Deno.test("caxton serve started from another folder serves /ui and each of its files from the build", async () => {
  using elsewhere = tempDataDir();
  await using server = await spawnServer({
    args: ["run", `--config=${CONFIG}`, ...cliArgs("serve", "--port", "0").slice(1)],
    cwd: elsewhere.path,
  });
  const page = await fetch(`${server.url}/ui`);
  assert.equal(page.status, 200, await page.clone().text());
  assert.equal(await page.text(), Deno.readTextFileSync(join(UI_DIR, "index.html")));
  for (const [file, type] of Object.entries(UI_FILE_TYPES)) {
    const res = await fetch(`${server.url}/ui/${file}`);
    assert.equal(res.status, 200, file);
    assert.equal(res.headers.get("content-type"), type, file);
    assert.deepEqual(
      new Uint8Array(await res.arrayBuffer()),
      Deno.readFileSync(join(UI_DIR, file)),
    );
  }
  // Its data went to the folder it was started in: the working directory really was elsewhere.
  assert.ok([...Deno.readDirSync(elsewhere.path)].length > 0, "serve wrote its data dir there");
});
