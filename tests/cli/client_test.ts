import assert from "node:assert/strict";
import { tempDataDir } from "../_support/node.ts";
import { cliArgs, runCliWith, spawnServer, startServer } from "../_support/process.ts";

const ECHO = new URL("../../build/agents/echo_wat.wasm", import.meta.url).pathname;

Deno.test("the CLI deploys, lists, gets, messages, tails and manages agents against a running server", async () => {
  using dir = tempDataDir();
  await using server = await startServer("--data-dir", dir.path);
  const env = { CAXTON_SERVER: server.url, NO_COLOR: "1" };
  const cli = (...args: string[]) => runCliWith({ env }, ...args);

  const deployed = await cli(
    "agent",
    "deploy",
    "echo",
    ECHO,
    "--limit",
    "maxMessageBytes=8192",
    "--capability",
    "echo",
  );
  assert.equal(deployed.code, 0, deployed.stderr);
  assert.match(deployed.stdout, /^echo {2}running {2}version 1$/m);
  assert.match(deployed.stdout, /capabilities {2}echo/);

  const table = await cli("agent", "list");
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^NAME +STATE +VERSION +LANGUAGE/m);
  assert.match(table.stdout, /^echo +running +1 +wat /m);
  assert.ok(!table.stdout.includes("\x1b["), "no colour when NO_COLOR is set or not a TTY");

  const json = await cli("agent", "get", "echo", "--json");
  assert.equal(JSON.parse(json.stdout).limits.maxMessageBytes, 8192);
  const badGrant = await cli("agent", "deploy", "echo2", ECHO, "--tool", "no-slash");
  assert.notEqual(badGrant.code, 0);
  assert.match(badGrant.stderr, /tool grant "no-slash" is not "<server>\/<tool>"/);
  const stated = await cli("agent", "deploy", "zigged", ECHO, "--language", "zig");
  assert.equal(stated.code, 0, stated.stderr);
  assert.match(stated.stdout, /^language {6}zig$/m);

  // The tail subscribes once its process is up: send until it has seen one (bounded).
  const stopTail = new AbortController();
  let tailDone = false;
  const tail = runCliWith(
    { env, signal: stopTail.signal },
    "message",
    "tail",
    "--agent",
    "echo",
    "--performative",
    "inform",
    "--count",
    "1",
    "--json",
  ).finally(() => tailDone = true);
  let reply;
  for (let i = 0; i < 60 && !tailDone; i++) {
    reply = await cli("message", "send", "echo", '"hello"', "--conversation", "cli-1");
    assert.equal(reply.code, 0, reply.stderr);
    assert.equal(reply.stdout.trim(), "inform from echo: hello");
  }
  stopTail.abort();
  const tailed = await tail;
  assert.equal(tailed.code, 0, tailed.stderr);
  assert.equal(JSON.parse(tailed.stdout).message.content, "hello");

  const asParticipant = await cli(
    "message",
    "send",
    "echo",
    "hi",
    "--as",
    "alice",
    "--wait",
    "5000",
  );
  assert.equal(asParticipant.code, 0, asParticipant.stderr);
  assert.match(asParticipant.stdout, /^inform from echo: hi$/m);

  const conversation = await cli("conversation", "show", "cli-1");
  assert.equal(conversation.code, 0, conversation.stderr);
  assert.match(conversation.stdout, /request .*hello/);
  assert.match(conversation.stdout, /inform .*hello/);

  for (const verb of ["stop", "start", "reload"]) {
    const res = await cli("agent", verb, "echo");
    assert.equal(res.code, 0, res.stderr);
  }
  const logs = await cli("agent", "logs", "echo");
  assert.match(logs.stdout, /running → draining \(v1\): stop requested/);
  assert.match(logs.stdout, /reload/);

  const status = await cli("server", "status");
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /ready/);

  const removed = await cli("agent", "remove", "echo");
  assert.equal(removed.code, 0);
  const gone = await cli("agent", "get", "echo");
  assert.equal(gone.code, 3, "not found has its own exit code");
  assert.match(gone.stderr, /^caxton: Cannot find agent "echo".* — `caxton agent list` shows/);
});

