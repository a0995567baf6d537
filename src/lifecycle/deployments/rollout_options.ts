/**
 * What a deployment asks for: its strategy, its test messages and its
 * thresholds, with the defaults a user gets. Parsed once at the edge (API,
 * CLI) with {@linkcode ROLLOUT_OPTIONS}; inside, only {@linkcode RolloutOptions}.
 */
import { z } from "zod";

/** How a new version reaches traffic. */
export const STRATEGIES = ["bluegreen", "canary", "shadow"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** A test message for the sandbox stage and what its reply must look like. */
export const TEST_MESSAGE = z.object({
  /** The message's content (sent as a `request` unless `performative` says otherwise). */
  content: z.unknown(),
  performative: z.string().optional(),
  conversationId: z.string().optional(),
  /** The reply must be this performative (default: any but `failure`/`not-understood`). */
  expectPerformative: z.string().optional(),
  /** The reply's content, as JSON text, must match this regular expression. */
  expectContent: z.string().optional(),
});
export type TestMessage = z.infer<typeof TEST_MESSAGE>;

/** Canary analysis thresholds (Flagger's analysis, per interval). */
export const THRESHOLDS = z.object({
  /** Highest failure (incl. trap) rate of the canary above the stable's, 0..1. */
  maxFailureRateIncrease: z.number().min(0).max(1).default(0.05),
  /**
   * Highest canary p99 handling time as a multiple of the stable's (and at least +2 ms);
   * judged once both versions have 100 timed messages in the window (a p99 of fewer is a max).
   */
  maxP99Ratio: z.number().positive().default(3),
  /** Highest canary fuel per message as a multiple of the stable's. */
  maxFuelRatio: z.number().positive().default(2),
  /** Fewest canary messages in an interval for its analysis to count. */
  minMessages: z.number().int().min(1).default(5),
  /** Failed analyses before an automatic rollback (one noisy window alone does not roll back). */
  failureThreshold: z.number().int().min(1).default(2),
}).strict();

/** The options of a deployment, as the API and the CLI take them. */
export const ROLLOUT_OPTIONS = z.object({
  strategy: z.enum(STRATEGIES).default("bluegreen"),
  /** Canary: the share of conversations (percent) at each step; the last is normally 100. */
  steps: z.array(z.number().int().min(1).max(100)).min(1).max(20).default([10, 25, 50, 100]),
  /** Canary: time between analyses (and steps). */
  intervalMs: z.number().int().min(10).max(86_400_000).default(30_000),
  /** Blue-green: how long the old version stays warm for an instant rollback. */
  graceMs: z.number().int().min(0).max(86_400_000).default(60_000),
  /** Shadow: how long live traffic is copied (0: until promote or abort). */
  durationMs: z.number().int().min(0).max(86_400_000).default(60_000),
  /** Sandbox: test messages and what their replies must be. */
  tests: z.array(TEST_MESSAGE).max(100).default([]),
  /** Sandbox: also replay up to this many of the agent's recent logged requests (no failure allowed). */
  sample: z.number().int().min(0).max(100).default(10),
  /** Sandbox: highest fuel one test message may use (default: the agent's fuel per message). */
  maxFuelPerMessage: z.number().int().positive().optional(),
  thresholds: THRESHOLDS.default(THRESHOLDS.parse({})),
}).strict();

export type RolloutOptions = z.infer<typeof ROLLOUT_OPTIONS>;
export type RolloutThresholds = z.infer<typeof THRESHOLDS>;
