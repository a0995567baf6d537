/** Runs the real `caxton` CLI (cli.ts) in a child Deno process. */

const CLI = new URL("../../cli.ts", import.meta.url).pathname;

/** Arguments that run cli.ts with the permissions `deno task start` grants. */
export function cliArgs(...args: string[]): string[] {
  return ["run", "--unstable-worker-options", "--allow-all", CLI, ...args];
}

/** Runs `caxton <args>` to completion. */
export function runCli(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCliWith({}, ...args);
}

/** Runs `caxton <args>` to completion with extra environment variables. */
export async function runCliWith(
  options: { env?: Record<string, string>; signal?: AbortSignal; cwd?: string },
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: cliArgs(...args),
    env: options.env,
    cwd: options.cwd,
    signal: options.signal,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

/** A server child process. */
export interface SpawnedServer extends AsyncDisposable {
  url: string;
  process: Deno.ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
}

/** A `caxton serve` child process; resolves once it prints where it listens. */
export function startServer(
  ...args: string[]
): Promise<SpawnedServer> {
  return spawnServer({ args: cliArgs("serve", "--port", "0", ...args) });
}

/** Spawns a server command and resolves once it prints where it listens. */
export async function spawnServer(
  options: { args: string[]; env?: Record<string, string>; cwd?: string; command?: string },
): Promise<SpawnedServer> {
  const { command = Deno.execPath(), ...rest } = options;
  const process = new Deno.Command(command, {
    ...rest,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = process.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const deadline = Date.now() + 30_000;
  while (!/listening on (\S+)/.test(seen)) {
    if (Date.now() > deadline) throw new Error(`caxton serve did not start: ${seen}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`caxton serve exited: ${seen}`);
    seen += value;
  }
  const url = seen.match(/listening on (\S+)/)![1]!;
  // Keep draining stderr so the child never blocks on a full pipe; keep it for stderr().
  const drained = (async () => {
    for (let read = await reader.read(); !read.done; read = await reader.read()) seen += read.value;
  })();
  return {
    url,
    process,
    stderr: () => seen,
    async [Symbol.asyncDispose]() {
      try {
        process.kill("SIGTERM");
      } catch { /* already gone */ }
      await process.status;
      await drained;
    },
  };
}

/**
 * Options for a child Deno run as from a user's shell: this process's
 * environment without the INIT_CWD npx set for it (it names the checkout, and
 * `caxton agent new|build|test` read it as the caller's folder), plus `extra`.
 */
export function shellEnv(extra: Record<string, string> = {}): {
  clearEnv: true;
  env: Record<string, string>;
} {
  const { INIT_CWD: _, ...env } = Deno.env.toObject();
  return { clearEnv: true, env: { ...env, ...extra } };
}
