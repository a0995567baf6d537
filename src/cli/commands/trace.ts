/** `caxton trace <conversation-id>`: a conversation's timing tree, asked of the server. */
import { CliError, EXIT } from "../exit.ts";
import { emit } from "../output.ts";
import { traceText, type TraceTree } from "../trace_text.ts";
import type { Command } from "../command_types.ts";

export const TRACE_COMMANDS: Command[] = [
  {
    noun: "trace",
    usage: "<conversation-id> [--json]",
    summary: "a conversation's messages as a tree with timings and outcomes, from the message log",
    async run(ctx) {
      const [conversationId, extra] = ctx.args;
      if (!conversationId || extra !== undefined) {
        throw new CliError(
          "trace needs one conversation id: caxton trace <conversation-id>",
          EXIT.usage,
        );
      }
      const tree = await ctx.client().json<TraceTree>(
        `/api/v1/conversations/${encodeURIComponent(conversationId)}/trace`,
      );
      emit(ctx.output, tree, () => traceText(tree));
    },
  },
];
