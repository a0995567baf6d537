/**
 * Writes a new agent project from the repository's own SDKs and echo
 * examples, so a scaffolded agent is always what the conformance suite tests.
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildScript, testScript } from "./templates.ts";

/** The languages `caxton agent new --lang` accepts. */
export const AGENT_LANGUAGES = ["assemblyscript", "c", "rust", "wat"] as const;
export type AgentLanguage = typeof AGENT_LANGUAGES[number];

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
  /** Where the project folder `<name>/` is created (default: the working directory). */
  parentDir?: string;
  /** The Caxton checkout whose SDKs and node the project uses (default: this one). */
  caxtonRoot?: string;
}

export interface ScaffoldResult {
  /** The project folder. */
  dir: string;
  /** The files written, relative to `dir`. */
  files: string[];
  /** Commands to build and test the agent, run inside `dir`. */
  build: string;
  test: string;
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** Where each language's echo example and SDK files live, and what the project calls them. */
const SOURCES: Record<AgentLanguage, { agent: [string, string]; sdk: [string, string][] }> = {
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

const DENO = "npx -y deno@2.9.6";

/**
 * Creates `<parentDir>/<name>/` with an echo agent in `lang`, ready to build
 * (`deno task build`) and test (`deno task test`).
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
  const lang = options.lang as AgentLanguage;
  const root = options.caxtonRoot ?? fileURLToPath(new URL("../../", import.meta.url));
  const dir = join(options.parentDir ?? Deno.cwd(), name);
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
  await Deno.mkdir(join(dir, "sdk"), { recursive: true });
  const files: Record<string, string> = {};
  const [agentFrom, agentTo] = SOURCES[lang].agent;
  files[agentTo] = _agentSource(lang, await Deno.readTextFile(join(root, agentFrom)), name);
  for (const [from, to] of SOURCES[lang].sdk) files[to] = await Deno.readTextFile(join(root, from));
  files["build.ts"] = buildScript(lang);
  files["agent_test.ts"] = testScript(name);
  files["deno.json"] = _denoJson(root, await Deno.readTextFile(join(root, "deno.json")));
  files["README.md"] = _readme(name, lang);
  files[".gitignore"] = "agent.wasm\nbuild/\nnode_modules/\n";
  for (const [file, text] of Object.entries(files)) {
    await Deno.writeTextFile(join(dir, file), text);
  }
  return {
    dir,
    files: Object.keys(files).sort(),
    build: `${DENO} task build`,
    test: `${DENO} task test`,
  };
}

/** The echo example, pointed at the project's copy of the SDK. */
function _agentSource(lang: AgentLanguage, source: string, name: string): string {
  const header = {
    assemblyscript: `// ${name}: an agent in AssemblyScript, scaffolded by \`caxton agent new\`.\n`,
    c: `/* ${name}: an agent in C, scaffolded by \`caxton agent new\`. */\n`,
    rust: `//! ${name}: an agent in Rust, scaffolded by \`caxton agent new\`.\n`,
    wat: `;; ${name}: an agent in WebAssembly text, scaffolded by \`caxton agent new\`.\n`,
  }[lang];
  return header + source.replaceAll("../../../sdk/assemblyscript/caxton", "./sdk/caxton");
}

/** The project's deno.json: Caxton's own import map (the test runs a real node) and two tasks. */
function _denoJson(root: string, caxtonDenoJson: string): string {
  const caxton = JSON.parse(caxtonDenoJson) as { imports: Record<string, string> };
  return `${
    JSON.stringify(
      {
        imports: {
          ...caxton.imports,
          "caxton/": pathToFileURL(root.endsWith("/") ? root : `${root}/`).href,
        },
        tasks: {
          build: "deno run --allow-read --allow-write --allow-env --allow-run build.ts",
          test: "deno task build && deno test --unstable-worker-options --allow-all agent_test.ts",
        },
      },
      null,
      2,
    )
  }\n`;
}

function _readme(name: string, lang: AgentLanguage): string {
  return `# ${name}

A Caxton agent in ${lang}, scaffolded by \`caxton agent new ${name} --lang ${lang}\`. It echoes:
every message gets an \`inform\` back with the same string content, threaded
(\`inReplyTo\`, \`conversationId\`).

\`\`\`sh
${DENO} task build   # → agent.wasm
${DENO} task test    # deploys agent.wasm into a real Caxton node and asks it something
\`\`\`

\`sdk/\` is a copy of Caxton's ${lang} SDK; the ABI is in Caxton's docs/ABI.md.
`;
}

/**
 * `caxton agent new <name> --lang <lang>` as the CLI runs it: scaffolds into
 * the working directory and returns what to print.
 */
export async function agentNewCommand(
  name: string | undefined,
  lang: string | undefined,
): Promise<string> {
  if (name === undefined || lang === undefined) {
    throw new ScaffoldError(
      name === undefined ? "invalid_name" : "invalid_language",
      `Cannot create an agent without ${name === undefined ? "a name" : "a language"}: ` +
        `caxton agent new <name> --lang ${AGENT_LANGUAGES.join("|")}`,
    );
  }
  const result = await scaffoldAgent(name, { lang });
  return [
    `created ${result.dir}: ${result.files.join(", ")}`,
    ``,
    `  cd ${name}`,
    `  ${result.build}   # → agent.wasm`,
    `  ${result.test}    # deploys it into a real node and asks it something`,
  ].join("\n");
}
