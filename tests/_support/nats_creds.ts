/**
 * NATS decentralised auth made in the test (what `nsc` makes): an operator,
 * an account with JetStream, and users in it, as JWTs signed with nkeys; the
 * nats-server config that trusts them (memory resolver) and a user's
 * credentials file for `cluster.credsFile`.
 */
import { createAccount, createOperator, createUser, type KeyPair } from "@nats-io/nkeys";

const _encoder = new TextEncoder();

function _b64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** A NATS JWT for `subject`, signed by `issuer`. */
function _jwt(issuer: KeyPair, subject: string, name: string, nats: Record<string, unknown>) {
  const header = _b64url(_encoder.encode(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" })));
  const claims = {
    jti: crypto.randomUUID().replaceAll("-", "").toUpperCase(),
    iat: Math.floor(Date.now() / 1000),
    iss: issuer.getPublicKey(),
    name,
    sub: subject,
    nats: { version: 2, ...nats },
  };
  const body = _b64url(_encoder.encode(JSON.stringify(claims)));
  return `${header}.${body}.${_b64url(issuer.sign(_encoder.encode(`${header}.${body}`)))}`;
}

/** An operator trusting one account (and its system account); users of that account, or of another, on demand. */
export interface NatsAuth {
  /** nats-server config text: the operator and its account, preloaded. */
  serverConfig: string;
  /** Writes a credentials file of a new user of the trusted account (`trusted: false`: of an unknown account). */
  userCreds(path: string, trusted?: boolean): string;
}

export function makeNatsAuth(): NatsAuth {
  const operator = createOperator();
  const account = createAccount();
  const stranger = createAccount();
  // JetStream in operator mode needs a system account.
  const system = createAccount();
  const systemJwt = _jwt(operator, system.getPublicKey(), "SYS", { type: "account" });
  const unlimited = { subs: -1, data: -1, payload: -1 };
  const accountJwt = _jwt(operator, account.getPublicKey(), "caxton", {
    type: "account",
    limits: {
      ...unlimited,
      imports: -1,
      exports: -1,
      wildcards: true,
      conn: -1,
      leaf: -1,
      mem_storage: -1,
      disk_storage: -1,
      streams: -1,
      consumer: -1,
    },
  });
  const operatorJwt = _jwt(operator, operator.getPublicKey(), "test-operator", {
    type: "operator",
  });
  return {
    serverConfig: `operator: ${operatorJwt}
system_account: ${system.getPublicKey()}
resolver: MEMORY
resolver_preload: {
  ${account.getPublicKey()}: ${accountJwt}
  ${system.getPublicKey()}: ${systemJwt}
}
`,
    userCreds(path, trusted = true) {
      const user = createUser();
      const signer = trusted ? account : stranger;
      const jwt = _jwt(signer, user.getPublicKey(), "node", {
        type: "user",
        pub: {},
        sub: {},
        ...unlimited,
      });
      const seed = new TextDecoder().decode(user.getSeed());
      Deno.writeTextFileSync(
        path,
        `-----BEGIN NATS USER JWT-----\n${jwt}\n------END NATS USER JWT------\n\n` +
          `-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`,
      );
      return path;
    },
  };
}
