/**
 * A real JWKS served over loopback and tokens signed with real keys (jose),
 * for tests of JWT bearer authentication, the good ones and every bad kind.
 */
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from "jose";

export const ISSUER = "https://issuer.test";
export const AUDIENCE = "caxton-test";

/** The bad tokens the corpus tries. */
export const BAD_JWTS = [
  "wrong_issuer",
  "wrong_audience",
  "expired",
  "not_yet_valid",
  "alg_none",
  "tampered",
  "unknown_kid",
  "hs_confusion",
] as const;

export type BadJwt = typeof BAD_JWTS[number];

/** A JWKS server with an RS256 key (kid "k1") and a key it does not publish (kid "k2"). */
export interface JwksServer extends AsyncDisposable {
  url: string;
  /** A valid token for `sub` with `role` in the `caxton_role` claim. */
  token(sub: string, role: string): Promise<string>;
  /** A token that must be refused, of the given kind. */
  bad(kind: BadJwt, role?: string): Promise<string>;
  /** How many times the JWKS was fetched. */
  fetches(): number;
}

export async function startJwks(): Promise<JwksServer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const other = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  let fetches = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    fetches++;
    return Response.json({ keys: [jwk] });
  });
  const now = () => Math.floor(Date.now() / 1000);
  const signed = (
    claims: Record<string, unknown>,
    opts: {
      iss?: string;
      aud?: string;
      exp?: number;
      nbf?: number;
      kid?: string;
      key?: CryptoKey;
    } = {},
  ) => {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: opts.kid ?? "k1" })
      .setIssuer(opts.iss ?? ISSUER)
      .setAudience(opts.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? now() + 600);
    if (opts.nbf !== undefined) jwt.setNotBefore(opts.nbf);
    return jwt.sign(opts.key ?? privateKey);
  };
  return {
    url: `http://127.0.0.1:${server.addr.port}/jwks.json`,
    token: (sub, role) => signed({ sub, caxton_role: role }),
    async bad(kind, role = "admin") {
      const claims = { sub: "mallory", caxton_role: role };
      switch (kind) {
        case "wrong_issuer":
          return await signed(claims, { iss: "https://evil.test" });
        case "wrong_audience":
          return await signed(claims, { aud: "someone-else" });
        case "expired":
          return await signed(claims, { exp: now() - 3600 });
        case "not_yet_valid":
          return await signed(claims, { nbf: now() + 3600 });
        case "alg_none":
          return new UnsecuredJWT(claims).setIssuer(ISSUER).setAudience(AUDIENCE)
            .setExpirationTime(now() + 600).encode();
        case "tampered": {
          const [h, , s] = (await signed(claims)).split(".");
          const body = btoa(
            JSON.stringify({
              ...claims,
              caxton_role: "admin",
              iss: ISSUER,
              aud: AUDIENCE,
              exp: now() + 600,
            }),
          )
            .replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");
          return `${h}.${body}.${s}`;
        }
        case "unknown_kid":
          return await signed(claims, { kid: "k2", key: other.privateKey });
        case "hs_confusion": {
          // An HMAC whose secret is the public key, the classic RS/HS confusion.
          const pem = await exportSPKI(publicKey);
          return await new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid: "k1" })
            .setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime(now() + 600)
            .sign(new TextEncoder().encode(pem));
        }
      }
    },
    fetches: () => fetches,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}
