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

/** A `caxton serve` child process; resolves once it prints where it listens. */
export function startServer(
  ...args: string[]
): Promise<{ url: string; process: Deno.ChildProcess } & AsyncDisposable> {
  return spawnServer({ args: cliArgs("serve", "--port", "0", ...args) });
}

/** Spawns a server command and resolves once it prints where it listens. */
export async function spawnServer(
  options: { args: string[]; env?: Record<string, string>; cwd?: string; command?: string },
): Promise<{ url: string; process: Deno.ChildProcess } & AsyncDisposable> {
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
  // Keep draining stderr so the child never blocks on a full pipe.
  const drained = (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })();
  return {
    url,
    process,
    async [Symbol.asyncDispose]() {
      try {
        process.kill("SIGTERM");
      } catch { /* already gone */ }
      await process.status;
      await drained;
    },
  };
}
