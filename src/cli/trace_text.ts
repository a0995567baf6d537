/**
 * A conversation's timing tree (`GET /api/v1/conversations/{id}/trace`) as
 * text: one line per delivery, indented under its parent, with the time since
 * the conversation's first message and the outcome.
 */

/** One delivery of the tree, as the API sends it. */
export interface TraceLine {
  receiver: string;
  message: { performative: string; sender?: string; content?: unknown };
  status: string;
  reason: string | null;
  offsetMs: number;
  tookMs: number;
  link: "root" | "in-reply-to" | "cause";
  children: TraceLine[];
}

/** The tree as the API sends it. */
export interface TraceTree {
  conversationId: string;
  deliveries: number;
  durationMs: number;
  traceIds: string[];
  roots: TraceLine[];
}

function _content(content: unknown): string {
  if (content === undefined) return "";
  const text = typeof content === "string" ? content : JSON.stringify(content);
  return ` ${JSON.stringify(text.length > 40 ? `${text.slice(0, 39)}…` : text)}`;
}

function _outcome(d: TraceLine): string {
  const took = `${d.tookMs} ms`;
  switch (d.status) {
    case "handled":
      return `handled in ${took}`;
    case "failed":
    case "dead":
      return `${d.status} after ${took}: ${d.reason ?? "no reason recorded"}`;
    default:
      return `${d.status} (not finished)`;
  }
}

/** Renders the tree, one line per delivery. */
export function traceText(tree: TraceTree): string {
  const lines = [
    `conversation ${tree.conversationId}: ${tree.deliveries} deliveries over ${tree.durationMs} ms` +
    (tree.traceIds.length > 0 ? `, trace ${tree.traceIds.join(", ")}` : ""),
  ];
  const walk = (nodes: TraceLine[], prefix: string) => {
    nodes.forEach((node, i) => {
      const lastChild = i === nodes.length - 1;
      const m = node.message;
      lines.push(
        `${prefix}${lastChild ? "└─ " : "├─ "}+${node.offsetMs} ms  ${m.performative} ${
          m.sender ?? "?"
        } → ${node.receiver}${_content(m.content)}  ${_outcome(node)}` +
          (node.link === "root" ? "" : `  [${node.link}]`),
      );
      walk(node.children, prefix + (lastChild ? "   " : "│  "));
    });
  };
  walk(tree.roots, "");
  return lines.join("\n");
}
