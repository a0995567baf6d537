/**
 * Rate limits (issue 17): a token bucket per key and per target agent, sized
 * per role. A refused request learns when to retry (`Retry-After`) and the
 * policy in the IETF RateLimit header fields
 * (draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy` and `RateLimit`).
 */
import type { BucketConfig } from "../config/mod.ts";

/** One bucket's answer. */
export interface BucketAnswer {
  allowed: boolean;
  /** Tokens left after this request. */
  remaining: number;
  /** Seconds until a token is back (when refused), or until the bucket is full. */
  resetSec: number;
  policy: BucketConfig;
  /** `key` or `agent`: which limit answered. */
  scope: "key" | "agent";
}

interface _Bucket {
  tokens: number;
  at: number;
}

const _MAX_BUCKETS = 100_000;

/** Buckets by id; refilled lazily on use. */
export class TokenBuckets {
  readonly #buckets = new Map<string, _Bucket>();

  take(
    id: string,
    policy: BucketConfig,
    scope: BucketAnswer["scope"],
    now = Date.now(),
  ): BucketAnswer {
    let b = this.#buckets.get(id);
    if (!b) {
      if (this.#buckets.size >= _MAX_BUCKETS) this.#evictFull(now, policy);
      b = { tokens: policy.burst, at: now };
      this.#buckets.set(id, b);
    }
    b.tokens = Math.min(policy.burst, b.tokens + ((now - b.at) / 1000) * policy.perSecond);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return {
        allowed: true,
        remaining: Math.floor(b.tokens),
        resetSec: Math.ceil((policy.burst - b.tokens) / policy.perSecond),
        policy,
        scope,
      };
    }
    return {
      allowed: false,
      remaining: 0,
      resetSec: Math.max(1, Math.ceil((1 - b.tokens) / policy.perSecond)),
      policy,
      scope,
    };
  }

  /** Drops the oldest buckets (a bucket unused long enough is full again anyway). */
  #evictFull(now: number, policy: BucketConfig): void {
    const idleMs = (policy.burst / policy.perSecond) * 1000;
    for (const [id, b] of this.#buckets) {
      if (now - b.at >= idleMs || this.#buckets.size >= _MAX_BUCKETS) this.#buckets.delete(id);
      if (this.#buckets.size < _MAX_BUCKETS / 2) break;
    }
  }
}

/** The IETF header fields for an answer. */
export function rateLimitHeaders(answer: BucketAnswer): Record<string, string> {
  const { policy } = answer;
  // A bucket of `burst` refilled at `perSecond` is, over a window of burst/perSecond s, `burst` requests.
  const window = Math.max(1, Math.round(policy.burst / policy.perSecond));
  const headers: Record<string, string> = {
    "ratelimit-policy": `"${answer.scope}";q=${policy.burst};w=${window}`,
    "ratelimit": `"${answer.scope}";r=${answer.remaining};t=${answer.resetSec}`,
  };
  if (!answer.allowed) headers["retry-after"] = String(answer.resetSec);
  return headers;
}

/** Limits by role: per key, then per target agent. */
export class RateLimiter {
  readonly #limits: Record<string, { perKey?: BucketConfig; perAgent?: BucketConfig }>;
  readonly #buckets = new TokenBuckets();

  constructor(limits: Record<string, { perKey?: BucketConfig; perAgent?: BucketConfig }>) {
    this.#limits = limits;
  }

  /** Whether any limit is configured (else the check is skipped). */
  get enabled(): boolean {
    return Object.keys(this.#limits).length > 0;
  }

  /** The first refusal, or the tightest allowed answer; null when no limit applies. */
  check(
    principalId: string,
    role: string,
    target: string | null,
    now = Date.now(),
  ): BucketAnswer | null {
    const limits = this.#limits[role] ?? this.#limits["*"];
    if (!limits) return null;
    let answer: BucketAnswer | null = null;
    if (limits.perKey) {
      answer = this.#buckets.take(`k:${principalId}`, limits.perKey, "key", now);
      if (!answer.allowed) return answer;
    }
    if (limits.perAgent && target !== null) {
      const agent = this.#buckets.take(`a:${target}`, limits.perAgent, "agent", now);
      if (!agent.allowed || answer === null || agent.remaining < answer.remaining) answer = agent;
    }
    return answer;
  }
}
