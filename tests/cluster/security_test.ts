/**
 * Security between nodes: NATS over TLS with client certificates (the
 * server's `verify: true`) and a user/password. A node with a certificate
 * and the password joins; one without a certificate, with a certificate from
 * another CA, or with a wrong password is refused and `caxton serve` exits
 * with one line saying why. The same with NATS credentials files (operator
 * mode, JWT + nkey, as `nsc` makes them).
 */
import assert from "node:assert/strict";
import { makeCerts, type TestCerts } from "../_support/certs.ts";
import { startClusterNode, startNats } from "../_support/nats.ts";
import { makeNatsAuth } from "../_support/nats_creds.ts";
import { agentBytes } from "../_support/node.ts";
import { runCli } from "../_support/process.ts";

function serverConfig(certs: TestCerts): string {
  return `
tls {
  cert_file: "${certs.server.cert}"
  key_file: "${certs.server.key}"
  ca_file: "${certs.ca}"
  verify: true
  timeout: 5
}
authorization { user: caxton, password: "s3cret-pass" }
`;
}

/** A Caxton config file with these cluster settings. */
function nodeConfig(dir: string, name: string, cluster: Record<string, unknown>): string {
  const path = `${dir}/${name}.json`;
  Deno.writeTextFileSync(path, JSON.stringify({ cluster }));
  return path;
}

/** Runs `caxton serve` that must fail to join; returns its exit code and stderr. */
async function refusedServe(nats: string, config: string) {
  const dataDir = Deno.makeTempDirSync({ prefix: "caxton-refused-" });
  try {
    return await runCli(
      "serve",
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--cluster",
      nats,
      "--config",
      config,
    );
  } finally {
    Deno.removeSync(dataDir, { recursive: true });
  }
}

Deno.test("over TLS with verify: a node with a client certificate and the password joins; others are refused", async () => {
  using certs = await makeCerts();
  await using nats = await startNats({ config: serverConfig(certs) });
  const good = { user: "caxton", pass: "s3cret-pass" };
  const a = nodeConfig(certs.dir, "a", {
    ...good,
    tls: { ca: certs.ca, cert: certs.client.cert, key: certs.client.key },
  });
  await using node = await startClusterNode(nats.url, "node-a", { args: ["--config", a] });
  const seen = await (await fetch(`${node.api}/cluster`)).json();
  assert.equal(seen.connected, true);
  assert.deepEqual(seen.nodes.map((n: { name: string }) => n.name), ["node-a"]);

  const refusals: [string, Record<string, unknown>][] = [
    ["no client certificate", { ...good, tls: { ca: certs.ca } }],
    ["a certificate from another CA", {
      ...good,
      tls: { ca: certs.ca, cert: certs.stranger.cert, key: certs.stranger.key },
    }],
    ["a wrong password", {
      user: "caxton",
      pass: "wrong-pass",
      tls: { ca: certs.ca, cert: certs.client.cert, key: certs.client.key },
    }],
  ];
  for (const [what, cluster] of refusals) {
    const result = await refusedServe(nats.url, nodeConfig(certs.dir, "refused", cluster));
    assert.notEqual(result.code, 0, `${what}: refused`);
    assert.match(result.stderr, /^caxton: Cannot join the cluster at nats:\/\/127\.0\.0\.1:\d+: /m);
    assert.doesNotMatch(result.stderr, /listening on/, `${what}: never served`);
    console.log(`${what}: ${result.stderr.trim().split("\n").at(-1)}`);
  }
});

Deno.test("NATS credentials (operator, account, user JWT + nkey): a node with its creds file joins; a user of an unknown account is refused", async () => {
  const auth = makeNatsAuth();
  await using nats = await startNats({ config: auth.serverConfig });
  const dir = Deno.makeTempDirSync({ prefix: "caxton-creds-" });
  try {
    const good = nodeConfig(dir, "good", { credsFile: auth.userCreds(`${dir}/node.creds`) });
    await using node = await startClusterNode(nats.url, "node-a", { args: ["--config", good] });
    const seen = await (await fetch(`${node.api}/cluster`)).json();
    assert.equal(seen.connected, true);
    // JetStream works for the account: a name is claimed in the registry.
    const deployed = await fetch(`${node.api}/agents/echo`, {
      method: "PUT",
      headers: { "content-type": "application/wasm" },
      body: agentBytes("echo_wat"),
    });
    assert.equal(deployed.status, 201, await deployed.text());

    const stranger = nodeConfig(dir, "stranger", {
      credsFile: auth.userCreds(`${dir}/stranger.creds`, false),
    });
    const refused = await refusedServe(nats.url, stranger);
    assert.notEqual(refused.code, 0, "a user of an unknown account is refused");
    assert.match(
      refused.stderr,
      /^caxton: Cannot join the cluster at nats:\/\/127\.0\.0\.1:\d+: /m,
    );
    console.log(`unknown account: ${refused.stderr.trim().split("\n").at(-1)}`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
