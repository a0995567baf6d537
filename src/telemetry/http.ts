/**
 * The API request span and duration metric, as one Hono middleware. Honours
 * an incoming `traceparent` (or the span Deno.serve opened for the request,
 * itself a child of that header), answers with the request span's
 * `traceparent`, and keeps it in `c.var.traceparent` so a route that routes a
 * message on the caller's behalf continues the caller's trace:
 * `message.traceparent = c.get("traceparent")`.
 */
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Context as HonoContext, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { nextTraceparent, parseTraceparent } from "../acl/mod.ts";
import { ATTR } from "./attributes.ts";
import type { CaxtonMetrics } from "./metrics.ts";
import type { Telemetry } from "./tracing.ts";

/** The request-scoped values the middleware sets. */
export interface TracingEnv {
  Variables: { traceparent: string };
}

/**
 * Times every request into `metrics` and, with `telemetry` (tracing on),
 * records a server span per request.
 */
export function requestTelemetry(
  metrics: CaxtonMetrics,
  telemetry: Telemetry | null,
): MiddlewareHandler<TracingEnv> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header("traceparent");
    if (telemetry === null) {
      // Still a W3C participant: the caller's trace goes on with a new span id.
      c.set("traceparent", nextTraceparent(incoming));
      await next();
      c.header("traceparent", c.get("traceparent"));
    } else {
      await _traced(telemetry, incoming, c, next);
    }
    metrics.apiRequest(
      c.req.method,
      routePath(c),
      c.res.status,
      (performance.now() - started) / 1000,
    );
  };
}

async function _traced(
  telemetry: Telemetry,
  incoming: string | undefined,
  c: HonoContext<TracingEnv>,
  next: () => Promise<void>,
): Promise<void> {
  let parent = context.active();
  const active = trace.getSpan(parent)?.spanContext();
  const header = parseTraceparent(incoming);
  let sampled: boolean;
  if (active && trace.isSpanContextValid(active)) {
    sampled = (active.traceFlags & 1) === 1;
  } else if (header) {
    sampled = (parseInt(header.flags, 16) & 1) === 1;
    parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: header.traceId,
      spanId: header.parentId,
      traceFlags: sampled ? 1 : 0,
      isRemote: true,
    });
  } else {
    sampled = telemetry.sampleRoot();
  }
  if (!sampled) {
    const base = active ? `00-${active.traceId}-${active.spanId}-00` : incoming;
    const stamp = nextTraceparent(base);
    c.set("traceparent", header || active ? stamp : `${stamp.slice(0, 53)}00`);
    await next();
    c.header("traceparent", c.get("traceparent"));
    return;
  }
  const span = telemetry.tracer.startSpan(`${c.req.method} ${c.req.path}`, {
    kind: SpanKind.SERVER,
    attributes: { [ATTR.httpMethod]: c.req.method },
  }, parent);
  const own = span.spanContext();
  const traceparent = `00-${own.traceId}-${own.spanId}-0${own.traceFlags & 1}`;
  c.set("traceparent", traceparent);
  try {
    await context.with(trace.setSpan(parent, span), next);
  } finally {
    const route = routePath(c);
    span.updateName(`${c.req.method} ${route}`);
    span.setAttribute(ATTR.httpRoute, route);
    span.setAttribute(ATTR.httpStatus, c.res.status);
    if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }
  c.header("traceparent", traceparent);
}
