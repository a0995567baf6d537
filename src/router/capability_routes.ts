/**
 * The router's one seam to capability addressing: a receiver `cap:<name>`
 * (one provider) or `cap:<name>/*` (every provider) is not an endpoint; the
 * router asks the {@linkcode CapabilityRoutes} it was given (the directory,
 * wired in main.ts) which agents it stands for. The router still never reads
 * the content: the choice is made on the address and the conversation id.
 */
import type { AclMessage } from "../acl/mod.ts";

/** Receivers that start with this are capability addresses. */
export const CAPABILITY_PREFIX = "cap:";

/** Resolves capability addresses to agent names. */
export interface CapabilityRoutes {
  /** The agents `address` reaches for `message`, or why none (a `no_provider` failure). */
  resolve(address: string, message: AclMessage): readonly string[] | string;
}
