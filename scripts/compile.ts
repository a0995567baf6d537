/**
 * Builds the single `caxton` executable with `deno compile`, worker entry
 * files included: `deno task compile [OUTPUT]` (default `dist/caxton`).
 *
 * `deno compile` builds on Deno's `denort` runtime, which it downloads from
 * dl.deno.land or takes from the file named by DENORT_BIN. Where neither
 * works, this says so in one line and exits with {@linkcode EXIT_NO_DENORT},
 * before compiling anything; the executable is compiled into a temporary
 * folder and moved into place only when it was built, so a failure leaves no
 * empty `dist/` behind.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";

/** The exit code when denort is missing (tests of the executable skip on it, and only on it). */
export const EXIT_NO_DENORT = 3;

/**
 * Files the executable loads at run time, not through imports (relative to the
 * repository root): worker entries, and the dashboard's bundle (`deno task
 * build:ui`) served at /ui. tests/cli/embedded_ui_test.ts checks it is complete.
 */
export const COMPILE_INCLUDES = [
  "src/runtime/agent_worker.ts",
  "src/runtime/prepare_worker.ts",
  "src/store/log_writer_worker.ts",
  "build/ui",
] as const;

const DENO_VERSION = Deno.version.deno;
const DENORT_ZIP = `denort-${Deno.build.target}.zip`;
const DENORT_URL = `https://dl.deno.land/release/v${DENO_VERSION}/${DENORT_ZIP}`;

/** Why `deno compile` would have no denort, or undefined when it has one. */
async function _denortProblem(): Promise<string | undefined> {
  const bin = Deno.env.get("DENORT_BIN");
  if (bin !== undefined) {
    const stat = await Deno.stat(bin).catch(() => undefined);
    return stat?.isFile ? undefined : `DENORT_BIN names "${bin}", which is not a file`;
  }
  // deno compile keeps the download in its cache: <DENO_DIR>/dl/release/v<version>/<zip>
  const cached = join(await _denoDir(), "dl", "release", `v${DENO_VERSION}`, DENORT_ZIP);
  if ((await Deno.stat(cached).catch(() => undefined))?.isFile) return undefined;
  try {
    const res = await fetch(DENORT_URL, { method: "HEAD", signal: AbortSignal.timeout(15_000) });
    await res.body?.cancel();
    return res.ok ? undefined : `${DENORT_URL} answered ${res.status}`;
  } catch (error) {
    // fetch's own message is "fetch failed"; its cause says why
    const { message, cause } = error as Error & { cause?: Error };
    const reason = (cause?.message ?? message).split("\n")[0]!
      .replace(`error sending request for url (${DENORT_URL}): `, "");
    return `${DENORT_URL} cannot be downloaded (${reason})`;
  }
}

async function _denoDir(): Promise<string> {
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stderr: "null" })
    .output();
  return (JSON.parse(new TextDecoder().decode(info.stdout)) as { denoDir: string }).denoDir;
}

async function main(output: string): Promise<number> {
  const problem = await _denortProblem();
  if (problem !== undefined) {
    console.error(
      `compile: no denort ${DENO_VERSION}, the runtime deno compile builds on: ${problem}; ` +
        `set DENORT_BIN to a denort binary of Deno ${DENO_VERSION} (${DENORT_ZIP}, unzipped) ` +
        `or run where dl.deno.land is reachable`,
    );
    return EXIT_NO_DENORT;
  }
  const scratch = await Deno.makeTempDir({ prefix: "caxton-compile-" });
  try {
    const built = join(scratch, basename(output));
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "compile",
        "--unstable-worker-options",
        // request.signal aborts only when the client goes away (long polls), not after a
        // response; the same flag as deno.json's "unstable" list
        "--unstable-no-legacy-abort",
        "--allow-read",
        "--allow-write",
        "--allow-net",
        "--allow-env",
        "--allow-sys",
        ...COMPILE_INCLUDES.flatMap((file) => ["--include", file]),
        "--output",
        built,
        "cli.ts",
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      // deno compile's own report (a type error, a missing file), then one line
      await Deno.stderr.write(stderr);
      console.error(`compile: deno compile failed (exit ${code}); see its error above`);
      return 1;
    }
    await Deno.mkdir(dirname(resolve(output)), { recursive: true });
    await Deno.copyFile(built, output);
    await Deno.chmod(output, 0o755);
    console.log(`built ${output}`);
    return 0;
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args[0] ?? "dist/caxton"));
