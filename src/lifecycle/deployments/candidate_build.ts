/** The new version a deployment brings, built (static stage passed), and what it replaces. */
import type { AgentLimits, Isolation } from "../../runtime/mod.ts";

export interface CandidateBuild {
  hash: string;
  module: WebAssembly.Module;
  limits: AgentLimits;
  isolation: Isolation;
  /** The module's source language (detected; issue 19). */
  language: string;
  /** The old version's settings, for a switch back. */
  previous: { limits: AgentLimits; isolation: Isolation; language: string };
}
