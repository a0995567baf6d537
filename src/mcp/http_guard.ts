/**
 * The MCP spec's security rules for HTTP servers, applied to `/mcp`: a `Host`
 * the node does not answer to (DNS rebinding) and an `Origin` other than the
 * host asked (a web page elsewhere) are refused.
 */

/** The host names a node listening on `host` answers to on `/mcp`, or undefined for any. */
export function mcpHostnames(host: string): string[] | undefined {
  if (host === "0.0.0.0" || host === "::" || host === "[::]") return undefined;
  return [...new Set([host, "127.0.0.1", "localhost", "::1", "[::1]"])];
}

/** Why a request with `headers` is refused, or null; `allowed` undefined answers any host. */
export function mcpRefusal(
  headers: Headers,
  allowed: readonly string[] | undefined,
): string | null {
  const host = headers.get("host") ?? "";
  if (allowed) {
    const hostname = host.startsWith("[")
      ? host.slice(0, host.indexOf("]") + 1)
      : host.split(":")[0]!;
    if (!allowed.includes(hostname)) {
      return `Host "${host}" is not one this node answers to on /mcp; use ${allowed[0]}`;
    }
  }
  const origin = headers.get("origin");
  if (origin === null) return null;
  try {
    if (new URL(origin).host === host) return null;
  } catch { /* not a URL: refused below */ }
  return `Origin "${origin}" may not use this MCP endpoint`;
}
