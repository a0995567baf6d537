/**
 * @module
 * The toolchain: turns agent sources into ABI v1 modules — WAT (wabt),
 * AssemblyScript (asc), C/C++ (clang), Rust (rustc) and JavaScript (QuickJS
 * via clang) — allowing exactly the WebAssembly features the runtime accepts,
 * and builds a scaffolded agent project. Used by `scripts/build_agents.ts` for
 * the examples and by `caxton agent build|test` for a user's project.
 */
export { checkAbi } from "./abi_check.ts";
export { compileAssemblyScript } from "./assemblyscript.ts";
export { compileC } from "./c.ts";
export { mtime, sha256, writeAtomically } from "./files.ts";
export {
  buildAgentProject,
  PROJECT_FILE,
  PROJECT_LANGUAGES,
  ProjectError,
  readProject,
} from "./project.ts";
export type { ProjectLanguage, ProjectManifest } from "./project.ts";
export { buildQuickJs, compileJs } from "./quickjs.ts";
export { compileRust, compileRustSdk } from "./rust.ts";
export { compileWat, WABT_FEATURES } from "./wat.ts";
