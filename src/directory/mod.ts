/**
 * @module
 * Capabilities and the directory (docs/DISCOVERY.md): an index of what each
 * agent declares, searched by name, version range and attributes (REST, CLI
 * and the FIPA directory facilitator at `df`), and `cap:` addressing.
 */
export { CapabilityIndex, isLive } from "./capability_index.ts";
export type { Provider, ProviderStatus } from "./capability_index.ts";
export { BROADCAST_SUFFIX, CapabilityRouter } from "./capability_router.ts";
export { DF_ADDRESS, DF_ONTOLOGY, DirectoryFacilitator } from "./df_agent.ts";
export type { DirectoryAgents } from "./df_agent.ts";
export {
  InvalidSearchError,
  MAX_SEARCH_LIMIT,
  parseAttributePairs,
  parseSearch,
} from "./search_query.ts";
export type { RawSearch, SearchQuery } from "./search_query.ts";
export { parseRange, parseVersion, satisfies } from "./version_range.ts";
