/**
 * Layers import downward only (shared/STYLE.md 21), read from the source
 * files' own import lines: config is a leaf, the cluster does not reach into
 * the lifecycle, the store knows nothing of runtime or lifecycle.
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const _SRC = new URL("../../src/", import.meta.url).pathname;

/** The areas under src/ that `area`'s files import from, with the file that does. */
function importsOf(area: string): { file: string; target: string }[] {
  const found: { file: string; target: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) walk(path);
      else if (entry.name.endsWith(".ts")) {
        const text = Deno.readTextFileSync(path);
        // Static imports, re-exports and dynamic imports alike.
        for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["']\.\.\/([a-z_]+)\//g)) {
          found.push({ file: path.slice(_SRC.length), target: m[1]! });
        }
      }
    }
  };
  walk(join(_SRC, area));
  return found;
}

/** Fails naming each import of `area` into one of `forbidden`. */
function assertNoImports(area: string, forbidden: string[]): void {
  const wrong = importsOf(area).filter((i) => forbidden.includes(i.target));
  assert.deepEqual(
    wrong.map((i) => `${i.file} imports src/${i.target}`),
    [],
    `src/${area} must not import ${forbidden.join(", ")}`,
  );
}

const _AREAS = [...Deno.readDirSync(_SRC)].filter((e) => e.isDirectory).map((e) => e.name);

Deno.test("src/config is a leaf: it imports no other area", () => {
  assertNoImports("config", _AREAS.filter((a) => a !== "config"));
});

Deno.test("src/cluster does not depend on src/lifecycle (names are claimed through the router's seam)", () => {
  assertNoImports("cluster", ["lifecycle", "api", "outside", "mcp"]);
});

Deno.test("src/store imports no runtime, lifecycle or api types", () => {
  assertNoImports("store", ["runtime", "lifecycle", "api", "cluster", "outside"]);
});

Deno.test("the check reads real import lines: the api's imports are found", () => {
  const targets = new Set(importsOf("api").map((i) => i.target));
  assert.ok(targets.has("lifecycle") && targets.has("router"), [...targets].join(", "));
});
