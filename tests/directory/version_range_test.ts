import assert from "node:assert/strict";
import { parseRange, parseVersion, satisfies } from "../../src/directory/mod.ts";

const _in = (version: string, range: string) =>
  satisfies(parseVersion(version)!, parseRange(range)!);

Deno.test("capability versions match npm-style ranges", () => {
  assert.ok(_in("1", "1") && _in("1.9.3", "1") && !_in("2.0", "1"));
  assert.ok(_in("1.2.5", "1.2") && !_in("1.3", "1.2"));
  assert.ok(_in("1.4", "^1.2") && !_in("2.0", "^1.2") && !_in("1.1", "^1.2"));
  assert.ok(_in("0.2.9", "^0.2") && !_in("0.3.0", "^0.2"));
  assert.ok(_in("1.2.9", "~1.2") && !_in("1.3.0", "~1.2"));
  assert.ok(_in("2.5", ">=1 <3") && !_in("3.0.0", ">=1 <3"));
  assert.ok(_in("7", "*") && _in("1.0.0", "=1.0.0") && _in("5", "1 || 5"));
  assert.ok(_in("1.7.0", "1.x") && !_in("2.0.0", "1.x"));
});

Deno.test("what is not a version or a range is refused", () => {
  for (const text of ["", "banana", "1.2.3.4", ">=", "^", "1 ||", "v-1"]) {
    assert.equal(parseRange(text), undefined, text);
  }
  assert.equal(parseVersion("one"), undefined);
});
