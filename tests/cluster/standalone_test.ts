/**
 * Standalone stays standalone: no module a `caxton` process loads at start
 * imports the NATS client; only `startCluster` imports it, dynamically.
 */
import assert from "node:assert/strict";

interface _Module {
  specifier: string;
  dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
}

/** Every module reachable from `root` by static (runtime) imports. */
async function staticGraph(root: string): Promise<Set<string>> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", root],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const info = JSON.parse(new TextDecoder().decode(stdout)) as {
    roots: string[];
    modules: _Module[];
  };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const todo = [...info.roots];
  while (todo.length > 0) {
    const specifier = todo.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of bySpecifier.get(specifier)?.dependencies ?? []) {
      // Type-only imports have no `code`; dynamic ones load only when called.
      if (dep.code && !dep.isDynamic) todo.push(dep.code.specifier);
    }
  }
  return seen;
}

Deno.test("no module loaded at start imports the NATS client: it is loaded only with --cluster", async () => {
  for (const root of ["cli.ts", "main.ts"]) {
    const graph = await staticGraph(new URL(`../../${root}`, import.meta.url).pathname);
    assert.ok(
      [...graph].some((s) => s.endsWith("/src/cluster/mod.ts")),
      `${root} reaches the cluster's front door`,
    );
    const nats = [...graph].filter((s) => s.includes("@nats-io"));
    assert.deepEqual(nats, [], `${root} loads the NATS client statically`);
  }
});
