/**
 * Security between nodes: NATS over TLS with client certificates (the
 * server's `verify: true`) and a user/password. A node with a certificate
 * and the password joins; one without a certificate, with a certificate from
 * another CA, or with a wrong password is refused and `caxton serve` exits
 * with one line saying why.
 */
import assert from "node:assert/strict";
import { makeCerts, type TestCerts } from "../_support/certs.ts";
import { startClusterNode, startNats } from "../_support/nats.ts";
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
