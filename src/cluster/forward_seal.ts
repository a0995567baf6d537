/**
 * Trust for API requests one node forwards to another. The forwarding node
 * has already checked the caller's credential (an API key exists only on the
 * node it was made on), so it seals the caller's identity into the forwarded
 * request with an HMAC keyed by a secret every node reads from the cluster's
 * KV bucket: only a member of the NATS account can make a seal the receiving
 * node accepts. The seal binds the node, method, path with query, time and
 * caller; it is good for {@linkcode SEAL_WINDOW_MS} either way (node clocks
 * are expected to agree, e.g. NTP).
 */
import type { Principal } from "../auth/mod.ts";

/** The node that forwarded a request (never forwarded again). */
export const FORWARDED_BY = "x-caxton-forwarded-by";
/** The caller, base64url JSON. */
export const FORWARDED_CALLER = "x-caxton-caller";
/** `<epoch ms>.<hex HMAC-SHA256>`. */
export const FORWARD_SEAL = "x-caxton-seal";
/** How old (or early) a seal may be. */
export const SEAL_WINDOW_MS = 60_000;

const _encoder = new TextEncoder();

/** Seals and opens forwarded requests with one cluster secret. */
export class ForwardSeal {
  readonly #key: Promise<CryptoKey>;

  constructor(secret: Uint8Array<ArrayBuffer>) {
    this.#key = crypto.subtle.importKey(
      "raw",
      secret,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
  }

  /** The headers that carry `caller` on a request node `node` forwards. */
  async seal(
    node: string,
    method: string,
    path: string,
    caller: Principal,
    now = Date.now(),
  ): Promise<Record<string, string>> {
    const encoded = _base64url(_encoder.encode(JSON.stringify(caller)));
    const mac = await crypto.subtle.sign(
      "HMAC",
      await this.#key,
      _encoder.encode(_signed(node, method, path, now, encoded)),
    );
    return {
      [FORWARDED_BY]: node,
      [FORWARDED_CALLER]: encoded,
      [FORWARD_SEAL]: `${now}.${_hex(new Uint8Array(mac))}`,
    };
  }

  /** The sealed caller of a forwarded request, or why it is refused. */
  async open(
    headers: Headers,
    method: string,
    path: string,
    now = Date.now(),
  ): Promise<Principal | { failure: string }> {
    const node = headers.get(FORWARDED_BY) ?? "";
    const encoded = headers.get(FORWARDED_CALLER) ?? "";
    const [at, mac] = (headers.get(FORWARD_SEAL) ?? "").split(".");
    const time = Number(at);
    if (!node || !encoded || !mac || !Number.isSafeInteger(time) || !/^[0-9a-f]{64}$/.test(mac)) {
      return { failure: "the forwarded request's seal is malformed" };
    }
    if (Math.abs(now - time) > SEAL_WINDOW_MS) {
      return { failure: "the forwarded request's seal is too old (or node clocks disagree)" };
    }
    const ok = await crypto.subtle.verify(
      "HMAC",
      await this.#key,
      _bytes(mac),
      _encoder.encode(_signed(node, method, path, time, encoded)),
    );
    if (!ok) return { failure: "the forwarded request's seal does not verify" };
    try {
      return JSON.parse(new TextDecoder().decode(_unbase64url(encoded))) as Principal;
    } catch {
      return { failure: "the forwarded request's caller is unreadable" };
    }
  }
}

function _signed(node: string, method: string, path: string, at: number, caller: string): string {
  return `caxton-forward-v1\n${node}\n${method}\n${path}\n${at}\n${caller}`;
}

function _hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function _bytes(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function _base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

function _unbase64url(text: string): Uint8Array {
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}
