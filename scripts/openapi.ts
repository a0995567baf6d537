/** Writes the OpenAPI document to a file (default build/openapi.json), for the linter in CI. */
import { openApiDocument } from "../src/api/mod.ts";
import { VERSION } from "../src/version.ts";

const output = Deno.args[0] ?? "build/openapi.json";
Deno.mkdirSync(new URL(".", new URL(output, `file://${Deno.cwd()}/`)), { recursive: true });
Deno.writeTextFileSync(output, JSON.stringify(openApiDocument(VERSION), null, 2) + "\n");
console.log(`wrote ${output}`);
