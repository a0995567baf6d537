/** The answer of a tool's address to a message: threaded to it like any reply. */
import type { AclMessage, Performative } from "../acl/mod.ts";

/** `performative` with `content` from `address` to the sender of `original`, threaded to it. */
export function toolReply(
  original: AclMessage,
  address: string,
  performative: Performative,
  content: unknown,
): AclMessage {
  const reply: AclMessage = {
    performative,
    sender: address,
    receiver: [original.sender!],
    content,
  };
  if (original.conversationId !== undefined) reply.conversationId = original.conversationId;
  if (original.replyWith !== undefined) reply.inReplyTo = original.replyWith;
  if (original.protocol !== undefined) reply.protocol = original.protocol;
  return reply;
}
