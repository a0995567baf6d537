/** What people and machines see: tables (coloured on a terminal unless NO_COLOR) or JSON. */

/** How to print. */
export interface Output {
  json: boolean;
  colour: boolean;
  /** Whether stderr is a terminal (progress lines go there). */
  interactive: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Output settings for this process. */
export function processOutput(json: boolean, env: Record<string, string>): Output {
  const noColour = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  return {
    json,
    colour: !noColour && Deno.stdout.isTerminal(),
    interactive: Deno.stderr.isTerminal(),
    out: (text) => console.log(text),
    err: (text) => console.error(text),
  };
}

const _CODES: Record<string, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

/** Wraps `text` in an ANSI style when colour is on. */
export function paint(o: Output, style: keyof typeof _CODES, text: string): string {
  if (!o.colour) return text;
  const [on, off] = _CODES[style]!;
  return `\x1b[${on}m${text}\x1b[${off}m`;
}

/** Colours an agent state by how healthy it is. */
export function paintState(o: Output, state: string): string {
  const style = state === "running"
    ? "green"
    : state === "failed"
    ? "red"
    : state === "stopped" || state === "draining"
    ? "yellow"
    : "dim";
  return paint(o, style, state);
}

// deno-lint-ignore no-control-regex
const _ANSI = /\x1b\[\d+m/g;

/** Renders rows under a header, columns padded to their widest cell. */
export function table(o: Output, header: string[], rows: string[][]): string {
  const width = (s: string) => s.replace(_ANSI, "").length;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => width(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells.map((c, i) => c + " ".repeat(widths[i]! - width(c))).join("  ").trimEnd();
  return [paint(o, "bold", line(header)), ...rows.map(line)].join("\n");
}

/** Prints `value` as JSON (machines) or runs `human` (people). */
export function emit(o: Output, value: unknown, human: () => string): void {
  o.out(o.json ? JSON.stringify(value, null, 2) : human());
}
