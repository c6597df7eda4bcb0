import { lineCounts } from "./lines";
import { CostDiff, CostLine, CostReport } from "./types";
import { nameOfUrn } from "./usage";

/**
 * Text, Markdown and JSON renderings of a cost report and of a cost diff. Pure string building.
 *
 * Money: totals and line costs print with 2 decimals (4 below one cent, so a $0.0037 line does
 * not read as free); unit prices print at full precision. Figures are computed unrounded (to a
 * millionth) and only rounded here.
 */

export type CostFormat = "text" | "json" | "md";

export function usd(x: number): string {
  const sign = x < 0 ? "-" : "";
  const a = Math.abs(x);
  const digits = a !== 0 && a < 0.01 ? 4 : 2;
  const [int, frac] = a.toFixed(digits).split(".");
  return `${sign}$${int.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${frac}`;
}

/** A unit price: every significant digit the table has ($0.004445). */
export function unitUsd(x: number): string {
  return `$${String(x)}`;
}

/** `+$1.00`, `-$2.50`, `$0.00`. */
export function signedUsd(x: number): string {
  return x > 0 ? `+${usd(x)}` : x < 0 ? usd(x) : usd(0);
}

function qty(x: number): string {
  const rounded = Math.round(x * 1000) / 1000;
  return rounded.toLocaleString("en-US", { maximumFractionDigits: 3 });
}

function lineCost(l: CostLine): string {
  if (l.priceKnown === false) return `price unknown (${l.priceKey})`;
  if (l.usageKnown === false)
    return `usage unknown: ${unitUsd(l.unitPrice)} per ${singular(l.unit)}`;
  return usd(l.monthly);
}

function singular(unit: string): string {
  return unit.replace(/s$/, "").replace(/^1M requests$/, "1M requests");
}

export function renderReportText(report: CostReport): string {
  // Name column as wide as the longest line label (within 40..90), so the figures line up.
  const longest = Math.max(
    0,
    ...report.resources.flatMap((r) => r.lines.map((l) => l.description.length + 3)),
  );
  const W = Math.min(90, Math.max(40, longest));
  const out: string[] = [];
  out.push(
    `Project: platform/${report.stack}   region: ${report.region}   ${report.currency}, 730 hours a month`,
    "",
  );
  out.push(
    ` ${"Name".padEnd(W)} ${"Monthly Qty".padStart(12)}  ${"Unit".padEnd(12)} ${"Monthly Cost".padStart(14)}`,
  );
  for (const r of report.resources) {
    out.push("", ` ${r.name} (${r.type})`);
    r.lines.forEach((l, i) => {
      const branch = i === r.lines.length - 1 ? "└─" : "├─";
      const label = ` ${branch} ${l.description}`;
      const known = lineCounts(l);
      out.push(
        known
          ? `${label.padEnd(W + 1)} ${qty(l.quantity).padStart(12)}  ${l.unit.padEnd(12)} ${usd(l.monthly).padStart(14)}`
          : `${label.padEnd(W + 1)} ${lineCost(l)}`,
      );
    });
    for (const n of r.notes ?? []) out.push(`    · ${n}`);
  }
  out.push(
    "",
    ` ${"OVERALL TOTAL".padEnd(W)} ${"".padStart(12)}  ${"".padEnd(12)} ${usd(report.monthlyTotal).padStart(14)}`,
  );
  out.push("─".repeat(W + 44));
  if (report.byCategory.length > 0) {
    out.push("By category:");
    for (const c of report.byCategory) {
      out.push(
        `  ${c.category.padEnd(30)} ${usd(c.monthly).padStart(12)}  (${c.resources} resource${c.resources === 1 ? "" : "s"})`,
      );
    }
  }
  out.push(...summaryLines(report));
  return out.join("\n") + "\n";
}

function summaryLines(report: CostReport): string[] {
  const s = report.summary;
  const total = s.estimated + s.free + s.unsupported;
  // Fewer than `platform plan` lists: the stack, providers, reads and components are not billed
  // (a remote component that stands for one cloud resource, awsx:ecr:Repository, is counted).
  const out = [`${total} cloud resources were detected (custom resources; the stack, providers, reads and components are not counted):`];
  out.push(`∙ ${s.estimated} were estimated`);
  if (s.usageUnknownLines > 0) {
    out.push(
      `∙ ${s.usageUnknownLines} usage-based line(s) have no usage value ("usage unknown", counted $0): set them in a usage file`,
    );
  }
  if (s.priceUnknownLines > 0) {
    out.push(
      `∙ ${s.priceUnknownLines} line(s) have no price for ${report.region} ("price unknown", counted $0): add them to cli/cost/prices.json`,
    );
  }
  out.push(`∙ ${s.free} were free`);
  if (s.unsupported > 0) {
    out.push(`∙ ${s.unsupported} were not priced:`);
    for (const k of report.skipped)
      out.push(`    ${nameOfUrn(k.urn)} (${k.type}): ${k.reason}`);
  }
  out.push(
    `Prices: cli/cost/prices.json, ${report.region}, as of ${report.prices.asOfOldest} to ${report.prices.asOfNewest}`,
  );
  if (report.prices.unverified.length > 0) {
    out.push(
      `  not yet verified against the AWS Price List: ${report.prices.unverified.join(", ")}`,
    );
  }
  out.push(`Usage: ${report.usageFiles.length > 0 ? report.usageFiles.join(" < ") : "(none)"}`);
  return out;
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, "\\|");
}

