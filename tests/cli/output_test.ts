import assert from "node:assert/strict";
import { type Output, paintState, table } from "../../src/cli/output.ts";

const lines: string[] = [];
const base: Output = {
  json: false,
  colour: false,
  interactive: false,
  out: (t) => lines.push(t),
  err: (t) => lines.push(t),
};

Deno.test("tables pad columns to the widest cell, coloured or not", () => {
  const plain = table(base, ["NAME", "STATE"], [["echo", "running"], ["a-long-name", "failed"]]);
  assert.equal(plain, "NAME         STATE\necho         running\na-long-name  failed");
  const colour = { ...base, colour: true };
  const painted = table(colour, ["NAME", "STATE"], [["echo", paintState(colour, "running")]]);
  assert.equal(painted, "\x1b[1mNAME  STATE\x1b[22m\necho  \x1b[32mrunning\x1b[39m");
  assert.equal(paintState(colour, "failed"), "\x1b[31mfailed\x1b[39m");
});
