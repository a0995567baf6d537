/** The generated files of an agent project that are not copies: build script and test. */
import type { AgentLanguage } from "./scaffold.ts";

/** `build.ts`: builds `agent.wasm` with Caxton's own build code (compilers, flags, ABI check). */
export function buildScript(lang: AgentLanguage): string {
  return `// Builds agent.wasm from agent.* and sdk/, exactly as Caxton builds its examples.
import { buildAgentProject } from "caxton/scripts/build_agents.ts";

const started = performance.now();
const bytes = await buildAgentProject("${lang}", Deno.cwd());
console.log(\`agent.wasm: \${bytes} bytes in \${Math.round(performance.now() - started)} ms\`);
`;
}

/** `agent_test.ts`: deploys agent.wasm into a real node and checks the reply. */
export function testScript(name: string): string {
  return `// Deploys agent.wasm into a real Caxton node (temp data dir, no HTTP) and asks it something.
import assert from "node:assert/strict";
import { startNode } from "caxton/main.ts";
import { defaultConfig } from "caxton/src/config/mod.ts";
import type { AclMessage } from "caxton/src/acl/mod.ts";
import { SILENT_LOGGER } from "caxton/src/telemetry/mod.ts";

Deno.test("${name} answers a request with inform, threaded", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "${name}-test-" });
  const node = await startNode({ ...defaultConfig(), dataDir, port: 0, workers: 1 }, {
    serve: false,
    logger: SILENT_LOGGER,
  });
  let settle: (message: AclMessage) => void = () => {};
  const reply = new Promise<AclMessage>((resolve) => (settle = resolve));
  const me = node.router.registerExternal("ext:test", (message) => settle(message));
  try {
    const view = await node.agents.deploy("${name}", await Deno.readFile("agent.wasm"));
    assert.equal(view.state, "running");
    node.router.route({
      performative: "request",
      sender: "ext:test",
      receiver: ["${name}"],
      content: "hello",
      conversationId: "c-1",
      replyWith: "r-1",
    });
    const message = await reply;
    console.log(JSON.stringify(message));
    assert.equal(message.performative, "inform");
    assert.equal(message.content, "hello");
    assert.equal(message.inReplyTo, "r-1");
    assert.equal(message.conversationId, "c-1");
  } finally {
    me[Symbol.dispose]();
    await node.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
`;
}
