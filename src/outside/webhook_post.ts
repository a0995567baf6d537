/**
 * One webhook POST, one hop, connected only to addresses the guard allowed.
 * `node:http(s)` is used rather than `fetch` because it takes a `lookup`
 * function: the name is resolved and checked by the guard in the same step
 * that connects, so DNS cannot answer one address to the check and another to
 * the connection (DNS rebinding). TLS still verifies the certificate against
 * the URL's host name. Redirects are not followed here; the caller decides.
 */
import http from "node:http";
import https from "node:https";
import type { LookupAddress } from "node:dns";
import type { AddressGuard } from "./address_guard.ts";

/** What one POST got back. */
export interface HopResult {
  status: number;
  /** The Location header of a redirect, if any. */
  location: string | null;
}

type _LookupCallback = (
  error: Error | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * POSTs `body` as JSON to `url`. Rejects with the guard's
 * `WebhookAddressRefusedError` when the host is internal and not allowed,
 * or with the network error.
 */
export function postOnce(
  url: URL,
  body: string,
  options: { guard: AddressGuard; signal: AbortSignal },
): Promise<HopResult> {
  const { guard, signal } = options;
  // The literal host is checked here: node skips lookup for an IP address.
  guard.checkHost(url);
  let refused: Error | null = null;
  const lookup = (_host: string, opts: { all?: boolean; family?: number }, cb: _LookupCallback) => {
    guard.addressesFor(url, signal).then((addresses) => {
      const all = addresses
        .map((address) => ({ address, family: address.includes(":") ? 6 : 4 }))
        .filter((a) => !opts.family || a.family === opts.family);
      if (opts.all) cb(null, all);
      else cb(null, all[0]!.address, all[0]!.family);
    }, (error: Error) => {
      refused = error;
      cb(error, opts.all ? [] : "");
    });
  };
  const send = url.protocol === "https:" ? https.request : http.request;
  return new Promise<HopResult>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      outcome();
    };
    const fail = (error: Error) => settle(() => reject(refused ?? error));
    const req = send(url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": _byteLength(body) },
      lookup: lookup as never,
      // A fresh connection per hop: a pooled socket could be one opened to another address.
      agent: false,
    }, (res) => {
      const result = { status: res.statusCode ?? 0, location: _header(res.headers.location) };
      res.resume();
      res.on("end", () => settle(() => resolve(result)));
      res.on("error", fail);
      // Closed before its end (aborted, reset): the answer is incomplete.
      res.on("close", () => fail(new Error("the connection closed before the answer ended")));
    });
    const onAbort = () => req.destroy(signal.reason instanceof Error ? signal.reason : undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    req.on("error", fail);
    req.end(body);
  });
}

function _header(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? value[0] ?? null : value ?? null;
}

const _encoder = new TextEncoder();

function _byteLength(text: string): number {
  return _encoder.encode(text).length;
}
