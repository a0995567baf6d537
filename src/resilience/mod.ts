/**
 * @module
 * Circuit breakers around calls that leave the node (webhooks, MCP servers).
 */
export { BreakerBoard, CircuitBreaker } from "./circuit_breaker.ts";
export type { BreakerOptions, BreakerState, BreakerView } from "./circuit_breaker.ts";
