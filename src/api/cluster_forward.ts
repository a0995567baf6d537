/**
 * Cluster: API operations reach any agent. An operation on an agent that
 * lives on another node (get, history, start, stop, reload, remove, state,
 * timers, logs) is forwarded to that node's API and its answer returned as
 * is. A deploy goes where `?node=NAME` says, else — for a new name — where
 * placement puts it (src/cluster/placement.ts). The caller checked here
 * travels sealed (src/cluster/forward_seal.ts), so an API key made on this
 * node works on every node. Requests to an agent travel as messages, not HTTP.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { Principal } from "../auth/mod.ts";
import type { Cluster, ClusterMember } from "../cluster/mod.ts";
import { FORWARD_SEAL, FORWARDED_BY } from "../cluster/forward_seal.ts";
import { chooseNode } from "../cluster/placement.ts";
import { principalOf } from "./access.ts";
import { deployBodyByHash } from "./cluster_modules.ts";
import { problem, ProblemError } from "./problem_details.ts";
import type { ApiDeps } from "./deps.ts";

/** The node that answered a forwarded request. */
const _ANSWERED_BY = "x-caxton-node";

/** A node an operation goes to. */
interface _Target {
  name: string;
  api: string | null;
  gone: boolean;
}

/** Forwards operations on agents of other nodes (no-op standalone). */
export function forwardToOwner(deps: ApiDeps): MiddlewareHandler {
  return async (c, next) => {
    const cluster = deps.cluster;
    // Standalone (the usual node): nothing to read from the request.
    if (!cluster) return await next();
    const name = c.req.param("name");
    // A request that was forwarded once is served here, whatever this node's copy says.
    if (!name || c.req.header(FORWARDED_BY) !== undefined || c.req.path.endsWith("/request")) {
      return await next();
    }
    const deploy = c.req.method === "PUT" &&
      !c.req.path.slice("/api/v1/agents/".length).includes("/");
    const target = deploy
      ? _placement(deps, cluster, name, c.req.query("node"))
      : deps.agents.has(name)
      ? undefined
      : cluster.ownerOf(name);
    if (!target) return await next();
    return await _forward(c, cluster, name, target, deploy);
  };
}

/**
 * Where a deploy of `name` goes: the node asked for; else this node when the
 * agent is here or another node holds the name (its claim answers 409 naming
 * that node); else the placement policy's choice. Undefined: this node.
 */
function _placement(
  deps: ApiDeps,
  cluster: Cluster,
  name: string,
  asked: string | undefined,
): _Target | undefined {
  const nodes = cluster.status().nodes;
  if (asked !== undefined) {
    const member = nodes.find((n) => n.name === asked || n.id === asked);
    if (!member) {
      throw new ProblemError(
        problem(
          404,
          "node_not_found",
          `Cannot deploy "${name}" on node "${asked}": no such node in the cluster`,
          `Name one of ${nodes.map((n) => `"${n.name}"`).join(", ")} (caxton cluster status)`,
          { node: asked },
        ),
      );
    }
    return member.self ? undefined : _asTarget(member);
  }
  if (deps.agents.has(name) || cluster.ownerOf(name)) return undefined;
  const chosen = chooseNode(nodes, (id) => nodes.find((n) => n.id === id)?.registeredAgents ?? 0);
  return !chosen || chosen.self ? undefined : _asTarget(chosen);
}

function _asTarget(member: ClusterMember): _Target {
  return { name: member.name, api: member.api, gone: member.state === "gone" };
}

async function _forward(
  c: Context,
  cluster: Cluster,
  agent: string,
  target: _Target,
  deploy: boolean,
) {
  const unreachable = (why: string) =>
    new ProblemError(
      problem(
        503,
        "node_unreachable",
        `Cannot reach agent "${agent}": its node "${target.name}" ${why}`,
        "Retry once the node is back (caxton cluster status)",
        { node: target.name },
      ),
    );
  if (target.gone || target.api === null) {
    throw unreachable(target.gone ? "is gone" : "serves no API");
  }
  const url = new URL(c.req.url);
  const path = `${url.pathname}${url.search}`;
  const headers = new Headers(c.req.raw.headers);
  headers.delete("host");
  const caller = principalOf(c);
  if (caller) {
    // The credential was checked here; the receiving node trusts the seal instead.
    headers.delete("authorization");
    const sealed = await cluster.seal.seal(cluster.self.id, c.req.method, path, caller);
    for (const [key, value] of Object.entries(sealed)) headers.set(key, value);
  } else headers.set(FORWARDED_BY, cluster.self.id);
  // A deploy's module goes through the cluster's object store: the other node fetches it by hash.
  const body = c.req.method === "GET" || c.req.method === "HEAD"
    ? undefined
    : deploy
    ? await deployBodyByHash(c, cluster, headers)
    : await c.req.arrayBuffer();
  let response: Response;
  try {
    response = await fetch(`${target.api}${path}`, {
      method: c.req.method,
      headers,
      body,
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw unreachable(`did not answer (${(error as Error).message})`);
  }
  const answer = new Headers(response.headers);
  answer.set(_ANSWERED_BY, target.name);
  return new Response(response.body, { status: response.status, headers: answer });
}

/**
 * For the access middleware: the sealed caller of a request another node
 * forwarded (null: not sealed, check its credential as usual). A node open
 * without credentials cannot lend its callers to one that requires them.
 */
export function sealedCaller(
  cluster: Cluster,
  required: boolean,
): (c: Context) => Promise<Principal | { failure: string }> | null {
  return (c) => {
    if (c.req.header(FORWARD_SEAL) === undefined) return null;
    const url = new URL(c.req.url);
    return cluster.seal.open(c.req.raw.headers, c.req.method, `${url.pathname}${url.search}`)
      .then((who) =>
        "failure" in who || !(required && who.kind === "local") ? who : {
          failure: `node ${
            c.req.header(FORWARDED_BY)
          } serves without credentials, and this node requires them`,
        }
      );
  };
}
