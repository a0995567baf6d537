/** What a deployment reports, kept with it in the store (history) and shown by CLI and API. */

/** Where a deployment is. `active` statuses are those a restart interrupts. */
export type RolloutStatus =
  | "validating"
  | "progressing"
  | "switched"
  | "shadowing"
  | "promoted"
  | "completed"
  | "rolled_back"
  | "failed_validation";

/** Statuses of a deployment still under way. */
export const ACTIVE_STATUSES: readonly RolloutStatus[] = [
  "validating",
  "progressing",
  "switched",
  "shadowing",
];

/** One validation stage's result. */
export interface StageResult {
  stage: "static" | "sandbox";
  passed: boolean;
  /** Messages replayed (sandbox). */
  messages?: number;
  ms: number;
  /** What failed: the message and the difference. */
  failure?: { message?: unknown; difference: string };
}

/** A version's figures over one analysis window. */
export interface VersionFigures {
  messages: number;
  failures: number;
  traps: number;
  failureRate: number;
  p99Ms: number;
  fuelPerMessage: number;
}

/** One canary step or analysis, or a blue-green switch. */
export interface StepRecord {
  at: number;
  kind: "step" | "analysis" | "switch" | "rollback" | "promote" | "retire";
  /** The canary's share of conversations after this record (percent). */
  share: number;
  passed?: boolean;
  reason?: string;
  stable?: VersionFigures;
  candidate?: VersionFigures;
  /** Blue-green switch: the longest time a message waited for the switch (ms). */
  pauseMs?: number;
}

/** A reply of the shadow that differed from the stable version's. */
export interface Divergence {
  message: unknown;
  stable: unknown;
  shadow: unknown;
}

/** The shadow's comparison so far. */
export interface ShadowReport {
  compared: number;
  diverged: number;
  divergenceRate: number;
  shadowFailures: number;
  examples: Divergence[];
}

/** The report of a deployment. */
export interface RolloutReport {
  stages: StageResult[];
  steps: StepRecord[];
  share: number;
  shadow?: ShadowReport;
  /** Two versions: the longest a message waited for the other version's messages to finish (ms). */
  switchWaitMs?: number;
  /** Why it ended as it did (rolled back, failed validation…). */
  reason?: string;
}
