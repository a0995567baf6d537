/** Prints a benchmark group's table and writes bench/results/<group>.json. */

/** One measured figure. */
export interface Metric {
  metric: string;
  value: number;
  unit: string;
  /** The goal, for the table only. */
  goal?: string;
  note?: string;
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A percentile (0..100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

/** Prints `metrics` as a table and writes the JSON file. */
export function report(group: string, metrics: Metric[]): void {
  const rows = metrics.map((m) => [
    m.metric,
    Number.isInteger(m.value) ? String(m.value) : m.value.toFixed(3),
    m.unit,
    m.goal ?? "",
    m.note ?? "",
  ]);
  const header = ["metric", "value", "unit", "goal", "note"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log(`\n${group}`);
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
  const path = new URL(`./results/${group}.json`, import.meta.url);
  Deno.mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  const json = metrics.map(({ metric, value, unit }) => ({ metric, value, unit }));
  Deno.writeTextFileSync(path, JSON.stringify(json, null, 2) + "\n");
  console.log(`\nwrote bench/results/${group}.json`);
}
