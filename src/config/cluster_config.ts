/**
 * The `cluster` setting: which NATS servers to join and how to prove who this
 * node is to them. Parsed here (no NATS code is loaded for it) so a node
 * without `--cluster` never touches the NATS client.
 */

/** TLS files for a NATS server that asks for client certificates (`verify: true`). */
export interface ClusterTls {
  /** CA that signed the servers' certificates. */
  ca: string;
  /** This node's client certificate and key (PEM). */
  cert?: string;
  key?: string;
}

/** How a node joins the cluster. */
export interface ClusterConfig {
  /** NATS server URLs, e.g. `nats://10.0.0.1:4222`. */
  servers: string[];
  /** This node's name; the hostname when absent. */
  name?: string;
  /** A NATS credentials file (JWT + nkey seed, from `nsc`). */
  credsFile?: string;
  /** A NATS user and password (simpler than credentials; not both). */
  user?: string;
  pass?: string;
  tls?: ClusterTls;
  /** How long a message to another node may wait for it before `node_unreachable` (ms). */
  unreachableMs: number;
  /** Copies JetStream keeps of the cluster's KV buckets (1 when absent; 3 on 3 NATS servers). */
  replicas?: number;
}

/** Default wait for another node's acknowledgement before `node_unreachable`. */
export const DEFAULT_UNREACHABLE_MS = 3_000;

const _FIELDS = [
  "servers",
  "name",
  "credsFile",
  "user",
  "pass",
  "tls",
  "unreachableMs",
  "replicas",
];

function _string(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "") {
    throw new TypeError(`cluster.${what}=${JSON.stringify(value)}: expected a non-empty string`);
  }
  return value;
}

function _servers(value: unknown): string[] {
  const list = typeof value === "string" ? value.split(",").map((s) => s.trim()) : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(
      `cluster.servers=${
        JSON.stringify(value)
      }: expected NATS URLs (nats://host:port), comma-separated or a list`,
    );
  }
  return list.map((url) => {
    const s = _string(url, "servers");
    if (!/^(nats|tls):\/\/[^/\s]+$/.test(s)) {
      throw new TypeError(
        `cluster.servers: "${s}" is not a NATS URL such as nats://127.0.0.1:4222`,
      );
    }
    return s;
  });
}

/**
 * Reads `value` (a server list as text, or the config file's object) over
 * `current`. Throws TypeError naming the field at fault.
 */
export function parseClusterConfig(value: unknown, current: ClusterConfig | null): ClusterConfig {
  const next: ClusterConfig = current
    ? { ...current }
    : { servers: [], unreachableMs: DEFAULT_UNREACHABLE_MS };
  if (typeof value === "string") {
    next.servers = _servers(value);
    return next;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(
      `cluster=${
        JSON.stringify(value)
      }: expected NATS URLs or { servers, name?, credsFile?, tls? }`,
    );
  }
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (field === undefined) continue;
    switch (key) {
      case "servers":
        next.servers = _servers(field);
        break;
      case "name":
      case "credsFile":
      case "user":
      case "pass":
        next[key] = _string(field, key);
        break;
      case "unreachableMs":
        if (!Number.isInteger(field) || (field as number) < 10 || (field as number) > 600_000) {
          throw new TypeError(
            `cluster.unreachableMs=${JSON.stringify(field)}: expected ms from 10 to 600000`,
          );
        }
        next.unreachableMs = field as number;
        break;
      case "replicas":
        if (!Number.isInteger(field) || (field as number) < 1 || (field as number) > 5) {
          throw new TypeError(
            `cluster.replicas=${
              JSON.stringify(field)
            }: expected 1 to 5 (JetStream copies; at most the number of NATS servers)`,
          );
        }
        next.replicas = field as number;
        break;
      case "tls": {
        const t = field as Record<string, unknown>;
        if (typeof t !== "object" || t === null) {
          throw new TypeError(`cluster.tls: expected { ca, cert?, key? } (PEM file paths)`);
        }
        next.tls = { ca: _string(t.ca, "tls.ca") };
        if (t.cert !== undefined || t.key !== undefined) {
          next.tls.cert = _string(t.cert, "tls.cert");
          next.tls.key = _string(t.key, "tls.key");
        }
        break;
      }
      default:
        throw new TypeError(`cluster.${key} is unknown; known fields are ${_FIELDS.join(", ")}`);
    }
  }
  return next;
}
