/** `caxton agent new`: scaffolds an agent project (src/scaffold/). */
import { AGENT_LANGUAGES, agentNewCommand, ScaffoldError } from "../../scaffold/mod.ts";
import { CliError, EXIT } from "../exit.ts";
import type { Command } from "../command.ts";

export const SCAFFOLD_COMMANDS: Command[] = [
  {
    noun: "agent",
    verb: "new",
    usage: `<name> --lang ${AGENT_LANGUAGES.join("|")}`,
    summary:
      "scaffold an agent project: source, SDK copy, build script, test (docs/first-agent.md)",
    options: { lang: { type: "string" } },
    async run(ctx) {
      try {
        ctx.output.out(
          await agentNewCommand(ctx.args[0], ctx.values.lang as string | undefined),
        );
      } catch (error) {
        if (error instanceof ScaffoldError) throw new CliError(error.message, EXIT.usage);
        throw error;
      }
    },
  },
];
