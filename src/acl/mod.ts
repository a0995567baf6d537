/**
 * @module
 * FIPA ACL messages: the type, the 22 performatives and the JSON codec.
 */
export { AclParseError, parseAclJson, PERFORMATIVES, toAclMessage } from "./message.ts";
export type { AclMessage, Performative } from "./message.ts";
