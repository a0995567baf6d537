/** `caxton trace <conversation-id>`: a conversation as a tree, read from the node's message log. */
import { databasePath, loadConfig, readConfigFile } from "../../config/mod.ts";
import { openStore } from "../../store/mod.ts";
import { conversationTree, renderTrace } from "../../telemetry/mod.ts";
import { CliError, EXIT } from "../exit.ts";
import type { Command } from "../command_types.ts";

export const TRACE_COMMANDS: Command[] = [
  {
    noun: "trace",
    usage: "<conversation-id> [--data-dir DIR] [--json]",
    summary: "a conversation's messages as a tree with timings and outcomes, from the log",
    options: { "data-dir": { type: "string" }, config: { type: "string" } },
    run(ctx) {
      const [conversationId] = ctx.args;
      if (!conversationId) {
        throw new CliError(
          "trace needs a conversation id: caxton trace <conversation-id>",
          EXIT.usage,
        );
      }
      const v = ctx.values;
      const config = loadConfig({
        file: typeof v.config === "string" ? readConfigFile(v.config) : undefined,
        env: ctx.env,
        flags: { dataDir: v["data-dir"] as string | undefined },
      });
      // Read-only use of the store: it is safe beside a running server (WAL).
      const store = openStore(databasePath(config));
      try {
        const entries = store.messages.byConversation(conversationId);
        if (v.json) ctx.output.out(JSON.stringify(conversationTree(entries), null, 2));
        else ctx.output.out(renderTrace(conversationId, entries));
        return Promise.resolve(entries.length === 0 ? EXIT.failure : EXIT.ok);
      } finally {
        store.close();
      }
    },
  },
];
