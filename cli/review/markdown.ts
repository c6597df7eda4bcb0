import { signedUsd, usd } from "../cost/render";

/** Small Markdown helpers for a GitHub comment. Pure. */

/** Text for a table cell: pipes escaped, newlines folded, never empty. */
export function cell(s: string): string {
  const t = s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  return t === "" ? " " : t;
}

/** Inline code that survives backticks in the value. */
export function code(s: string): string {
  const ticks = s.includes("`") ? "``" : "`";
  const pad = s.startsWith("`") || s.endsWith("`") ? " " : "";
  return `${ticks}${pad}${s}${pad}${ticks}`;
}

/** Characters GitHub would read as HTML or emphasis in running text (summaries, list items). */
export function text(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([*_~])/g, "\\$1");
}

export function table(
  head: readonly string[],
  align: readonly ("l" | "r")[],
  rows: readonly (readonly string[])[],
): string[] {
  const sep = align.map((a) => (a === "r" ? "---:" : "---"));
  return [
    `| ${head.join(" | ")} |`,
    `| ${sep.join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}

/** Infracost's percent: whole numbers, signed; none when either side is 0 or nothing changed. */
export function percent(base: number, head: number): string | undefined {
  if (base === 0 || head === 0 || base === head) return undefined;
  const p = Math.round((head / base - 1) * 100);
  return `${p > 0 ? "+" : ""}${p}%`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export { signedUsd, usd };
