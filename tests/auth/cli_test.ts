import assert from "node:assert/strict";
import { tempDataDir } from "../_support/node.ts";
import { cliArgs, runCliWith, spawnServer } from "../_support/process.ts";

Deno.test("the first admin key is made offline; the CLI sends CAXTON_API_KEY; keys, whoami and audit work against a node that requires credentials", async () => {
  using dir = tempDataDir();
  const created = await runCliWith(
    { env: { NO_COLOR: "1" } },
    "key",
    "create",
    "--role",
    "admin",
    "--offline",
    "--data-dir",
    dir.path,
    "--json",
  );
  assert.equal(created.code, 0, created.stderr);
  const admin = JSON.parse(created.stdout);
  assert.match(admin.key, /^cxk_/);
  await using server = await spawnServer({
    args: cliArgs("serve", "--port", "0", "--data-dir", dir.path),
    env: { CAXTON_AUTH: "required" },
  });
  const env = { CAXTON_SERVER: server.url, NO_COLOR: "1" };
  const anonymous = await runCliWith({ env }, "whoami");
  assert.notEqual(anonymous.code, 0);
  assert.match(anonymous.stderr, /requires credentials/);
  assert.match(anonymous.stderr, /CAXTON_API_KEY/);
  const asAdmin = { ...env, CAXTON_API_KEY: admin.key };
  const me = await runCliWith({ env: asAdmin }, "whoami");
  assert.equal(me.code, 0, me.stderr);
  assert.match(me.stdout, new RegExp(`^${admin.record.id} \\(api_key\\) role admin`));
  assert.match(me.stdout, /keys\.manage/);
  const viewer = await runCliWith(
    { env: asAdmin },
    "key",
    "create",
    "--role",
    "viewer",
    "--expires",
    "7d",
  );
  assert.equal(viewer.code, 0, viewer.stderr);
  assert.match(viewer.stdout, /shown once/);
  const viewerId = viewer.stdout.match(/^(cxk_[0-9a-f]{8}) role=viewer/m)![1]!;
  const revoked = await runCliWith({ env: asAdmin }, "key", "revoke", viewerId);
  assert.equal(revoked.code, 0, revoked.stderr);
  const list = await runCliWith({ env: asAdmin }, "key", "list");
  assert.match(list.stdout, new RegExp(`^${viewerId} +viewer +- +revoked`, "m"));
  const audit = await runCliWith({ env: asAdmin }, "audit", "list");
  assert.match(audit.stdout, /keys\.manage +\/api\/v1\/keys +127\.0\.0\.1 +ok 201/);
  assert.match(audit.stdout, /self\.read +\/api\/v1\/whoami +127\.0\.0\.1 +denied 401/);
  const verify = await runCliWith({ env: asAdmin }, "audit", "verify");
  assert.equal(verify.code, 0, verify.stderr);
});

Deno.test("caxton serve on 0.0.0.0 with no credentials exits, saying how to create a key", async () => {
  using dir = tempDataDir();
  const served = await runCliWith(
    { env: { NO_COLOR: "1" } },
    "serve",
    "--host",
    "0.0.0.0",
    "--port",
    "0",
    "--data-dir",
    dir.path,
  );
  assert.notEqual(served.code, 0);
  assert.match(served.stderr, /without credentials/);
  assert.match(served.stderr, /caxton key create --role admin --offline --data-dir/);
});
