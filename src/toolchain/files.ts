/** File helpers the toolchain and the build driver share: freshness, atomic writes, hashes. */
import { createHash } from "node:crypto";

/** The file's modification time in ms, or undefined when it does not exist. */
export async function mtime(file: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(file)).mtime?.getTime();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Writes through a temporary file so a half-written output never looks fresh. */
export async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${file}.tmp`;
  await Deno.writeFile(temporary, bytes);
  await Deno.rename(temporary, file);
}

/** SHA-256 of `bytes`, lowercase hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
