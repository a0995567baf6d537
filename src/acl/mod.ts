/**
 * @module
 * FIPA ACL messages: the type, the 22 performatives, the JSON codec, the
 * FIPA string encoding (SC00070) and the interaction-protocol checker
 * (fipa-request, fipa-query, fipa-contract-net and its iterated form).
 */
export { AclParseError, parseAclJson, PERFORMATIVES, toAclMessage } from "./message.ts";
export type { AclMessage, ParseOptions, Performative } from "./message.ts";
export { DEFAULT_MAX_RECEIVERS, limitReceivers, TooManyReceiversError } from "./receivers.ts";
export { MAX_FIPA_STRING_BYTES, parseFipaString, printFipaString } from "./fipa_string.ts";
export { PROTOCOLS } from "./protocols.ts";
export type { InteractionProtocol, ProtocolMove, ProtocolRole, ProtocolStep } from "./protocols.ts";
export { checkConversation, ProtocolChecker } from "./protocol_checker.ts";
export type {
  CheckConversationOptions,
  ConversationCheck,
  ConversationState,
  ObserveOptions,
  ProtocolViolation,
} from "./protocol_checker.ts";
export {
  isSampled,
  newSpanId,
  newTraceId,
  nextTraceparent,
  parseTraceparent,
} from "./trace_context.ts";
