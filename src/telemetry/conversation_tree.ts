/**
 * A conversation's logged deliveries as a timing tree (no tracing backend
 * needed at 3 AM). It receives records — the API reads them from the store
 * and hands them here — and returns data; `caxton trace` draws it.
 *
 * A delivery hangs under the one it answers (its `in-reply-to` matches that
 * delivery's `reply-with`, sent back by that delivery's receiver); otherwise
 * under its cause: the last delivery its sender received in this
 * conversation before the message was accepted. What has neither is a root.
 */
import type { AclMessage } from "../acl/mod.ts";

/** One logged delivery as the tree needs it (the store's log records fit). */
export interface TracedDelivery {
  /** Log position: orders the deliveries. */
  id: number;
  receiver: string;
  message: AclMessage;
  status: string;
  reason: string | null;
  traceId: string | null;
  /** Epoch ms when the router accepted it. */
  acceptedAt: number;
  /** Epoch ms of its last status change (handled, failed…). */
  updatedAt: number;
}

/** One delivery in the tree, timed from the conversation's first message. */
export interface TraceNode {
  id: number;
  receiver: string;
  message: AclMessage;
  status: string;
  reason: string | null;
  traceId: string | null;
  acceptedAt: string;
  /** Milliseconds from the conversation's first acceptance to this one. */
  offsetMs: number;
  /** Milliseconds from acceptance to the last status change. */
  tookMs: number;
  /** How the parent was found: the message answers it, or was sent after receiving it. */
  link: "root" | "in-reply-to" | "cause";
  children: TraceNode[];
}

/** A conversation's timing tree. */
export interface ConversationTrace {
  conversationId: string;
  deliveries: number;
  startedAt: string | null;
  /** From the first acceptance to the last status change. */
  durationMs: number;
  /** The W3C trace ids its deliveries carried. */
  traceIds: string[];
  roots: TraceNode[];
}

/** Builds the tree of a conversation's deliveries (any order in, log order kept). */
export function conversationTrace(
  conversationId: string,
  deliveries: readonly TracedDelivery[],
): ConversationTrace {
  const sorted = [...deliveries].sort((a, b) => a.id - b.id);
  const start = Math.min(...sorted.map((d) => d.acceptedAt));
  const end = Math.max(...sorted.map((d) => d.updatedAt));
  const roots: TraceNode[] = [];
  const nodes: TraceNode[] = [];
  for (const d of sorted) {
    const node: TraceNode = {
      id: d.id,
      receiver: d.receiver,
      message: d.message,
      status: d.status,
      reason: d.reason,
      traceId: d.traceId,
      acceptedAt: new Date(d.acceptedAt).toISOString(),
      offsetMs: d.acceptedAt - start,
      tookMs: d.updatedAt - d.acceptedAt,
      link: "root",
      children: [],
    };
    const m = d.message;
    let parent: TraceNode | undefined;
    if (m.inReplyTo !== undefined) {
      parent = _last(nodes, (n) => n.message.replyWith === m.inReplyTo && n.receiver === m.sender);
      if (parent) node.link = "in-reply-to";
    }
    if (!parent && m.sender !== undefined) {
      parent = _last(nodes, (n) => n.receiver === m.sender && n.id < d.id);
      if (parent) node.link = "cause";
    }
    if (parent) parent.children.push(node);
    else roots.push(node);
    nodes.push(node);
  }
  return {
    conversationId,
    deliveries: sorted.length,
    startedAt: sorted.length === 0 ? null : new Date(start).toISOString(),
    durationMs: sorted.length === 0 ? 0 : end - start,
    traceIds: [...new Set(sorted.map((d) => d.traceId).filter((t) => t !== null))],
    roots,
  };
}

function _last(nodes: TraceNode[], test: (n: TraceNode) => boolean): TraceNode | undefined {
  for (let i = nodes.length - 1; i >= 0; i--) if (test(nodes[i]!)) return nodes[i];
  return undefined;
}
