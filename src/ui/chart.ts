/** A live line chart (uPlot) that follows its container's width. */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { html } from "./html.ts";

export interface ChartProps {
  title: string;
  /** Seconds since the epoch, one per point. */
  times: number[];
  series: { label: string; values: (number | null)[]; color: string }[];
  unit: string;
}

/** One chart; the figure's caption names it for screen readers, the table below gives values. */
export function Chart({ title, times, series, unit }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current!;
    plot.current = new uPlot(
      {
        width: el.clientWidth || 300,
        height: 160,
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2 }))],
        axes: [{ stroke: "#333" }, { stroke: "#333", label: unit, size: 56 }],
        legend: { show: series.length > 1 },
        cursor: { drag: { x: false, y: false } },
      },
      [times, ...series.map((s) => s.values)],
      el,
    );
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: el.clientWidth, height: 160 })
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
    };
  }, [series.length]);
  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)]);
  });
  const last = series.map((s) => `${s.label} ${_fmt(s.values.at(-1))} ${unit}`).join(", ");
  return html`
    <figure class="chart">
      <figcaption>${title} <span class="now">${last}</span></figcaption>
      <div ref=${box} role="img" aria-label=${`${title}: now ${last}`}></div>
    </figure>
  `;
}

function _fmt(v: number | null | undefined): string {
  if (v === null || v === undefined) return "–";
  return v >= 100 ? v.toFixed(0) : v.toFixed(v >= 10 ? 1 : 2);
}
