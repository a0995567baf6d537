/** The API's shapes as the dashboard reads them (docs/API.md, /api/v1/openapi.json). */

export interface AclMessage {
  performative: string;
  sender?: string;
  receiver: string[];
  content?: unknown;
  conversationId?: string;
  protocol?: string;
  replyWith?: string;
  inReplyTo?: string;
  [field: string]: unknown;
}

/** An agent as `GET /api/v1/agents/{name}` shows it (the server's own type, erased in the bundle). */
export type { PublicAgent as Agent } from "../api/agents.ts";
/** A tool's call counters, as `GET /api/v1/tools` shows them. */
export type { ToolCounters } from "../mcp/mod.ts";

export interface Delivery {
  id: number;
  acceptedAt: string;
  receiver: string;
  status: string;
  reason: string | null;
  message: AclMessage;
}

export interface Histogram {
  buckets: number[];
  counts: number[];
  count: number;
  sum: number;
}

export interface Stats {
  at: string;
  agents: Record<string, number>;
  messages: {
    deliveries: number;
    handled: number;
    failed: number;
    sent: number;
    deadLetters: number;
  };
  traps: number;
  fuelUsed: number;
  deliveryLatency: Histogram;
  recentLatency: {
    windowMs: number;
    deliveries: number;
    p50Ms: number | null;
    p99Ms: number | null;
  };
}
