/**
 * `caxton trace <conversation-id>`: a conversation's logged deliveries as a
 * tree, from the store alone (no tracing backend needed at 3 AM). A delivery
 * hangs under the one it answers (its `in-reply-to` matches that delivery's
 * `reply-with`, sent back by that delivery's receiver); otherwise under its
 * cause: the last delivery its sender received in this conversation before
 * the message was accepted. What has neither is a root.
 */
import type { LoggedMessage } from "../store/mod.ts";

/** One delivery in the tree. */
export interface TraceNode {
  entry: LoggedMessage;
  /** How the parent was found: the message answers it, or was sent after receiving it. */
  link: "root" | "in-reply-to" | "cause";
  children: TraceNode[];
}

/** Builds the tree of a conversation's deliveries (log order in, log order kept). */
export function conversationTree(entries: readonly LoggedMessage[]): TraceNode[] {
  const sorted = [...entries].sort((a, b) => a.id - b.id);
  const roots: TraceNode[] = [];
  const nodes: TraceNode[] = [];
  for (const entry of sorted) {
    const node: TraceNode = { entry, link: "root", children: [] };
    const m = entry.message;
    let parent: TraceNode | undefined;
    if (m.inReplyTo !== undefined) {
      parent = _last(
        nodes,
        (n) => n.entry.message.replyWith === m.inReplyTo && n.entry.receiver === m.sender,
      );
      if (parent) node.link = "in-reply-to";
    }
    if (!parent && m.sender !== undefined) {
      parent = _last(nodes, (n) => n.entry.receiver === m.sender && n.entry.id < entry.id);
      if (parent) node.link = "cause";
    }
    if (parent) parent.children.push(node);
    else roots.push(node);
    nodes.push(node);
  }
  return roots;
}

function _last(nodes: TraceNode[], test: (n: TraceNode) => boolean): TraceNode | undefined {
  for (let i = nodes.length - 1; i >= 0; i--) if (test(nodes[i]!)) return nodes[i];
  return undefined;
}

function _content(content: unknown): string {
  if (content === undefined) return "";
  const text = typeof content === "string" ? content : JSON.stringify(content);
  return ` ${JSON.stringify(text.length > 40 ? `${text.slice(0, 39)}…` : text)}`;
}

function _outcome(e: LoggedMessage): string {
  const took = `${e.updatedAt - e.acceptedAt} ms`;
  switch (e.status) {
    case "handled":
      return `handled in ${took}`;
    case "failed":
    case "dead":
      return `${e.status} after ${took}: ${e.reason ?? "no reason recorded"}`;
    default:
      return `${e.status} (not finished)`;
  }
}

/**
 * The conversation as text: one line per delivery, indented under its parent,
 * with the time since the conversation's first message and the outcome.
 */
export function renderTrace(conversationId: string, entries: readonly LoggedMessage[]): string {
  if (entries.length === 0) {
    return `No logged messages in conversation "${conversationId}" (the message log keeps deliveries only with messageLog "log")`;
  }
  const start = Math.min(...entries.map((e) => e.acceptedAt));
  const end = Math.max(...entries.map((e) => e.updatedAt));
  const traces = [...new Set(entries.map((e) => e.traceId).filter((t) => t !== null))];
  const lines = [
    `conversation ${conversationId}: ${entries.length} deliveries over ${end - start} ms` +
    (traces.length > 0 ? `, trace ${traces.join(", ")}` : ""),
  ];
  const walk = (nodes: TraceNode[], prefix: string) => {
    nodes.forEach((node, i) => {
      const lastChild = i === nodes.length - 1;
      const e = node.entry;
      const m = e.message;
      lines.push(
        `${prefix}${lastChild ? "└─ " : "├─ "}+${e.acceptedAt - start} ms  ${m.performative} ${
          m.sender ?? "?"
        } → ${e.receiver}${_content(m.content)}  ${_outcome(e)}` +
          (node.link === "root" ? "" : `  [${node.link}]`),
      );
      walk(node.children, prefix + (lastChild ? "   " : "│  "));
    });
  };
  walk(conversationTree(entries), "");
  return lines.join("\n");
}
