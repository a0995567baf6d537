/**
 * Which network addresses a webhook may reach. An outside participant names
 * its own webhook URL, so without a check it could make the node POST to
 * itself, to the cloud metadata service or to anything else on the node's
 * private network (server-side request forgery). The guard refuses internal
 * addresses unless the operator allows them (`webhookAllowPrivate`,
 * `webhookAllowlist`), and it is asked at registration and again for the
 * addresses a name resolves to each time a webhook is called.
 */
import ipaddr from "ipaddr.js";
import { type AllowlistEntry, parseAddress, parseAllowlist } from "../config/mod.ts";
import { WebhookAddressRefusedError } from "./errors.ts";

/** What the operator allows beyond public addresses. */
export interface WebhookAddressPolicy {
  /** Allow every address, internal ones included (default false). */
  allowPrivate?: boolean;
  /** CIDRs ("10.1.0.0/16"), addresses, or host names (matched exactly) allowed anyway. */
  allowlist?: readonly string[];
}

/** A class of addresses webhooks may not reach by default. */
export type AddressClass =
  | "loopback"
  | "link-local"
  | "private"
  | "unique-local"
  | "site-local"
  | "unspecified"
  | "multicast"
  | "broadcast"
  | "carrier-grade-nat"
  | "cloud-metadata"
  | "reserved";

type _Address = ipaddr.IPv4 | ipaddr.IPv6;

// Instance metadata services answer on these addresses (AWS, GCP, Azure, OpenStack,
// Oracle; AWS ECS tasks; AWS over IPv6; Alibaba). Named first, so the refusal says why.
const _METADATA = new Set(["169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200"]);

const _V4_CLASSES: Record<string, AddressClass> = {
  unspecified: "unspecified",
  broadcast: "broadcast",
  multicast: "multicast",
  linkLocal: "link-local",
  loopback: "loopback",
  carrierGradeNat: "carrier-grade-nat",
  private: "private",
  reserved: "reserved",
};

const _V6_CLASSES: Record<string, AddressClass> = {
  unspecified: "unspecified",
  linkLocal: "link-local",
  multicast: "multicast",
  loopback: "loopback",
  uniqueLocal: "unique-local",
  deprecatedSiteLocal: "site-local",
  discard: "reserved",
  reserved: "reserved",
  benchmarking: "reserved",
};

/** Names that mean this machine or the metadata service without asking DNS (RFC 6761). */
function _classOfName(host: string): AddressClass | null {
  if (host === "localhost" || host.endsWith(".localhost")) return "loopback";
  if (host === "metadata.google.internal" || host === "metadata") return "cloud-metadata";
  return null;
}

/** The IPv4 address an IPv6 one carries, when it is a form of IPv4 (mapped, translated, NAT64, 6to4, compatible). */
function _embeddedV4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const parts = address.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  switch (address.range()) {
    case "ipv4Mapped":
    case "rfc6145":
    case "rfc6052":
      return v4(parts[6]!, parts[7]!);
    case "6to4":
      return v4(parts[1]!, parts[2]!);
  }
  // The deprecated IPv4-compatible form ::a.b.c.d (:: and ::1 are classed as IPv6).
  if (parts.slice(0, 6).every((p) => p === 0) && (parts[6]! !== 0 || parts[7]! > 1)) {
    return v4(parts[6]!, parts[7]!);
  }
  return null;
}

/** The class of an address webhooks may not reach by default, or null for a public one. */
export function classifyAddress(text: string): AddressClass | null {
  const address = parseAddress(text);
  if (address === null) return "reserved";
  return _classOf(address);
}

function _classOf(address: _Address): AddressClass | null {
  if (address.kind() === "ipv6") {
    const v4 = _embeddedV4(address as ipaddr.IPv6);
    if (v4) return _classOf(v4);
  }
  if (_METADATA.has(address.toNormalizedString()) || _METADATA.has(address.toString())) {
    return "cloud-metadata";
  }
  const table = address.kind() === "ipv4" ? _V4_CLASSES : _V6_CLASSES;
  return table[address.range()] ?? null;
}

