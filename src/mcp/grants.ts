/** Per-agent tool grants: "server/tool" allows one tool, "server/*" every tool of a server. */

/** Whether `grants` allow calling `tool` of `server`. Nothing is allowed by default. */
export function isToolGranted(grants: readonly string[], server: string, tool: string): boolean {
  for (const grant of grants) {
    if (grant === `${server}/${tool}` || grant === `${server}/*`) return true;
  }
  return false;
}
