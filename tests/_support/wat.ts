/** Compiles WAT to module bytes for tests, with wabt (npm), as ABI v1 agents are built. */
import wabtInit from "wabt";
import { WABT_FEATURES } from "../../src/toolchain/mod.ts";

const _wabt = await wabtInit();

/** Options of {@linkcode wat}. */
export interface WatOptions {
  /** wabt features on top of ABI v1's, e.g. `{ simd: true }` to write a module ABI v1 refuses. */
  features?: Record<string, boolean>;
  /** Validate with wabt; its validator lags V8 on some features (V8 validates anyway). */
  validate?: boolean;
}

/** Compiles `source`, keeping function names so that rejections and traps name them. */
export function wat(source: string, options: WatOptions = {}): Uint8Array {
  const { features = {}, validate = true } = options;
  const module = _wabt.parseWat("test.wat", source, { ...WABT_FEATURES, ...features });
  try {
    module.resolveNames();
    if (validate) module.validate();
    return new Uint8Array(module.toBinary({ write_debug_names: true }).buffer);
  } finally {
    module.destroy();
  }
}
