/** `caxton message send|tail` and `caxton conversation show`. */
import { CliError, EXIT } from "../exit.ts";
import { emit, type Output, paint, table } from "../output.ts";
import type { Command, CommandContext } from "../command_types.ts";

interface _Acl {
  performative: string;
  sender?: string;
  receiver: string[];
  content?: unknown;
  conversationId?: string;
}

interface _Delivery {
  id: number;
  acceptedAt: string;
  receiver: string;
  status?: string;
  message: _Acl;
}

/** JSON when it parses, the text itself otherwise. */
function _content(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function _brief(content: unknown): string {
  const text = typeof content === "string" ? content : JSON.stringify(content) ?? "";
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function _line(o: Output, d: _Delivery): string {
  return `${paint(o, "dim", d.acceptedAt)}  ${d.message.sender ?? "?"} → ${d.receiver}  ${
    paint(o, d.message.performative === "failure" ? "red" : "cyan", d.message.performative)
  }  ${_brief(d.message.content)}`;
}

async function _ensureParticipant(ctx: CommandContext, name: string): Promise<void> {
  try {
    await ctx.client().json(`/api/v1/participants/${name}`);
  } catch (error) {
    if (!(error instanceof CliError) || error.exitCode !== EXIT.notFound) throw error;
    await ctx.client().send("PUT", `/api/v1/participants/${name}`);
  }
}

export const MESSAGE_COMMANDS: Command[] = [
  {
    noun: "message",
    verb: "send",
    usage:
      "<receiver> [content] [--performative P] [--conversation ID] [--timeout MS] [--as NAME [--wait MS]]",
    summary: "send a request and print the reply, or send as participant ext:NAME with --as",
    options: {
      performative: { type: "string" },
      conversation: { type: "string" },
      timeout: { type: "string" },
      as: { type: "string" },
      wait: { type: "string" },
    },
    async run(ctx) {
      const [receiver, text, extra] = ctx.args;
      if (!receiver || extra !== undefined) {
        throw new CliError(
          "send needs a receiver and at most one content argument: caxton message send echo '\"hello\"'",
          EXIT.usage,
        );
      }
      const o = ctx.output;
      const body: Record<string, unknown> = {};
      if (text !== undefined) body.content = _content(text);
      if (ctx.values.performative) body.performative = ctx.values.performative;
      if (ctx.values.conversation) body.conversationId = ctx.values.conversation;
      const as = ctx.values.as as string | undefined;
      if (as === undefined) {
        const timeout = ctx.values.timeout ? `?timeout=${ctx.values.timeout}` : "";
        const reply = await ctx.client().send<_Acl>(
          "POST",
          `/api/v1/agents/${receiver}/request${timeout}`,
          body,
        );
        emit(
          o,
          reply,
          () =>
            `${
              paint(o, reply.performative === "failure" ? "red" : "green", reply.performative)
            } from ${reply.sender}: ${
              typeof reply.content === "string" ? reply.content : JSON.stringify(reply.content)
            }`,
        );
        return reply.performative === "failure" ? EXIT.failure : EXIT.ok;
      }
      await _ensureParticipant(ctx, as);
      const sent = await ctx.client().send<{ delivered: number }>(
        "POST",
        `/api/v1/participants/${as}/messages`,
        { performative: "inform", ...body, receiver: [receiver] },
      );
      if (ctx.values.wait === undefined) {
        emit(o, sent, () => `sent as ext:${as} to ${receiver}`);
        return;
      }
      const polled = await ctx.client().json<{ items: _Acl[] }>(
        `/api/v1/participants/${as}/messages?max=1&wait=${ctx.values.wait}`,
      );
      const reply = polled.items[0];
      if (!reply) {
        throw new CliError(`no reply for ext:${as} within ${ctx.values.wait} ms`, EXIT.timeout);
      }
      emit(o, reply, () => `${reply.performative} from ${reply.sender}: ${_brief(reply.content)}`);
    },
  },
  {
    noun: "message",
    verb: "tail",
    usage: "[--agent A] [--conversation ID] [--performative P] [--count N]",
    summary: "follow deliveries live (Ctrl-C stops; --count stops after N)",
    options: {
      agent: { type: "string" },
      conversation: { type: "string" },
      performative: { type: "string" },
      count: { type: "string" },
    },
    async run(ctx) {
      const query = new URLSearchParams();
      for (const key of ["agent", "conversation", "performative"]) {
        const value = ctx.values[key];
        if (typeof value === "string") query.set(key, value);
      }
      const count = ctx.values.count === undefined ? Infinity : Number(ctx.values.count);
      if (!(count > 0)) throw new CliError("--count must be a positive number", EXIT.usage);
      const res = await ctx.client().fetch(`/api/v1/messages/tail?${query}`, {
        headers: { accept: "text/event-stream" },
      });
      const o = ctx.output;
      if (o.interactive && !o.json) o.err(paint(o, "dim", "following deliveries; Ctrl-C stops"));
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      let seen = 0;
      try {
        while (seen < count) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while (seen < count && (end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block.split("\n").find((l) => l.startsWith("data: "));
            if (!data) continue;
            const delivery = JSON.parse(data.slice(6)) as _Delivery;
            o.out(o.json ? JSON.stringify(delivery) : _line(o, delivery));
            seen++;
          }
        }
      } finally {
        await reader.cancel();
      }
    },
  },
  {
    noun: "conversation",
    verb: "show",
    usage: "<conversation-id>",
    summary: "a conversation's messages in order",
    async run(ctx) {
      const [id] = ctx.args;
      if (!id) throw new CliError("show needs a conversation id", EXIT.usage);
      const conversation = await ctx.client().json<
        { participants: string[]; messages: _Delivery[] }
      >(
        `/api/v1/conversations/${encodeURIComponent(id)}`,
      );
      const o = ctx.output;
      emit(o, conversation, () =>
        [
          `${paint(o, "bold", id)}  ${conversation.participants.join(", ")}`,
          table(
            o,
            ["#", "AT", "FROM", "TO", "PERFORMATIVE", "STATUS", "CONTENT"],
            conversation.messages.map((d) => [
              String(d.id),
              d.acceptedAt,
              d.message.sender ?? "",
              d.receiver,
              d.message.performative,
              d.status ?? "",
              _brief(d.message.content),
            ]),
          ),
        ].join("\n"));
    },
  },
];
