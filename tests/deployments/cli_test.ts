import assert from "node:assert/strict";
import { runCliWith } from "../_support/process.ts";
import { deploy, startApiNode } from "../_support/api_node.ts";

const _module = (name: string) =>
  new URL(`../../build/agents/${name}.wasm`, import.meta.url).pathname;

Deno.test("`caxton agent deploy --strategy canary` and `agent rollout status|promote|history`", async () => {
  await using n = await startApiNode();
  await deploy(n.api, "svc", "echo_wat");
  const cli = (...args: string[]) =>
    runCliWith({ env: { CAXTON_SERVER: n.url, NO_COLOR: "1" } }, ...args);
  const started = await cli(
    "agent",
    "deploy",
    "svc",
    _module("trap_once"),
    "--strategy",
    "canary",
    "--steps",
    "10,25,50,100",
    "--interval",
    "10m",
    "--sample",
    "0",
  );
  assert.equal(started.code, 0, started.stderr);
  assert.match(started.stdout, /canary, progressing, share 10%/);
  assert.match(started.stdout, /sandbox: passed/);
  const status = await cli("agent", "rollout", "status", "svc", "--json");
  assert.equal(JSON.parse(status.stdout).status, "progressing");
  const promoted = await cli("agent", "rollout", "promote", "svc");
  assert.match(promoted.stdout, /promoted, share 100%/);
  const refused = await cli(
    "agent",
    "deploy",
    "svc",
    _module("trap_once"),
    "--strategy",
    "bluegreen",
    "--test",
    "boom",
  );
  assert.equal(refused.code, 5, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /failed validation: sandbox stage failed: trapped/);
  const history = await cli("agent", "rollout", "history", "svc");
  assert.match(history.stdout, /bluegreen\s+failed_validation/);
  assert.match(history.stdout, /canary\s+promoted/);
  const bad = await cli("agent", "rollout", "sideways", "svc");
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split("\n").length <= 2, true, bad.stderr);
});
