/** `caxton audit verify|list|export` (issue 17): the hash-chained audit trail. */
import type { AuditEntry, AuditVerdict } from "../../store/mod.ts";
import { CliError, EXIT } from "../exit.ts";
import { emit, paint, table } from "../output.ts";
import { withOfflineStore } from "../offline_store.ts";
import type { Command, CommandContext } from "../command_types.ts";

const _OFFLINE = { offline: { type: "boolean" } } as const;

/** Every entry after `after`, page by page, from the API or the stopped node's store. */
async function* _entries(ctx: CommandContext, after = 0): AsyncGenerator<AuditEntry> {
  for (;;) {
    const page = ctx.values.offline
      ? withOfflineStore(ctx, (store) => store.audit.list({ after, limit: 1000 }))
      : (await ctx.client().json<{ items: AuditEntry[] }>(
        `/api/v1/audit?after=${after}&limit=1000`,
      ))
        .items;
    yield* page;
    if (page.length < 1000) return;
    after = page.at(-1)!.seq;
  }
}

function _after(ctx: CommandContext): number {
  const after = Number(ctx.values.after ?? 0);
  if (!Number.isInteger(after) || after < 0) {
    throw new CliError("--after expects a seq number", EXIT.usage);
  }
  return after;
}

export const AUDIT_COMMANDS: Command[] = [
  {
    noun: "audit",
    verb: "verify",
    usage: "[--offline]",
    summary: "walk the audit hash chain; exit 1 where an entry was edited, deleted or reordered",
    options: _OFFLINE,
    async run(ctx) {
      const verdict: AuditVerdict = ctx.values.offline
        ? withOfflineStore(ctx, (store) => store.audit.verify())
        : await ctx.client().json("/api/v1/audit/verify");
      const o = ctx.output;
      if (!verdict.ok) {
        if (o.json) emit(o, verdict, () => "");
        throw new CliError(
          `the audit trail is broken at entry ${verdict.seq}: ${verdict.problem}`,
          EXIT.failure,
        );
      }
      emit(
        o,
        verdict,
        () => `${paint(o, "green", "ok")}: ${verdict.entries} entries chain unbroken`,
      );
    },
  },
  {
    noun: "audit",
    verb: "list",
    usage: "[--after SEQ] [--offline]",
    summary: "audit entries: who, what, target, when, from where, outcome",
    options: { after: { type: "string" }, ..._OFFLINE },
    async run(ctx) {
      const after = _after(ctx);
      const items: AuditEntry[] = [];
      for await (const e of _entries(ctx, after)) items.push(e);
      const o = ctx.output;
      emit(o, { items }, () =>
        table(
          o,
          ["SEQ", "WHEN", "ACTOR", "ACTION", "TARGET", "FROM", "OUTCOME"],
          items.map((e) => [
            String(e.seq),
            new Date(e.at).toISOString(),
            e.actor,
            e.action,
            e.target ?? "-",
            e.source ?? "-",
            `${e.outcome}${e.status ? ` ${e.status}` : ""}`,
          ]),
        ));
    },
  },
  {
    noun: "audit",
    verb: "export",
    usage: "[--after SEQ] [--offline]",
    summary: "the audit trail as JSON lines, hashes included (verifiable elsewhere)",
    options: { after: { type: "string" }, ..._OFFLINE },
    async run(ctx) {
      const after = _after(ctx);
      const out = Deno.stdout.writable.getWriter();
      const encoder = new TextEncoder();
      try {
        for await (const e of _entries(ctx, after)) {
          await out.write(encoder.encode(`${JSON.stringify(e)}\n`));
        }
      } finally {
        out.releaseLock();
      }
    },
  },
];
