/**
 * The `webhookAllowlist` setting: CIDRs, IP addresses or host names webhooks
 * may reach although internal. Parsed here, where the setting is read, so a
 * bad entry is refused at startup; src/outside's address guard matches
 * addresses against the parsed entries.
 */
import ipaddr from "ipaddr.js";

type _Address = ipaddr.IPv4 | ipaddr.IPv6;

/** An IP address literal (brackets and zone id allowed), or null when the text is none. */
export function parseAddress(text: string): _Address | null {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  // Zone ids (fe80::1%eth0) name an interface; the address alone decides.
  const unzoned = bare.replace(/%.*$/, "");
  return ipaddr.isValid(unzoned) ? ipaddr.parse(unzoned) : null;
}

/** One parsed allowlist entry. */
export type AllowlistEntry = { kind: "host"; host: string } | {
  kind: "cidr";
  range: [_Address, number];
};

/** Parses allowlist entries; throws a TypeError naming the first that is none of CIDR, address or host name. */
export function parseAllowlist(entries: readonly string[]): AllowlistEntry[] {
  return entries.map((entry) => {
    const text = entry.trim().toLowerCase();
    if (text.includes("/")) {
      try {
        return { kind: "cidr", range: ipaddr.parseCIDR(text) };
      } catch {
        throw new TypeError(`"${entry}" is not a CIDR such as 10.0.0.0/8 or fd00::/8`);
      }
    }
    const address = parseAddress(text);
    if (address) {
      return { kind: "cidr", range: [address, address.kind() === "ipv4" ? 32 : 128] };
    }
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(text)) {
      throw new TypeError(`"${entry}" is neither a CIDR, an IP address nor a host name`);
    }
    return { kind: "host", host: text };
  });
}
