/**
 * Bundles the dashboard (src/ui) into build/ui: app.js (Preact, htm, uPlot
 * and the pages, minified by `deno bundle`), tail_worker.js (the live tail's
 * reader), app.css (uPlot's and ours) and index.html. `deno task build:ui`; the test, bench, start and compile tasks
 * run it first, and `deno compile` embeds build/ui, so a user never builds.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "build", "ui");

async function main(): Promise<number> {
  await Deno.mkdir(out, { recursive: true });
  // The page, and the worker that reads its live tail (a file of its own: a worker loads one URL).
  for (const [entry, output] of [["main.ts", "app.js"], ["tail_worker.ts", "tail_worker.js"]]) {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "browser",
        "--minify",
        "--output",
        join(out, output),
        join(root, "src", "ui", entry),
      ],
      cwd: root,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      await Deno.stderr.write(stderr);
      console.error(`build:ui: deno bundle of ${entry} failed (exit ${code}); see its error above`);
      return 1;
    }
  }
  // uPlot's stylesheet comes from the npm package deno installed into node_modules.
  const uplotCss = await Deno.readTextFile(
    join(root, "node_modules", "uplot", "dist", "uPlot.min.css"),
  );
  const ours = await Deno.readTextFile(join(root, "src", "ui", "style.css"));
  await Deno.writeTextFile(join(out, "app.css"), `${uplotCss}\n${ours}`);
  await Deno.copyFile(join(root, "src", "ui", "index.html"), join(out, "index.html"));
  return 0;
}

if (import.meta.main) Deno.exit(await main());
