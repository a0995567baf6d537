/** The check every built agent passes: it imports only ABI v1 host functions and exports the ABI. */
import { ABI_V1_EXPORTS, ABI_V1_IMPORTS, ABI_V1_MODULE } from "../runtime/abi_v1.ts";

/** Throws unless `binary` imports only ABI v1 host functions and has the required exports. */
export function checkAbi(binary: Uint8Array): void {
  const module = new WebAssembly.Module(binary as Uint8Array<ArrayBuffer>);
  for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
    if (from !== ABI_V1_MODULE || kind !== "function" || !ABI_V1_IMPORTS.has(name)) {
      throw new Error(`module imports ${kind} "${from}.${name}", which ABI v1 does not provide`);
    }
  }
  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const required = ["memory", ...[...ABI_V1_EXPORTS].filter(([, e]) => e.required).map(([n]) => n)];
  const missing = required.filter((name) => !exported.has(name));
  if (missing.length > 0) {
    throw new Error(`module lacks the ABI v1 export(s) ${missing.map((n) => `"${n}"`).join(", ")}`);
  }
}
