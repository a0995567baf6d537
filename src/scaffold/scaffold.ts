/**
 * Writes a new agent project from the repository's own SDKs and echo
 * examples, so a scaffolded agent is always what the conformance suite tests.
 * The project stands alone: its source, a copy of the SDK, `caxton.json` and a
 * test spec — built and tested by the `caxton` command, not by importing Caxton.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  PROJECT_FILE,
  PROJECT_LANGUAGES,
  type ProjectLanguage,
  type ProjectManifest,
} from "../toolchain/mod.ts";
import { readme, TEST_SPEC } from "./templates.ts";
import { PROJECT_TEST_FILE } from "./test_runner.ts";

/** The languages `caxton agent new --lang` accepts. */
export const AGENT_LANGUAGES = PROJECT_LANGUAGES;

/** A scaffold that cannot be written; `code` says why. */
export class ScaffoldError extends Error {
  readonly code: "invalid_name" | "invalid_language" | "exists";
  constructor(code: ScaffoldError["code"], message: string) {
    super(message);
    this.name = "ScaffoldError";
    this.code = code;
  }
}

export interface ScaffoldOptions {
  /** The agent's language. */
  lang: string;
  /** Where the project folder `<name>/` is created. */
  parentDir: string;
}

export interface ScaffoldResult {
  /** The project folder. */
  dir: string;
  /** The files written, relative to `dir`. */
  files: string[];
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** The checkout this code runs from: the SDKs and examples copied into a project. */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Where each language's echo example and SDK files live, and what the project calls them. */
const SOURCES: Record<ProjectLanguage, { agent: [string, string]; sdk: [string, string][] }> = {
  assemblyscript: {
    agent: ["examples/agents/assemblyscript/echo.ts", "agent.ts"],
    sdk: [["sdk/assemblyscript/caxton.ts", "sdk/caxton.ts"]],
  },
  c: {
    agent: ["examples/agents/c/echo.c", "agent.c"],
    sdk: [["sdk/c/caxton.h", "sdk/caxton.h"], ["sdk/c/caxton.c", "sdk/caxton.c"]],
  },
  rust: {
    agent: ["examples/agents/rust/echo.rs", "agent.rs"],
    sdk: [["sdk/rust/src/lib.rs", "sdk/caxton.rs"]],
  },
  wat: { agent: ["examples/agents/wat/echo.wat", "agent.wat"], sdk: [] },
};

/**
 * Creates `<parentDir>/<name>/` with an echo agent in `lang`, ready for
 * `caxton agent build` and `caxton agent test`.
 *
 * @throws {ScaffoldError} for a bad name or language, or when the folder exists.
 */
export async function scaffoldAgent(
  name: string,
  options: ScaffoldOptions,
): Promise<ScaffoldResult> {
  if (!NAME.test(name)) {
    throw new ScaffoldError(
      "invalid_name",
      `Cannot create agent "${name}": use a lowercase letter, then lowercase letters, digits or "-"`,
    );
  }
  if (!(AGENT_LANGUAGES as readonly string[]).includes(options.lang)) {
    throw new ScaffoldError(
      "invalid_language",
      `Cannot create agent "${name}" in "${options.lang}": choose --lang ${
        AGENT_LANGUAGES.join(", ")
      }`,
    );
  }
  const lang = options.lang as ProjectLanguage;
  const dir = join(options.parentDir, name);
  try {
    await Deno.mkdir(dir);
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) {
      throw new ScaffoldError(
        "exists",
        `Cannot create agent "${name}": ${dir} already exists; pick another name or remove it`,
      );
    }
    throw error;
  }
  if (SOURCES[lang].sdk.length > 0) await Deno.mkdir(join(dir, "sdk"));
  const files: Record<string, string> = {};
  const [agentFrom, agentTo] = SOURCES[lang].agent;
  files[agentTo] = _agentSource(lang, await Deno.readTextFile(join(ROOT, agentFrom)), name);
  for (const [from, to] of SOURCES[lang].sdk) files[to] = await Deno.readTextFile(join(ROOT, from));
  const manifest: ProjectManifest = { name, lang };
  files[PROJECT_FILE] = `${JSON.stringify(manifest, null, 2)}\n`;
  files[PROJECT_TEST_FILE] = TEST_SPEC;
  files["README.md"] = readme(name, lang);
  files[".gitignore"] = "agent.wasm\nbuild/\n";
  for (const [file, text] of Object.entries(files)) {
    await Deno.writeTextFile(join(dir, file), text);
  }
  return { dir, files: Object.keys(files).sort() };
}

/** The echo example, pointed at the project's copy of the SDK. */
function _agentSource(lang: ProjectLanguage, source: string, name: string): string {
  const header = {
    assemblyscript: `// ${name}: an agent in AssemblyScript, scaffolded by \`caxton agent new\`.\n`,
    c: `/* ${name}: an agent in C, scaffolded by \`caxton agent new\`. */\n`,
    rust: `//! ${name}: an agent in Rust, scaffolded by \`caxton agent new\`.\n`,
    wat: `;; ${name}: an agent in WebAssembly text, scaffolded by \`caxton agent new\`.\n`,
  }[lang];
  return header + source.replaceAll("../../../sdk/assemblyscript/caxton", "./sdk/caxton");
}