Deno.test("without a server the CLI says where it looked and how to start one (exit 4)", async () => {
  // A port nothing listens on: bind one, then free it.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const res = await runCliWith(
    { env: { CAXTON_SERVER: `http://127.0.0.1:${port}` } },
    "agent",
    "list",
  );
  assert.equal(res.code, 4);
  assert.equal(
    res.stderr.trim(),
    `caxton: no server at http://127.0.0.1:${port} (from CAXTON_SERVER) — start one with \`caxton serve\`, or point to yours with --server URL or CAXTON_SERVER`,
  );
});

Deno.test("the server URL and token come from the config file, then the environment, then flags", async () => {
  using dir = tempDataDir();
  await using server = await startServer("--data-dir", dir.path);
  const config = `${dir.path}/cli.json`;
  Deno.writeTextFileSync(config, JSON.stringify({ server: server.url }));
  const fromFile = await runCliWith(
    { env: { CAXTON_CLI_CONFIG: config } },
    "server",
    "status",
    "--json",
  );
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.equal(JSON.parse(fromFile.stdout).server, server.url);
  const flagWins = await runCliWith(
    { env: { CAXTON_CLI_CONFIG: config } },
    "server",
    "status",
    "--server",
    "http://127.0.0.1:1",
  );
  assert.equal(flagWins.code, 4);
  Deno.writeTextFileSync(config, "{broken");
  const broken = await runCliWith({ env: { CAXTON_CLI_CONFIG: config } }, "agent", "list");
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /Cannot parse CLI config/);
});

Deno.test("a server with a token refuses the CLI without it and accepts CAXTON_TOKEN", async () => {
  using dir = tempDataDir();
  await using guarded = await spawnServer({
    args: cliArgs("serve", "--port", "0", "--data-dir", dir.path),
    env: { CAXTON_API_TOKEN: "token-1234" },
  });
  const without = await runCliWith({ env: { CAXTON_SERVER: guarded.url } }, "agent", "list");
  assert.equal(without.code, 1);
  assert.match(
    without.stderr,
    /requires credentials: a bearer API key, JWT or token — set an API key with CAXTON_API_KEY \(or --token, CAXTON_TOKEN/,
  );
  const withToken = await runCliWith(
    { env: { CAXTON_SERVER: guarded.url, CAXTON_TOKEN: "token-1234" } },
    "agent",
    "list",
  );
  assert.equal(withToken.code, 0, withToken.stderr);
});

Deno.test("`caxton completion bash|zsh` prints scripts that know every noun and verb; usage errors exit 2", async () => {
  const bash = await runCliWith({}, "completion", "bash");
  assert.equal(bash.code, 0);
  assert.match(bash.stdout, /complete -F _caxton caxton/);
  assert.match(
    bash.stdout,
    /agent\) COMPREPLY=\(\$\(compgen -W "new build test deploy list get start stop reload remove logs state rollout"/,
  );
  const file = await Deno.makeTempFile({ suffix: ".bash" });
  try {
    await Deno.writeTextFile(file, bash.stdout);
    const syntax = await new Deno.Command("bash", { args: ["-n", file] }).output();
    assert.equal(syntax.code, 0, new TextDecoder().decode(syntax.stderr));
  } finally {
    await Deno.remove(file);
  }
  const zsh = await runCliWith({}, "completion", "zsh");
  assert.match(zsh.stdout, /^#compdef caxton/);
  assert.match(zsh.stdout, /'send\[send a request/);
  const bad = await runCliWith({}, "completion", "fish");
  assert.equal(bad.code, 2);
  const noFile = await runCliWith({}, "agent", "deploy", "x", "/nonexistent/agent.wasm");
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /Cannot read module .* — build it first/);
  const badOption = await runCliWith({}, "agent", "list", "--colour");
  assert.equal(badOption.code, 2);
  assert.match(badOption.stderr, /Unknown option '--colour'.*caxton agent list --help/);
  const unknownVerb = await runCliWith({}, "agent", "fly");
  assert.equal(unknownVerb.code, 2);
  assert.match(unknownVerb.stderr, /agent takes new, build, test, deploy, list, get/);
});
