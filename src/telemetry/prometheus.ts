/**
 * Renders metric families in the Prometheus text exposition format (version
 * 0.0.4): Caxton's instruments and the families the REST API's `/metrics`
 * reads from live state go through this one renderer.
 */
import type { CaxtonMetrics, MetricValue } from "./metrics.ts";

/** The content type of {@linkcode renderPrometheus}'s output. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function _escape(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}

function _labels(labels: Record<string, string>, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return "";
  return `{${pairs.map(([k, v]) => `${k}="${_escape(v)}"`).join(",")}}`;
}

function _number(n: number): string {
  return Number.isFinite(n) ? String(n) : n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN";
}

function _render(metric: MetricValue, out: string[]): void {
  out.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
  if (metric.type !== "histogram") {
    for (const s of metric.samples) {
      out.push(`${metric.name}${_labels(s.labels)} ${_number(s.value)}`);
    }
    return;
  }
  for (const { labels, value } of metric.samples) {
    let cumulative = 0;
    value.buckets.forEach((le, i) => {
      cumulative += value.counts[i]!;
      out.push(`${metric.name}_bucket${_labels(labels, ["le", String(le)])} ${cumulative}`);
    });
    out.push(`${metric.name}_bucket${_labels(labels, ["le", "+Inf"])} ${value.count}`);
    out.push(`${metric.name}_sum${_labels(labels)} ${_number(value.sum)}`);
    out.push(`${metric.name}_count${_labels(labels)} ${value.count}`);
  }
}

/**
 * Every instrument of `metrics` as Prometheus text. `skip` leaves out
 * families another exposition already renders (appending to `/metrics`).
 *
 * @example Serving it from a Hono route
 * ```ts ignore
 * app.get("/metrics", (c) =>
 *   c.body(renderPrometheus(metrics), 200, { "content-type": PROMETHEUS_CONTENT_TYPE }));
 * ```
 */
export function renderPrometheus(
  metrics: CaxtonMetrics,
  options: { skip?: ReadonlySet<string> } = {},
): string {
  return renderFamilies(metrics.read().filter((metric) => !options.skip?.has(metric.name)));
}

/** Metric families, read elsewhere (e.g. from live state), as Prometheus text. */
export function renderFamilies(families: Iterable<MetricValue>): string {
  const out: string[] = [];
  for (const metric of families) _render(metric, out);
  return out.join("\n") + "\n";
}