/** Resolves a host name to its addresses (A and AAAA). */
export type Resolve = (host: string, signal?: AbortSignal) => Promise<string[]>;

/**
 * Asks DNS for A and AAAA records with `Deno.resolveDns` (the system's
 * resolver unless `nameServer` is given); a name with neither is an error.
 */
export async function resolveWithDns(
  host: string,
  options: { signal?: AbortSignal; nameServer?: { ipAddr: string; port: number } } = {},
): Promise<string[]> {
  const { signal, nameServer } = options;
  const ask = (type: "A" | "AAAA") =>
    Deno.resolveDns(host, type, {
      ...(signal ? { signal } : {}),
      ...(nameServer ? { nameServer } : {}),
    }).catch((error: Error) => {
      if (error.name === "NotFound") return [] as string[];
      throw error;
    });
  const [v4, v6] = await Promise.all([ask("A"), ask("AAAA")]);
  const all = [...v4, ...v6];
  if (all.length === 0) throw new Error(`Cannot resolve "${host}": DNS has no A or AAAA record`);
  return all;
}

/** Decides, by policy, which addresses webhooks may reach. */
export class AddressGuard {
  readonly #allowPrivate: boolean;
  readonly #allowed: AllowlistEntry[];
  readonly #resolve: Resolve;

  /** Throws a TypeError for an allowlist entry it cannot read. */
  constructor(
    policy: WebhookAddressPolicy = {},
    resolve: Resolve = (host, signal) => resolveWithDns(host, { signal }),
  ) {
    this.#allowPrivate = policy.allowPrivate ?? false;
    this.#allowed = parseAllowlist(policy.allowlist ?? []);
    this.#resolve = resolve;
  }

  /**
   * Checks the literal host of `url` (an address, or a name that always means
   * an internal one such as `localhost`). Throws
   * {@linkcode WebhookAddressRefusedError}; names are checked again once resolved.
   */
  checkHost(url: URL): void {
    const host = _hostOf(url);
    if (this.#allowPrivate || this.#hostAllowed(host)) return;
    const named = _classOfName(host);
    if (named) throw new WebhookAddressRefusedError(url.href, host, named);
    const address = parseAddress(host);
    if (address) this.#check(url, host, address);
  }

  /**
   * The addresses of `url`'s host a webhook may connect to: all of them, or a
   * {@linkcode WebhookAddressRefusedError} when any is internal and not allowed
   * (a name that resolves to one internal address is refused whole, so it
   * cannot be steered there by DNS).
   */
  async addressesFor(url: URL, signal?: AbortSignal): Promise<string[]> {
    this.checkHost(url);
    const host = _hostOf(url);
    const literal = parseAddress(host);
    if (literal) return [literal.toString()];
    const addresses = await this.#resolve(host, signal);
    if (this.#allowPrivate || this.#hostAllowed(host)) return addresses;
    for (const text of addresses) {
      const address = parseAddress(text);
      if (address === null) throw new WebhookAddressRefusedError(url.href, text, "reserved");
      this.#check(url, text, address);
    }
    return addresses;
  }

  #check(url: URL, shown: string, address: _Address): void {
    const addressClass = _classOf(address);
    if (addressClass === null || this.#addressAllowed(address)) return;
    throw new WebhookAddressRefusedError(url.href, shown, addressClass);
  }

  #hostAllowed(host: string): boolean {
    return this.#allowed.some((a) => a.kind === "host" && a.host === host);
  }

  #addressAllowed(address: _Address): boolean {
    const forms: _Address[] = [address];
    if (address.kind() === "ipv6") {
      const v4 = _embeddedV4(address as ipaddr.IPv6);
      if (v4) forms.push(v4);
    }
    return this.#allowed.some((a) =>
      a.kind === "cidr" &&
      forms.some((f) => f.kind() === a.range[0].kind() && f.match(a.range as never))
    );
  }
}

function _hostOf(url: URL): string {
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  return host.startsWith("[") ? host.slice(1, -1) : host;
}
