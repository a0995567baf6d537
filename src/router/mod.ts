/**
 * @module
 * Addressing, per-agent mailboxes and delivery with failure replies.
 */
export { Router } from "./router.ts";
export type { RouterOptions, Tap } from "./router.ts";
export { InstanceLimitError, MessageTooLargeError } from "./delivery.ts";
export type { DeadLetter, Endpoint, FailureCode } from "./delivery.ts";
export { Mailbox, MailboxFullError } from "./mailbox.ts";
export type { Envelope, MailboxOptions } from "./mailbox.ts";
export { ProtocolMonitor } from "./protocol_monitor.ts";
export type { ConversationViolation, ProtocolMonitorOptions } from "./protocol_monitor.ts";
export { NodeUnreachableError } from "./remote.ts";
export type { RemoteRoutes } from "./remote.ts";
export { AgentNameTakenError, NameRegistryUnavailableError } from "./name_claims.ts";
export type { NameClaims } from "./name_claims.ts";
export { CAPABILITY_PREFIX } from "./capability_routes.ts";
export type { CapabilityRoutes } from "./capability_routes.ts";
