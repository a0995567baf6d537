/**
 * Builds an agent project as `caxton agent new` lays it out: `caxton.json`
 * (`{"name", "lang"}`), `agent.<ext>` and its copy of the SDK under `sdk/`,
 * into `agent.wasm`. The project needs nothing from a Caxton checkout.
 */
import { join } from "node:path";
import { checkAbi } from "./abi_check.ts";
import { compileAssemblyScript } from "./assemblyscript.ts";
import { compileC } from "./c.ts";
import { writeAtomically } from "./files.ts";
import { compileRust, compileRustSdk } from "./rust.ts";
import { compileWat } from "./wat.ts";

/** The languages an agent project can be written in. */
export const PROJECT_LANGUAGES = ["assemblyscript", "c", "rust", "wat"] as const;
export type ProjectLanguage = typeof PROJECT_LANGUAGES[number];

/** `caxton.json`: what the project is. */
export interface ProjectManifest {
  /** The agent's name when deployed. */
  name: string;
  lang: ProjectLanguage;
}

/** The project file that names the agent and its language. */
export const PROJECT_FILE = "caxton.json";

/** A project that cannot be read or built; the message says what to do. */
export class ProjectError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProjectError";
  }
}

/** Reads `dir/caxton.json`. */
export async function readProject(dir: string): Promise<ProjectManifest> {
  const file = join(dir, PROJECT_FILE);
  let parsed: Partial<ProjectManifest>;
  try {
    parsed = JSON.parse(await Deno.readTextFile(file));
  } catch (error) {
    throw new ProjectError(
      error instanceof Deno.errors.NotFound
        ? `Cannot find an agent project in ${dir}: there is no ${PROJECT_FILE}; ` +
          `give the project's folder, or create one with \`caxton agent new <name> --lang …\``
        : `Cannot read ${file}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const { name, lang } = parsed;
  if (typeof name !== "string" || !(PROJECT_LANGUAGES as readonly unknown[]).includes(lang)) {
    throw new ProjectError(
      `Cannot read ${file}: it needs "name" and "lang" (${PROJECT_LANGUAGES.join(", ")})`,
    );
  }
  return { name, lang: lang as ProjectLanguage };
}

/**
 * Builds `dir/agent.wasm` from the project's source and SDK copy and checks
 * it is an ABI v1 agent. Returns the module's bytes.
 *
 * @throws {ProjectError} when the project cannot be read or fails to compile.
 */
export async function buildAgentProject(dir: string): Promise<Uint8Array> {
  const { lang } = await readProject(dir);
  const scratch = join(dir, "build");
  await Deno.mkdir(scratch, { recursive: true });
  let bytes: Uint8Array;
  try {
    bytes = await _compile(lang, dir, scratch);
    checkAbi(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    throw new ProjectError(`Cannot build ${join(dir, "agent.wasm")}:\n${reason}`, {
      cause: error,
    });
  }
  await writeAtomically(join(dir, "agent.wasm"), bytes);
  return bytes;
}

async function _compile(lang: ProjectLanguage, dir: string, scratch: string): Promise<Uint8Array> {
  switch (lang) {
    case "wat":
      return compileWat("agent.wat", await Deno.readTextFile(join(dir, "agent.wat")));
    case "assemblyscript":
      return compileAssemblyScript(join(dir, "agent.ts"), dir);
    case "c":
      return compileC(join(dir, "agent.c"), { sdkDir: join(dir, "sdk"), scratch });
    case "rust": {
      const sdk = join(scratch, "libcaxton.rlib");
      await compileRustSdk(join(dir, "sdk", "caxton.rs"), sdk);
      return compileRust(join(dir, "agent.rs"), { sdk, scratch });
    }
  }
}
