/** `caxton key create|list|revoke` and `caxton whoami` (issue 17, docs/SECURITY.md). */
import {
  ApiKeyError,
  compileRoles,
  KeyRing,
  parseExpiry,
  type PublicKey,
  type Role,
} from "../../auth/mod.ts";
import { CliError, EXIT } from "../exit.ts";
import { emit, paint, table } from "../output.ts";
import { withOfflineStore } from "../offline_store.ts";
import type { Command, CommandContext } from "../command_types.ts";

const _OFFLINE = { offline: { type: "boolean" } } as const;

function _when(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}

function _status(k: PublicKey): string {
  if (k.revokedAt !== null) return "revoked";
  if (k.expiresAt !== null && k.expiresAt <= Date.now()) return "expired";
  return "active";
}

/** A key ring on the stopped node's store, with the node's custom roles. */
function _offline<T>(ctx: CommandContext, fn: (ring: KeyRing) => T, create = false): T {
  return withOfflineStore(ctx, (store, config) => {
    const roles = compileRoles(config.security.roles as Role[]);
    return fn(new KeyRing(store.apiKeys, (role) => roles.has(role)));
  }, { create });
}

function _cliError(error: unknown): never {
  if (error instanceof ApiKeyError) {
    throw new CliError(error.message, error.code === "key_not_found" ? EXIT.notFound : EXIT.usage);
  }
  if (error instanceof TypeError) throw new CliError(error.message, EXIT.usage);
  throw error;
}

export const SECURITY_COMMANDS: Command[] = [
  {
    noun: "key",
    verb: "create",
    usage: "--role ROLE [--name NAME] [--expires 30d|ISO] [--offline]",
    summary: "create an API key (printed once); --offline writes to a stopped node's data dir",
    options: {
      role: { type: "string" },
      name: { type: "string" },
      expires: { type: "string" },
      ..._OFFLINE,
    },
    async run(ctx) {
      const role = ctx.values.role;
      if (typeof role !== "string") {
        throw new CliError(
          "expected --role (admin, operator, developer, viewer, participant or a custom role)",
          EXIT.usage,
        );
      }
      const name = typeof ctx.values.name === "string" ? ctx.values.name : undefined;
      const expires = typeof ctx.values.expires === "string" ? ctx.values.expires : undefined;
      let created: { key: string; record: PublicKey };
      if (ctx.values.offline) {
        try {
          const expiresAt = expires === undefined ? null : parseExpiry(expires);
          created = _offline(
            ctx,
            (ring) => ring.create({ role, name: name ?? null, expiresAt }),
            true,
          );
        } catch (error) {
          _cliError(error);
        }
      } else {
        created = await ctx.client().json("/api/v1/keys", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            role,
            ...(name ? { name } : {}),
            ...(expires ? { expires } : {}),
          }),
        });
      }
      const o = ctx.output;
      emit(o, created, () =>
        [
          created.key,
          paint(
            o,
            "dim",
            `${created.record.id} role=${created.record.role} expires=${
              _when(created.record.expiresAt)
            }`,
          ),
          paint(o, "yellow", "This key is shown once: keep it (the CLI reads CAXTON_API_KEY)."),
        ].join("\n"));
    },
  },
  {
    noun: "key",
    verb: "list",
    usage: "[--offline]",
    summary: "API keys: id, role, status (never the secret)",
    options: _OFFLINE,
    async run(ctx) {
      const items = ctx.values.offline
        ? _offline(ctx, (ring) => ring.list())
        : (await ctx.client().json<{ items: PublicKey[] }>("/api/v1/keys")).items;
      const o = ctx.output;
      emit(o, { items }, () =>
        items.length === 0 ? "no keys" : table(
          o,
          ["ID", "ROLE", "NAME", "STATUS", "CREATED", "EXPIRES"],
          items.map((
            k,
          ) => [k.id, k.role, k.name ?? "-", _status(k), _when(k.createdAt), _when(k.expiresAt)]),
        ));
    },
  },
  {
    noun: "key",
    verb: "revoke",
    usage: "<id> [--offline]",
    summary: "revoke an API key by its id (cxk_…)",
    options: _OFFLINE,
    async run(ctx) {
      const [id] = ctx.args;
      if (!id) throw new CliError("expected a key id such as cxk_1a2b3c4d", EXIT.usage);
      const bare = id.split("_").slice(0, 2).join("_");
      let key: PublicKey;
      if (ctx.values.offline) {
        try {
          key = _offline(ctx, (ring) => ring.revoke(bare));
        } catch (error) {
          _cliError(error);
        }
      } else {
        key = await ctx.client().json(`/api/v1/keys/${encodeURIComponent(bare)}`, {
          method: "DELETE",
        });
      }
      emit(ctx.output, key, () => `revoked ${key.id}`);
    },
  },
  {
    noun: "whoami",
    usage: "",
    summary: "who the CLI's credential is, and what its role may do",
    async run(ctx) {
      const me = await ctx.client().json<{
        id: string;
        kind: string;
        role: string;
        self: string | null;
        authRequired: boolean;
        permissions: { action: string; targets: string[] | "*" }[];
      }>("/api/v1/whoami");
      const o = ctx.output;
      emit(o, me, () =>
        [
          `${paint(o, "bold", me.id)} (${me.kind}) role ${me.role}${
            me.self ? ` as ${me.self}` : ""
          }${me.authRequired ? "" : paint(o, "dim", "  (this node needs no credentials)")}`,
          table(
            o,
            ["PERMISSION", "TARGETS"],
            me.permissions.map((p) => [p.action, p.targets === "*" ? "*" : p.targets.join(", ")]),
          ),
        ].join("\n"));
    },
  },
];
