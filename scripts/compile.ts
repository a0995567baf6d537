/**
 * Builds the single `caxton` executable with `deno compile`, worker entry
 * files included. `deno compile` needs Deno's `denort` runtime: it downloads
 * it, or takes the file named by DENORT_BIN where there is no download.
 */
const output = Deno.args[0] ?? "dist/caxton";
const args = [
  "compile",
  "--unstable-worker-options",
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env",
  "--allow-sys",
  "--include",
  "src/runtime/agent_worker.ts",
  "--include",
  "src/runtime/prepare_worker.ts",
  "--output",
  output,
  "cli.ts",
];
const { code } = await new Deno.Command(Deno.execPath(), {
  args,
  stdout: "inherit",
  stderr: "inherit",
})
  .output();
if (code !== 0) {
  console.error(
    `compile: deno compile failed (exit ${code}); where denort cannot be downloaded, set DENORT_BIN to a denort binary of the same Deno version`,
  );
  Deno.exit(code);
}
console.log(`built ${output}`);
