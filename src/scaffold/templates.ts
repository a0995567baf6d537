/** The generated files of an agent project that are not copies: its test spec and README. */
import type { ProjectLanguage } from "../toolchain/mod.ts";

/** `agent_test.json`: what the scaffolded echo agent must answer (read by test_runner.ts). */
export const TEST_SPEC = `${
  JSON.stringify(
    {
      tests: [{
        name: "answers a request with inform, threaded",
        send: {
          performative: "request",
          content: "hello",
          conversationId: "c-1",
          replyWith: "r-1",
        },
        expect: {
          performative: "inform",
          content: "hello",
          conversationId: "c-1",
          inReplyTo: "r-1",
        },
      }],
    },
    null,
    2,
  )
}\n`;

/** The project's README: what it is and the two commands. */
export function readme(name: string, lang: ProjectLanguage): string {
  return `# ${name}

A Caxton agent in ${lang}, scaffolded by \`caxton agent new ${name} --lang ${lang}\`. It echoes:
every message gets an \`inform\` back with the same string content, threaded
(\`inReplyTo\`, \`conversationId\`).

\`\`\`sh
caxton agent build   # → agent.wasm, checked against ABI v1
caxton agent test    # builds, deploys agent.wasm into a real in-process node, checks agent_test.json
\`\`\`

\`caxton.json\` names the agent and its language; \`agent_test.json\` lists messages to send and
the fields each reply must have; \`sdk/\` is a copy of Caxton's ${lang} SDK. The ABI is described in
Caxton's docs/ABI.md.
`;
}
