// `deno task build:agents NAME…` builds what is asked, into the folder asked
// (--out-dir), and keeps that folder's manifest listing what it holds.
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import type { ManifestEntry } from "../../scripts/build_agents.ts";
import { tempDataDir } from "../_support/node.ts";

const SCRIPT = new URL("../../scripts/build_agents.ts", import.meta.url).pathname;

async function _build(...args: string[]): Promise<{ code: number; out: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-env", "--allow-run", SCRIPT, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: output.code, out: text.decode(output.stdout) + text.decode(output.stderr) };
}

async function _files(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (at: string) => {
    for await (const entry of Deno.readDir(at)) {
      if (entry.isDirectory) await walk(join(at, entry.name));
      else found.push(relative(dir, join(at, entry.name)));
    }
  };
  await walk(dir);
  return found.sort();
}

async function _manifest(dir: string): Promise<string[]> {
  const entries = JSON.parse(await Deno.readTextFile(join(dir, "manifest.json")));
  return (entries as ManifestEntry[]).map((e) => e.name);
}

Deno.test("build:agents echo builds the echo agent and nothing else", async () => {
  using dir = tempDataDir();
  const run = await _build("--out-dir", dir.path, "echo");
  assert.equal(run.code, 0, run.out);
  assert.deepEqual(await _files(dir.path), ["echo_wat.wasm", "manifest.json", "wat/echo.wasm"]);
  assert.deepEqual(await _manifest(dir.path), ["wat/echo", "echo_wat"]);
  assert.ok(WebAssembly.validate(await Deno.readFile(join(dir.path, "echo_wat.wasm"))));
});

Deno.test("a second partial build adds to the manifest and leaves fresh modules alone", async () => {
  using dir = tempDataDir();
  assert.equal((await _build("--out-dir", dir.path, "echo")).code, 0);
  // A copy written in the same clock tick as its source is still fresh (CI's
  // disk gave both one mtime and the copy was rebuilt every time).
  const copy = await Deno.stat(join(dir.path, "echo_wat.wasm"));
  await Deno.utime(join(dir.path, "wat/echo.wasm"), copy.mtime!, copy.mtime!);
  const run = await _build("--out-dir", dir.path, "wat/counter", "echo_wat");
  assert.equal(run.code, 0, run.out);
  assert.match(run.out, /^fresh {2}echo_wat /m);
  assert.match(run.out, /^built {2}wat\/counter /m);
  assert.deepEqual(await _manifest(dir.path), ["wat/counter", "wat/echo", "echo_wat"]);
});

Deno.test("an unknown name fails in one line that lists the agents there are", async () => {
  using dir = tempDataDir();
  const run = await _build("--out-dir", dir.path, "nope");
  assert.equal(run.code, 2);
  assert.equal(run.out.trim().split("\n").length, 1, run.out);
  assert.match(run.out, /Cannot build "nope": no such agent; name an example \(.*echo.*\)/);
  assert.deepEqual(await _files(dir.path), []);
});
