/**
 * @module
 * FIPA ACL messages: the type, the 22 performatives, the JSON codec and the
 * FIPA string encoding (SC00070).
 */
export { AclParseError, parseAclJson, PERFORMATIVES, toAclMessage } from "./message.ts";
export type { AclMessage, Performative } from "./message.ts";
export { MAX_FIPA_STRING_BYTES, parseFipaString, printFipaString } from "./fipa_string.ts";
