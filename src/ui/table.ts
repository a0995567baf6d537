/** A plain data table: a caption for screen readers, column headers, one row per item. */
import { html } from "./html.ts";

export interface Column<T> {
  label: string;
  /** Right-aligned tabular figures. */
  num?: boolean;
  cell: (row: T) => unknown;
}

export function Table<T>(
  { caption, columns, rows }: { caption: string; columns: Column<T>[]; rows: T[] },
) {
  return html`
    <div class="scroll" tabindex="0" role="region" aria-label=${caption}>
      <table>
        <caption class="sr-only">${caption}</caption>
        <thead>
          <tr>${columns.map((c) =>
            html`<th scope="col" class=${c.num ? "num" : ""}>${c.label}</th>`
          )}</tr>
        </thead>
        <tbody>${rows.map((row) =>
          html`<tr>${
            columns.map((c) => html`<td class=${c.num ? "num" : ""}>${c.cell(row)}</td>`)
          }</tr>`
        )}</tbody>
      </table>
    </div>
  `;
}
