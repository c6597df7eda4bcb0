import type { AccountResult, PreflightReport, QuotaResult } from "./check";
import { QuotaTable, UNSPECIFIED_ACCOUNT } from "./quota-table";

/** Text and JSON renderings of a preflight report. Pure. */

export type PreflightFormat = "text" | "json";

function fmt(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString("en-US") : String(Math.round(n * 100) / 100);
}

function byStack(q: QuotaResult): string {
  return Object.entries(q.byStack)
    .map(([s, n]) => `${s} ${fmt(n)}`)
    .join(", ");
}

/** Where the limit came from, for messages. */
function limitSource(q: QuotaResult): string {
  return q.raised ? "raised in environments/quotas.yml" : "AWS default";
}

/**
 * One over-quota finding: the quota, its code, where, the count and who contributes it, and how to
 * raise it (the Service Quotas CLI call, then the quotas.yml line to record it).
 */
export function overMessage(a: AccountResult, q: QuotaResult): string {
  const code = q.code ?? "no Service Quotas code";
  const where = `account ${a.account}, ${a.region}`;
  const subject = q.subject ? ` on ${q.subject}` : "";
  const lines = [
    `${q.name} (${code}) in ${where}${subject}: ${fmt(q.used)} ${q.unit} planned, limit ${fmt(q.limit)} (${limitSource(q)}). Stacks: ${byStack(q)}.`,
  ];
  if (q.raiseCommand) {
    const yamlKey = a.account === UNSPECIFIED_ACCOUNT ? `accounts."<account id>".${a.region}.${q.code}` : `accounts."${a.account}".${a.region}.${q.code}`;
    lines.push(`  Raise it: ${q.raiseCommand}`);
    lines.push(`  then record the applied value in environments/quotas.yml as ${yamlKey}: <value>.`);
  }
  lines.push(`  ${q.raise}`);
  return lines.join("\n");
}

export function renderText(report: PreflightReport, stacks: readonly string[]): string {
  const out: string[] = [];
  for (const a of report.accounts) {
    const visitors = a.alsoWrittenBy.length > 0 ? ` (and ${a.alsoWrittenBy.join(", ")} through a second provider: the peer side of a peering, or the edge's us-east-1 provider)` : "";
    out.push(`Account ${a.account}, ${a.region}: ${a.stacks.join(", ") || "no stack of its own"}${visitors}`);
    const rows = a.quotas.map((q) => [
      q.ok ? "  " : "✗ ",
      q.name,
      q.code ?? "—",
      `${fmt(q.used)} / ${fmt(q.limit)}${q.raised ? "*" : ""}`,
      q.subject ? `${q.subject}: ${byStack(q)}` : byStack(q),
    ]);
    const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), ["", "Quota", "Code", "Used / limit"][i].length));
    const line = (r: string[]) => `  ${r[0].padEnd(widths[0])}${r[1].padEnd(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3].padStart(widths[3])}  ${r[4]}`.trimEnd();
    out.push(line(["", "Quota", "Code", "Used / limit", "Worst subject / by stack"]));
    for (const r of rows) out.push(line(r));
    out.push("");
  }
  if (report.accounts.some((a) => a.quotas.some((q) => q.raised))) out.push("* limit raised in environments/quotas.yml", "");
  const over = report.accounts.flatMap((a) => a.quotas.filter((q) => !q.ok).map((q) => overMessage(a, q)));
  if (over.length > 0) {
    out.push(`OVER QUOTA (${over.length}):`);
    for (const o of over) out.push(`✗ ${o}`);
    out.push("");
  }
  for (const w of report.warnings) out.push(`warning: ${w}`);
  if (report.notes.length > 0) {
    out.push("Counted at maximum scale:");
    for (const n of report.notes) out.push(`  ${n}`);
  }
  const groups = report.accounts.length;
  out.push(
    `${report.ok ? "OK" : "FAILED"}: ${stacks.length} stack(s) in ${groups} account/Region group(s); ${over.length} quota(s) over.` +
      " Limits are AWS defaults unless environments/quotas.yml raises them; new accounts can start lower (check applied values with `aws service-quotas get-service-quota`).",
  );
  return out.join("\n") + "\n";
}

/** `{ accounts: [ { account, region, stacks, quotas: [ { name, code, used, limit, ok, … } ] } ], … }` */
export function renderJson(report: PreflightReport, stacks: readonly string[]): string {
  return (
    JSON.stringify(
      {
        ok: report.ok,
        stacks,
        accounts: report.accounts.map((a) => ({
          account: a.account,
          region: a.region,
          stacks: a.stacks,
          alsoWrittenBy: a.alsoWrittenBy,
          quotas: a.quotas.map((q) => ({
            name: q.name,
            code: q.code,
            used: q.used,
            limit: q.limit,
            ok: q.ok,
            id: q.id,
            scope: q.scope,
            unit: q.unit,
            raised: q.raised,
            ...(q.subject ? { subject: q.subject } : {}),
            byStack: q.byStack,
            ...(q.ok ? {} : { message: overMessage(a, q) }),
          })),
        })),
        warnings: report.warnings,
        notes: report.notes,
      },
      null,
      2,
    ) + "\n"
  );
}

export function renderReport(report: PreflightReport, stacks: readonly string[], format: PreflightFormat): string {
  return format === "json" ? renderJson(report, stacks) : renderText(report, stacks);
}

/**
 * The Markdown table of docs/preflight.md, generated from the quota table so the documentation
 * cannot drift from the data (a test compares them).
 */
export function renderQuotaTableMarkdown(table: QuotaTable): string {
  const rows = [
    "| Quota | Code | Service | Default | Scope | Adjustable | Source | Status |",
    "|---|---|---|---|---|---|---|---|",
    ...table.quotas.map(
      (q) =>
        `| ${q.name} | ${q.code ?? "—"} | ${q.service} | ${fmt(q.default)} ${q.unit} | ${q.scope} | ${q.adjustable ? "yes" : "no"} | ${q.source} | ${q.status} |`,
    ),
    "",
    "Sources:",
    "",
    ...Object.entries(table.sources).map(([k, v]) => `- **${k}**: ${v}`),
  ];
  return rows.join("\n") + "\n";
}