export function renderReportMarkdown(report: CostReport): string {
  const out: string[] = [];
  out.push(`#### Cost estimate: platform/${report.stack} (${report.region})`, "");
  out.push(
    `**${usd(report.monthlyTotal)} a month** (USD, 730 hours a month, on-demand list prices)`,
    "",
  );
  out.push(
    "| Resource | Component | Quantity | Unit price | Monthly |",
    "|---|---|---:|---:|---:|",
  );
  for (const r of report.resources) {
    r.lines.forEach((l, i) => {
      const who = i === 0 ? `\`${mdEscape(r.name)}\`<br>${mdEscape(r.type)}` : "";
      const q = lineCounts(l) ? `${qty(l.quantity)} ${l.unit}` : "";
      const p =
        l.priceKnown === false ? "price unknown" : `${unitUsd(l.unitPrice)} / ${singular(l.unit)}`;
      const m = lineCounts(l)
        ? usd(l.monthly)
        : l.priceKnown === false
          ? "price unknown"
          : "usage unknown";
      out.push(`| ${who} | ${mdEscape(l.description)} | ${q} | ${p} | ${m} |`);
    });
  }
  out.push(`| **Total** | | | | **${usd(report.monthlyTotal)}** |`, "");
  if (report.byCategory.length > 0) {
    out.push("| Category | Resources | Monthly |", "|---|---:|---:|");
    for (const c of report.byCategory)
      out.push(`| ${c.category} | ${c.resources} | ${usd(c.monthly)} |`);
    out.push("");
  }
  const notes = report.resources.flatMap((r) =>
    (r.notes ?? []).map((n) => `- \`${mdEscape(r.name)}\`: ${n}`),
  );
  if (notes.length > 0)
    out.push("<details><summary>Assumptions</summary>", "", ...notes, "", "</details>", "");
  const [head, ...rest] = summaryLines(report);
  out.push(
    head,
    "",
    ...rest.map((l) => `${l.startsWith(" ") ? "  " : ""}- ${l.replace(/^∙ /, "").trim()}`),
  );
  return out.join("\n") + "\n";
}

export function renderReportJson(report: CostReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}

export function renderReport(report: CostReport, format: CostFormat): string {
  return format === "json"
    ? renderReportJson(report)
    : format === "md"
      ? renderReportMarkdown(report)
      : renderReportText(report);
}

// ---------------------------------------------------------------------------------------------

function percent(diff: CostDiff): string {
  if (diff.percent === null || diff.headMonthlyTotal === 0) return "n/a";
  const p = Math.round(diff.percent);
  return `${p > 0 ? "+" : ""}${p}%`;
}

const MARK = { added: "+", removed: "-", changed: "~", unchanged: " " } as const;

/** Infracost's sentence: "Monthly cost will increase by $X". */
export function costChangeSentence(diff: CostDiff): string {
  if (diff.delta > 0) return `Monthly cost will increase by ${usd(diff.delta)}`;
  if (diff.delta < 0) return `Monthly cost will decrease by ${usd(-diff.delta)}`;
  return "Monthly cost will not change";
}

export function renderDiffText(diff: CostDiff): string {
  const out: string[] = [`Project: platform/${diff.stack} (${diff.region})`, ""];
  for (const r of diff.resources) {
    out.push(`${MARK[r.change]} ${r.name} (${r.type})`);
    out.push(
      `  ${signedUsd(r.delta)}${r.change === "changed" ? ` (${usd(r.baseMonthly)} -> ${usd(r.headMonthly)})` : ""}`,
      "",
    );
    for (const l of r.lines) {
      out.push(`    ${MARK[l.change]} ${l.description}`);
      out.push(
        l.known ? `      ${signedUsd(l.delta)}` : "      cost depends on usage (unknown)",
        "",
      );
    }
  }
  out.push(`Monthly cost change for platform/${diff.stack}`);
  out.push(
    `Amount:  ${signedUsd(diff.delta)} (${usd(diff.baseMonthlyTotal)} -> ${usd(diff.headMonthlyTotal)})`,
  );
  out.push(`Percent: ${percent(diff)}`, "", "Key: ~ changed, + added, - removed");
  return out.join("\n") + "\n";
}

export function renderDiffMarkdown(diff: CostDiff): string {
  const out: string[] = [];
  out.push(`💰 Cost estimate: **${costChangeSentence(diff)}**`, "");
  out.push("| Project | Cost change | New monthly cost |", "|---|---|---:|");
  const change =
    diff.delta === 0
      ? usd(0)
      : `${signedUsd(diff.delta)}${diff.percent === null ? "" : ` (${percent(diff)})`}`;
  out.push(`| platform/${diff.stack} | ${change} | ${usd(diff.headMonthlyTotal)} |`, "");
  out.push(
    "<details>",
    "<summary><strong>Cost details</strong></summary>",
    "",
    "```diff",
    renderDiffText(diff).trimEnd(),
    "```",
    "</details>",
  );
  return out.join("\n") + "\n";
}

export function renderDiff(diff: CostDiff, format: CostFormat): string {
  return format === "json"
    ? JSON.stringify(diff, null, 2) + "\n"
    : format === "md"
      ? renderDiffMarkdown(diff)
      : renderDiffText(diff);
}
