/** `caxton agent new|build|test`: agent projects on disk (src/scaffold/, src/toolchain/). */
import { resolve } from "node:path";
import {
  AGENT_LANGUAGES,
  scaffoldAgent,
  ScaffoldError,
  testAgentProject,
} from "../../scaffold/mod.ts";
import { buildAgentProject, ProjectError, readProject } from "../../toolchain/mod.ts";
import { CliError, EXIT } from "../exit.ts";
import type { Command, CommandContext } from "../command_types.ts";

/**
 * The folder the user ran the command from: `deno task` runs tasks in the
 * checkout and passes the caller's folder as INIT_CWD, so without it a
 * project would land in the clone.
 */
function _userDir(ctx: CommandContext): string {
  return ctx.env.INIT_CWD ?? Deno.cwd();
}

/** The project folder: the argument (relative to the user's folder) or the user's folder. */
function _projectDir(ctx: CommandContext): string {
  return resolve(_userDir(ctx), ctx.args[0] ?? ".");
}

/** Runs `fn`, turning a project's or scaffold's own error into the CLI's one line. */
async function _asCli<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ScaffoldError) throw new CliError(error.message, EXIT.usage);
    if (error instanceof ProjectError) throw new CliError(error.message, EXIT.failure);
    throw error;
  }
}

export const SCAFFOLD_COMMANDS: Command[] = [
  {
    noun: "agent",
    verb: "new",
    usage: `<name> --lang ${AGENT_LANGUAGES.join("|")}`,
    summary: "scaffold an agent project in this folder: source, SDK copy, caxton.json, test spec " +
      "(docs/first-agent.md)",
    options: { lang: { type: "string" } },
    async run(ctx) {
      const [name] = ctx.args;
      const lang = ctx.values.lang as string | undefined;
      if (name === undefined || lang === undefined) {
        throw new CliError(
          `Cannot create an agent without ${name === undefined ? "a name" : "a language"}`,
          EXIT.usage,
          `caxton agent new <name> --lang ${AGENT_LANGUAGES.join("|")}`,
        );
      }
      const project = await _asCli(() => scaffoldAgent(name, { lang, parentDir: _userDir(ctx) }));
      ctx.output.out([
        `created ${project.dir}: ${project.files.join(", ")}`,
        ``,
        `  cd ${name}`,
        `  caxton agent build   # → agent.wasm`,
        `  caxton agent test    # builds, deploys into a real in-process node, checks agent_test.json`,
      ].join("\n"));
    },
  },
  {
    noun: "agent",
    verb: "build",
    usage: "[DIR]",
    summary: "build the agent project in DIR (default: this folder) into DIR/agent.wasm",
    async run(ctx) {
      const dir = _projectDir(ctx);
      const { lang } = await _asCli(() => readProject(dir));
      const started = performance.now();
      const wasm = await _asCli(() => buildAgentProject(dir));
      ctx.output.out(
        `built ${resolve(dir, "agent.wasm")}: ${wasm.length} bytes (${lang}) in ${
          Math.round(performance.now() - started)
        } ms`,
      );
    },
  },
  {
    noun: "agent",
    verb: "test",
    usage: "[DIR]",
    summary: "build the agent project in DIR, deploy it into a real in-process node and check " +
      "its agent_test.json",
    async run(ctx) {
      const report = await _asCli(() => testAgentProject(_projectDir(ctx)));
      if (ctx.output.json) {
        ctx.output.out(JSON.stringify(report, null, 2));
      } else {
        ctx.output.out(`built agent.wasm: ${report.wasmBytes} bytes, deployed as ${report.agent}`);
        for (const result of report.results) {
          const reply = result.reply ? `  ← ${JSON.stringify(result.reply)}` : "";
          ctx.output.out(
            result.passed
              ? `ok    ${result.name}${reply}`
              : `FAIL  ${result.name}: ${result.problem}${reply}`,
          );
        }
      }
      const failed = report.results.filter((r) => !r.passed).length;
      if (!ctx.output.json) {
        ctx.output.out(`${report.results.length - failed} passed, ${failed} failed`);
      }
      return failed === 0 ? EXIT.ok : EXIT.failure;
    },
  },
];
