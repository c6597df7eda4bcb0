import { money } from "../cost/lines";
import type { CostDiff } from "../cost/types";
import type { Danger, DiffResult, PropertyChange, ResourceChange } from "../diff/engine";
import { formatValue } from "../diff/render";
import { parseUrn } from "../evaluate/urn";
import { buildDiagram } from "./diagram";
import { cell, code, percent, plural, signedUsd, table, text, usd } from "./markdown";
import { extractSettings, ParityRow, parityRows, StackSettings } from "./parity";
import {
  CheckSummary,
  isStepError,
  ReviewInputs,
  ReviewResult,
  ReviewViolation,
  StackReviewInput,
  TrimNote,
} from "./types";

/**
 * `buildReview(inputs)`: the pull-request comment of `platform review`, as one Markdown document.
 * Pure: every figure comes from `inputs`.
 *
 * Layout (stable section order, so reviewers and scripts can rely on it):
 *   1. marker + title, verdict, the cost sentence, the summary table (one row per stack + total)
 *   2. one collapsible section per stack: dangerous changes, policy violations, changes, cost
 *   3. environment parity: settings that differ between stacks, changed ones marked
 *   4. the architecture diagram (Mermaid) of the head revision
 *
 * Size: GitHub rejects comments over 65,536 characters. The document is kept under `limit`
 * (60,000 by default, room for the workflow's own wrapper) by moving the largest stack section to
 * the next level that makes it shorter (see TRIM_LEVELS), repeatedly, then dropping the parity
 * appendix and the diagram; each cut is listed at the top and inside the section it shortened.
 * Dangerous changes, mandatory violations and the summary table are never cut.
 */

/** GitHub's comment limit is 65,536; keep a margin for the sticky-comment action's header. */
export const REVIEW_CHAR_LIMIT = 60_000;
/** Hidden first line: the workflow finds the comment to update by it. */
export const REVIEW_MARKER = "<!-- platform-review -->";

/**
 * How much of a stack section is shown. Each level keeps everything the next one keeps.
 *
 * | level | changes                                                   | advisory violations | cost rows |
 * |-------|-----------------------------------------------------------|---------------------|-----------|
 * | 0     | every change with old => new property values             | each                | 10        |
 * | 1     | values only for replaces; updates list changed properties | each                | 10        |
 * | 2     | creates counted by type; others one line, no properties   | counted by policy   | 5         |
 * | 3     | every operation counted by type                           | counted by policy   | 0         |
 * | 4     | left out (counts in the summary table)                    | left out            | 0         |
 */
export const TRIM_LEVELS = [
  "",
  "property values of in-place updates (the changed property names are kept)",
  "property changes (each resource keeps its line), the individual creates (counted by type), advisory violations by resource (counted by policy), cost rows beyond 5",
  "the individual changes (counted by operation and type), advisory violations by resource (counted by policy), the cost table",
  "the change list and the advisory violations (counts are in the summary table), the cost table",
] as const;
const MAX_LEVEL = TRIM_LEVELS.length - 1;
const MANDATORY_CAP_AT_MAX_LEVEL = 25;
const FAILURE_TEXT_MAX = 2_000;

const LEAD: Record<ResourceChange["op"], string> = {
  create: "+",
  delete: "-",
  replace: "!",
  update: "~",
};
const LEVEL_ICON = { mandatory: "❌", advisory: "⚠️" } as const;

// ---- facts per stack --------------------------------------------------------------------------

interface StackFacts {
  readonly input: StackReviewInput;
  readonly diff?: DiffResult;
  readonly check?: CheckSummary;
  readonly baseCheck?: CheckSummary;
  readonly policyError?: string;
  readonly cost?: CostDiff;
  readonly costError?: string;
  /** Dangers grouped per resource (a protected database that is replaced is one entry). */
  readonly dangers: readonly DangerGroup[];
  readonly newViolations: ReadonlySet<ReviewViolation>;
}

interface DangerGroup {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly op: Danger["op"];
  readonly reasons: readonly string[];
}

function violationKey(v: ReviewViolation): string {
  return `${v.policy}\u0000${v.urn ?? ""}\u0000${v.message}`;
}

function factsOf(s: StackReviewInput): StackFacts {
  const policy = s.policy;
  const check = policy && !isStepError(policy) ? policy.head : undefined;
  const baseCheck = policy && !isStepError(policy) ? policy.base : undefined;
  const baseKeys = new Set((baseCheck?.violations ?? []).map(violationKey));
  const newViolations = new Set(
    baseCheck ? (check?.violations ?? []).filter((v) => !baseKeys.has(violationKey(v))) : [],
  );
  const groups = new Map<
    string,
    { urn: string; type: string; name: string; op: Danger["op"]; reasons: string[] }
  >();
  // Creating a protected resource endangers nothing; the diff lists it because it lists every
  // change to a protected resource.
  for (const d of (s.diff?.dangers ?? []).filter((x) => x.op !== "create")) {
    const g = groups.get(d.urn) ?? {
      urn: d.urn,
      type: d.type,
      name: d.name,
      op: d.op,
      reasons: [],
    };
    if (!g.reasons.includes(d.reason)) g.reasons.push(d.reason);
    groups.set(d.urn, g);
  }
  return {
    input: s,
    ...(s.diff ? { diff: s.diff } : {}),
    ...(check ? { check } : {}),
    ...(baseCheck ? { baseCheck } : {}),
    ...(policy && isStepError(policy) ? { policyError: policy.error } : {}),
    ...(s.cost && !isStepError(s.cost) ? { cost: s.cost } : {}),
    ...(s.cost && isStepError(s.cost) ? { costError: s.cost.error } : {}),
    dangers: [...groups.values()],
    newViolations,
  };
}

function failed(f: StackFacts): boolean {
  return (
    f.input.failure !== undefined ||
    f.policyError !== undefined ||
    f.costError !== undefined ||
    !f.diff
  );
}

// ---- header and summary -----------------------------------------------------------------------

function costCells(f: StackFacts): [string, string] {
  if (f.costError) return ["error", "error"];
  if (!f.cost) return ["n/a", "n/a"];
  const p = percent(f.cost.baseMonthlyTotal, f.cost.headMonthlyTotal);
  return [
    `${usd(f.cost.baseMonthlyTotal)} → ${usd(f.cost.headMonthlyTotal)}`,
    `${signedUsd(f.cost.delta)}${p ? ` (${p})` : ""}`,
  ];
}

function summaryTable(facts: readonly StackFacts[]): string[] {
  const rows = facts.map((f) => {
    const s = f.diff?.summary;
    const n = (x: number | undefined) => (x === undefined ? "–" : String(x));
    const mandatory = f.policyError
      ? "error"
      : f.check
        ? `${f.check.mandatory > 0 ? "❌ " : ""}${f.check.mandatory}`
        : "–";
    const advisory = f.policyError ? "error" : f.check ? String(f.check.advisory) : "–";
    const dangerous = f.dangers.length > 0 ? `⚠️ ${f.dangers.length}` : f.diff ? "0" : "–";
    const name = f.input.failure ? `${f.input.stack} ❌ plan failed` : f.input.stack;
    return [
      cell(name),
      n(s?.create),
      n(s?.update),
      n(s?.replace),
      n(s?.delete),
      dangerous,
      mandatory,
      advisory,
      ...costCells(f),
    ];
  });
  const sum = (pick: (f: StackFacts) => number | undefined) =>
    facts.reduce((a, f) => a + (pick(f) ?? 0), 0);
  const priced = facts.filter((f) => f.cost);
  const base = priced.reduce((a, f) => a + f.cost!.baseMonthlyTotal, 0);
  const head = priced.reduce((a, f) => a + f.cost!.headMonthlyTotal, 0);
  const p = percent(base, head);
  rows.push([
    "**Total**",
    String(sum((f) => f.diff?.summary.create)),
    String(sum((f) => f.diff?.summary.update)),
    String(sum((f) => f.diff?.summary.replace)),
    String(sum((f) => f.diff?.summary.delete)),
    String(sum((f) => f.dangers.length)),
    String(sum((f) => f.check?.mandatory)),
    String(sum((f) => f.check?.advisory)),
    `${usd(base)} → ${usd(head)}`,
    `${signedUsd(money(head - base))}${p ? ` (${p})` : ""}`,
  ]);
  return table(
    [
      "Stack",
      "Create",
      "Update",
      "Replace",
      "Delete",
      "Dangerous",
      "Mandatory",
      "Advisory",
      "Monthly cost (base → head)",
      "Δ / month",
    ],
    ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r"],
    rows,
  );
}

function verdict(facts: readonly StackFacts[]): string {
  const broken = facts.filter(failed).map((f) => f.input.stack);
  const blocking = facts.filter((f) => (f.check?.mandatory ?? 0) > 0);
  const parts: string[] = [];
  if (broken.length > 0)
    parts.push(
      `❌ **Could not review ${broken.map(code).join(", ")}**: see the section${broken.length > 1 ? "s" : ""} below.`,
    );
  if (blocking.length > 0) {
    const total = blocking.reduce((a, f) => a + f.check!.mandatory, 0);
    parts.push(
      `❌ **${plural(total, "mandatory policy violation")}** in ${blocking.map((f) => code(f.input.stack)).join(", ")}: this check fails until ${total === 1 ? "it is" : "they are"} fixed.`,
    );
  }
  if (parts.length === 0) parts.push("✅ No mandatory policy violations.");
  const dangers = facts.reduce((a, f) => a + f.dangers.length, 0);
  if (dangers > 0) {
    const where = facts
      .filter((f) => f.dangers.length > 0)
      .map((f) => code(f.input.stack))
      .join(", ");
    parts.push(
      `⚠️ **${plural(dangers, "dangerous change")}** (replace or delete of stateful or protected resources) in ${where}.`,
    );
  }
  return parts.join("<br>\n");
}

function costSentence(facts: readonly StackFacts[]): string {
  const priced = facts.filter((f) => f.cost);
  if (priced.length === 0) return "Monthly cost: not estimated.";
  const base = priced.reduce((a, f) => a + f.cost!.baseMonthlyTotal, 0);
  const head = priced.reduce((a, f) => a + f.cost!.headMonthlyTotal, 0);
  const delta = money(head - base);
  const p = percent(base, head);
  const what =
    delta > 0
      ? `increase by ${usd(delta)}${p ? ` (${p})` : ""} 📈`
      : delta < 0
        ? `decrease by ${usd(-delta)}${p ? ` (${p})` : ""} 📉`
        : "not change";
  const missing = facts.length - priced.length;
  return `💰 **Monthly cost will ${what}**: ${usd(base)} → ${usd(head)} for ${plural(priced.length, "stack")}${missing > 0 ? ` (${missing} not estimated)` : ""}.`;
}

// ---- one stack --------------------------------------------------------------------------------

function nameOfUrn(urn: string | null | undefined): string {
  if (!urn) return "(stack)";
  try {
    return parseUrn(urn).name;
  } catch {
    return urn;
  }
}

function propertyLine(p: PropertyChange, withValue: boolean): string {
  const marker = p.kind.startsWith("add") ? "+" : p.kind.startsWith("delete") ? "-" : "~";
  const forces = p.kind.endsWith("-replace") ? "  [forces replacement]" : "";
  if (!withValue) return `${marker} ${p.path}${forces}`;
  const value = p.kind.startsWith("add")
    ? formatValue(p.new, p.computedFrom)
    : p.kind.startsWith("delete")
      ? formatValue(p.old)
      : `${formatValue(p.old)} => ${formatValue(p.new, p.computedFrom)}`;
  return `${marker} ${p.path}: ${value}${forces}`;
}

function changeLine(c: ResourceChange): string {
  const flags: string[] = [];
  if (c.op === "replace" && c.replaceReasons.length > 0)
    flags.push(`replace: ${c.replaceReasons.join(", ")}`);
  if (c.providerReplaced) flags.push("provider replaced");
  if (c.deleteBeforeReplace) flags.push("delete before replace");
  else if (c.replaceOrder === "create-before-replace") flags.push("create before replace");
  if (c.engineOp) flags.push(`engine op: ${c.engineOp}`);
  if (c.mayReplace) flags.push("may replace");
  if (c.protect) flags.push("protected");
  if (c.renamedFrom) flags.push(`renamed from ${nameOfUrn(c.renamedFrom)}? add aliases`);
  if (c.renamedTo) flags.push(`renamed to ${nameOfUrn(c.renamedTo)}?`);
  return `${LEAD[c.op]} ${c.type}  ${c.name}${flags.length > 0 ? `  (${flags.join("; ")})` : ""}`;
}

function groupedLines(changes: readonly ResourceChange[]): string[] {
  const counts = new Map<string, { op: ResourceChange["op"]; type: string; n: number }>();
  for (const c of changes) {
    const k = `${c.op} ${c.type}`;
    const e = counts.get(k) ?? { op: c.op, type: c.type, n: 0 };
    e.n++;
    counts.set(k, e);
  }
  return [...counts.values()].map((e) => `${LEAD[e.op]} ${e.n} × ${e.type}  (${e.op})`);
}

function changeBlock(d: DiffResult, level: number, dangerous: ReadonlySet<string>): string[] {
  if (d.changes.length === 0) return ["No resource changes."];
  if (level >= 4)
    return [
      `The change list (${plural(d.changes.length, "change")}) was left out to fit the comment.`,
    ];
  const lines: string[] = [];
  if (level === 3) lines.push(...groupedLines(d.changes));
  else {
    const creates = d.changes.filter((c) => c.op === "create");
    for (const c of d.changes) {
      if (level === 2 && c.op === "create") continue;
      lines.push(changeLine(c));
      if (level >= 2) continue;
      const full = level === 0 || c.op === "replace" || dangerous.has(c.urn);
      for (const p of c.properties) lines.push(`      ${propertyLine(p, full)}`);
    }
    if (level === 2) lines.push(...groupedLines(creates));
  }
  // ```diff colours each line by its first character (+ green, - red, ! orange), as Atlantis does.
  return [`**Changes** (${plural(d.changes.length, "resource")})`, "", "```diff", ...lines, "```"];
}

function policyBlock(f: StackFacts, level: number): string[] {
  if (f.policyError) return [`❌ **Policy check failed to run**: ${text(f.policyError)}`];
  const c = f.check;
  if (!c) return [];
  const pack = code(`${c.policyPack.name}@${c.policyPack.version}`);
  if (c.violations.length === 0) return [`✅ No policy violations (${pack}).`];
  const newCount = (lvl: ReviewViolation["level"]) =>
    c.violations.filter((v) => v.level === lvl && f.newViolations.has(v)).length;
  const counts = (["mandatory", "advisory"] as const)
    .map((lvl) => {
      const n = lvl === "mandatory" ? c.mandatory : c.advisory;
      const fresh = f.baseCheck ? newCount(lvl) : 0;
      return `${n} ${lvl}${fresh > 0 ? ` (${fresh} new)` : ""}`;
    })
    .join(", ");
  const out = [`**Policy violations** (${pack}): ${counts}`, ""];
  const row = (v: ReviewViolation) => [
    `${LEVEL_ICON[v.level]} ${v.level}`,
    code(v.policy),
    `${code(nameOfUrn(v.urn))}${f.newViolations.has(v) ? " 🆕" : ""}`,
    cell(v.message),
  ];
  let mandatory = c.violations.filter((v) => v.level === "mandatory");
  const advisory = c.violations.filter((v) => v.level === "advisory");
  const rows: string[][] = [];
  let capped = 0;
  if (level >= MAX_LEVEL && mandatory.length > MANDATORY_CAP_AT_MAX_LEVEL) {
    capped = mandatory.length - MANDATORY_CAP_AT_MAX_LEVEL;
    mandatory = mandatory.slice(0, MANDATORY_CAP_AT_MAX_LEVEL);
  }
  rows.push(...mandatory.map(row));
  if (level < 2) rows.push(...advisory.map(row));
  else if (level < 4) {
    const byPolicy = new Map<string, ReviewViolation[]>();
    for (const v of advisory) byPolicy.set(v.policy, [...(byPolicy.get(v.policy) ?? []), v]);
    for (const [policy, vs] of byPolicy) {
      rows.push([
        `${LEVEL_ICON.advisory} advisory`,
        code(policy),
        plural(vs.length, "resource"),
        cell(vs[0].message),
      ]);
    }
  }
  if (rows.length > 0)
    out.push(...table(["Level", "Policy", "Resource", "Message"], ["l", "l", "l", "l"], rows));
  if (capped > 0)
    out.push(
      "",
      `…and ${capped} more mandatory violations (run \`platform check ${f.input.stack}\`).`,
    );
  return out;
}

function costBlock(f: StackFacts, level: number): string[] {
  if (f.costError) return [`❌ **Cost estimate failed**: ${text(f.costError)}`];
  const c = f.cost;
  if (!c) return [];
  const p = percent(c.baseMonthlyTotal, c.headMonthlyTotal);
  if (c.delta === 0 && c.resources.length === 0)
    return [`**Cost**: ${usd(c.headMonthlyTotal)} a month, unchanged.`];
  const out = [
    `**Cost**: ${usd(c.baseMonthlyTotal)} → ${usd(c.headMonthlyTotal)} a month (${signedUsd(c.delta)}${p ? `, ${p}` : ""})`,
  ];
  const rowsShown = level <= 1 ? 10 : level === 2 ? 5 : 0;
  const top = [...c.resources]
    .filter((r) => r.delta !== 0)
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || a.urn.localeCompare(b.urn));
  if (rowsShown > 0 && top.length > 0) {
    const mark = { added: "+", removed: "-", changed: "~", unchanged: " " } as const;
    out.push(
      "",
      ...table(
        ["", "Resource", "Type", "Base", "Head", "Δ / month"],
        ["l", "l", "l", "r", "r", "r"],
        top
          .slice(0, rowsShown)
          .map((r) => [
            mark[r.change],
            code(r.name),
            code(r.type),
            usd(r.baseMonthly),
            usd(r.headMonthly),
            signedUsd(r.delta),
          ]),
      ),
    );
    if (top.length > rowsShown)
      out.push("", `…and ${plural(top.length - rowsShown, "more resource")} with a cost change.`);
  }
  return out;
}

function stackSummaryLine(f: StackFacts): string {
  const bits: string[] = [];
  if (f.input.failure) bits.push("❌ failed to plan");
  const s = f.diff?.summary;
  if (s) {
    const ops = [
      s.create ? `${s.create} to create` : "",
      s.update ? `${s.update} to update` : "",
      s.replace ? `${s.replace} to replace` : "",
      s.delete ? `${s.delete} to delete` : "",
    ].filter((x) => x !== "");
    bits.push(ops.length > 0 ? ops.join(", ") : "no changes");
  }
  if (f.dangers.length > 0) bits.push(`⚠️ ${plural(f.dangers.length, "dangerous change")}`);
  if (f.policyError) bits.push("❌ policy check failed");
  else if (f.check && f.check.mandatory > 0) bits.push(`❌ ${f.check.mandatory} mandatory`);
  if (f.check && f.check.advisory > 0) bits.push(`${f.check.advisory} advisory`);
  if (f.cost && f.cost.delta !== 0) bits.push(`${signedUsd(f.cost.delta)}/month`);
  return bits.join(" · ");
}

function stackSection(
  f: StackFacts,
  level: number,
  hint: string,
  commonNotes: ReadonlySet<string>,
): string {
  const open = failed(f) || f.dangers.length > 0 || (f.check?.mandatory ?? 0) > 0;
  const out: string[] = [
    `<details${open ? " open" : ""}><summary><b>${text(f.input.stack)}</b> · ${text(stackSummaryLine(f))}</summary>`,
    "",
  ];
  if (f.input.source !== undefined) out.push(`Source: ${text(f.input.source)}`, "");
  if (f.input.failure !== undefined) {
    const msg =
      f.input.failure.length > FAILURE_TEXT_MAX
        ? `${f.input.failure.slice(0, FAILURE_TEXT_MAX)}…`
        : f.input.failure;
    out.push(
      "❌ **The head revision failed to plan:**",
      "",
      "```",
      msg.replace(/```/g, "'''"),
      "```",
      "",
      "</details>",
      "",
    );
    return out.join("\n");
  }
  if (level > 0)
    out.push(
      `> ✂️ Shortened to fit the comment: left out ${TRIM_LEVELS[level]}. Full detail: ${hint}.`,
      "",
    );
  if (f.dangers.length > 0) {
    out.push(`**⚠️ Dangerous changes** (${f.dangers.length})`, "");
    for (const d of f.dangers)
      out.push(`- **${d.op}** ${code(d.type)} ${code(d.name)}: ${text(d.reasons.join("; "))}`);
    out.push("");
  }
  const policy = policyBlock(f, level);
  if (policy.length > 0) out.push(...policy, "");
  if (f.diff) {
    out.push(...changeBlock(f.diff, level, new Set(f.dangers.map((d) => d.urn))), "");
    if (f.diff.outputs.length > 0)
      out.push(`Stack outputs changed: ${f.diff.outputs.map((o) => code(o.key)).join(", ")}`, "");
  }
  const cost = costBlock(f, level);
  if (cost.length > 0) out.push(...cost, "");
  for (const n of [...(f.input.notes ?? []), ...(f.diff?.notes ?? [])])
    if (!commonNotes.has(n)) out.push(`<sub>${text(n)}</sub>`, "");
  out.push("</details>", "");
  return out.join("\n");
}

/**
 * One stack's section at a trim level (see TRIM_LEVELS), as `buildReview` renders it. `hint` names
 * the commands that show the full detail; `commonNotes` are left to the document's footer.
 */
export function renderStackSection(
  s: StackReviewInput,
  level: number,
  hint = "`platform diff`",
  commonNotes: ReadonlySet<string> = new Set(),
): string {
  return stackSection(factsOf(s), Math.max(0, Math.min(MAX_LEVEL, level)), hint, commonNotes);
}

// ---- parity and diagram -----------------------------------------------------------------------

function parityCell(row: ParityRow, stack: string): string {
  const c = row.cells[stack];
  if (!c) return "–";
  if (c.base === undefined) return c.head === undefined ? "–" : cell(c.head);
  return `${c.weakened ? "⚠️ " : ""}${cell(c.base)} → **${c.head === undefined ? "–" : cell(c.head)}**`;
}

function paritySection(
  rows: readonly ParityRow[],
  stacks: readonly string[],
  withSame: boolean,
): string[] {
  const shown = rows.filter((r) => r.differs || r.changed);
  const same = rows.filter((r) => !r.differs && !r.changed);
  const out = ["### Environment parity", ""];
  if (rows.length === 0) return [...out, "No stack could be read.", ""];
  out.push(
    "Effective settings read from each stack's head plan. Shown: settings that differ between stacks, or that this change alters (`base → **head**`; ⚠️ = made less safe). – = the stack does not have it.",
    "",
  );
  if (shown.length === 0) out.push("Every setting is the same in every stack.");
  else {
    out.push(
      ...table(
        ["Setting", "Resource", ...stacks.map(cell)],
        ["l", "l", ...stacks.map(() => "l" as const)],
        shown.map((r) => [
          `${r.group}: ${cell(r.label)}`,
          r.resource ? code(r.resource) : " ",
          ...stacks.map((s) => parityCell(r, s)),
        ]),
      ),
    );
  }
  if (same.length > 0) {
    out.push("");
    if (withSame) {
      out.push(
        `<details><summary>${plural(same.length, "setting")} the same in every stack that has ${same.length === 1 ? "it" : "them"}</summary>`,
        "",
        ...same.map(
          (r) =>
            `- ${r.group}: ${text(r.label)}${r.resource ? ` ${code(r.resource)}` : ""}: ${text(Object.values(r.cells)[0]?.head ?? "")}`,
        ),
        "",
        "</details>",
      );
    } else
      out.push(
        `${plural(same.length, "setting")} are the same in every stack (list left out to fit the comment).`,
      );
  }
  out.push("");
  return out;
}

function diagramSection(inputs: ReviewInputs, include: boolean): string[] {
  const heads = inputs.stacks
    .filter((s) => s.head && s.failure === undefined)
    .map((s) => ({ stack: s.stack, head: s.head! }));
  const out = ["### Architecture (head)", ""];
  if (heads.length === 0) return [...out, "No stack planned, nothing to draw.", ""];
  if (!include)
    return [
      ...out,
      "The diagram was left out to fit the comment; `platform review --out FILE` writes it in full.",
      "",
    ];
  return [...out, "```mermaid", buildDiagram(heads).trimEnd(), "```", ""];
}

// ---- assembly and trimming --------------------------------------------------------------------

/** What the trimming loop adjusts; mutable on purpose. */
interface Layout {
  levels: number[];
  paritySame: boolean;
  diagram: boolean;
}

function detailHint(stack: string, inputs: ReviewInputs): string {
  const base = inputs.baseRef ? ` --base ${inputs.baseRef}` : "";
  return `\`platform diff ${stack}${base}\`, \`platform check ${stack}\`, \`platform cost ${stack}\``;
}

/** Diff notes every reviewed stack carries (the same caveat four times is noise): said once, at the end. */
function commonNotesOf(facts: readonly StackFacts[]): Set<string> {
  const withDiff = facts.filter((f) => f.diff);
  if (withDiff.length < 2) return new Set();
  return new Set(
    withDiff[0].diff!.notes.filter((n) => withDiff.every((f) => f.diff!.notes.includes(n))),
  );
}

function render(
  inputs: ReviewInputs,
  facts: readonly StackFacts[],
  rows: readonly ParityRow[],
  layout: Layout,
  notes: readonly TrimNote[],
): string {
  const common = commonNotesOf(facts);
  const out: string[] = [REVIEW_MARKER, "## Infrastructure review", ""];
  out.push(
    `${code(inputs.baseLabel)} → ${code(inputs.headLabel)} · ${plural(facts.length, "stack")}: ${facts.map((f) => f.input.stack).join(", ")}`,
    "",
  );
  out.push(verdict(facts), "", costSentence(facts), "");
  out.push(...summaryTable(facts), "");
  if (notes.length > 0) {
    out.push(
      `✂️ Trimmed to stay under ${inputs.limit ?? REVIEW_CHAR_LIMIT} characters (GitHub's comment limit is 65,536): ${notes
        .map((n) => (n.stack ? `${code(n.stack)}: ${n.what}` : n.what))
        .join("; ")}.`,
      "",
    );
  }
  out.push("### Stacks", "");
  facts.forEach((f, i) =>
    out.push(stackSection(f, layout.levels[i], detailHint(f.input.stack, inputs), common)),
  );
  out.push(
    ...paritySection(
      rows,
      facts.map((f) => f.input.stack),
      layout.paritySame,
    ),
  );
  out.push(...diagramSection(inputs, layout.diagram));
  for (const n of common) out.push(`<sub>${text(n)}</sub>`, "");
  const offline = inputs.stacks.every((s) => s.source === undefined || s.source === "offline plan");
  out.push(
    offline
      ? "<sub>Generated by <code>platform review</code> from offline plans (Pulumi mock runtime; inputs only, so provider-side defaults are not seen). Updated on every push.</sub>"
      : "<sub>Generated by <code>platform review</code>; each stack names its source: <code>pulumi preview</code> (the engine's diff against the deployed state) or an offline plan (Pulumi mock runtime; inputs only). Updated on every push.</sub>",
    "",
  );
  return out.join("\n");
}

function notesOf(facts: readonly StackFacts[], layout: Layout): TrimNote[] {
  const notes: TrimNote[] = facts
    .map((f, i) => ({ stack: f.input.stack, level: layout.levels[i] }))
    .filter((x) => x.level > 0)
    .map((x) => ({ stack: x.stack, what: `left out ${TRIM_LEVELS[x.level]}` }));
  if (!layout.paritySame) notes.push({ what: "the list of settings that are the same everywhere" });
  if (!layout.diagram) notes.push({ what: "the architecture diagram" });
  return notes;
}

export function buildReview(inputs: ReviewInputs): ReviewResult {
  const limit = inputs.limit ?? REVIEW_CHAR_LIMIT;
  const facts = inputs.stacks.map(factsOf);
  const settings: StackSettings[] = inputs.stacks
    .filter((s) => s.head && s.failure === undefined)
    .map((s) => ({
      stack: s.stack,
      head: extractSettings(s.head!, s.stack),
      ...(s.base ? { base: extractSettings(s.base, s.stack) } : {}),
    }));
  const rows = parityRows(settings);
  const layout: Layout = { levels: facts.map(() => 0), paritySame: true, diagram: true };
  const draw = () => {
    const notes = notesOf(facts, layout);
    return { markdown: render(inputs, facts, rows, layout, notes), notes };
  };
  let doc = draw();
  const common = commonNotesOf(facts);
  const sizeAt = (i: number, level: number) =>
    stackSection(facts[i], level, detailHint(facts[i].input.stack, inputs), common).length;
  while (doc.markdown.length > limit) {
    // The largest stack section that can still shrink goes to the next level that makes it
    // shorter (a level that cuts nothing from this section would only add its notice).
    let pick: { i: number; size: number; level: number } | undefined;
    facts.forEach((f, i) => {
      if (f.input.failure !== undefined) return;
      const size = sizeAt(i, layout.levels[i]);
      let level = layout.levels[i] + 1;
      while (level <= MAX_LEVEL && sizeAt(i, level) >= size) level++;
      if (level <= MAX_LEVEL && (!pick || size > pick.size)) pick = { i, size, level };
    });
    if (pick) layout.levels[pick.i] = pick.level;
    else if (layout.paritySame) layout.paritySame = false;
    else if (layout.diagram) layout.diagram = false;
    else break;
    doc = draw();
  }
  let markdown = doc.markdown;
  const trimmed = [...doc.notes];
  if (markdown.length > limit) {
    // Only reachable with absurd inputs (thousands of dangerous changes): cut hard, visibly.
    const tail =
      "\n\n… (cut: the report exceeded the comment limit even with every section shortened)\n";
    markdown = markdown.slice(0, limit - tail.length) + tail;
    trimmed.push({ what: "the end of the document (hard cut)" });
  }
  const exitCode: ReviewResult["exitCode"] = facts.some(failed)
    ? 2
    : facts.some((f) => (f.check?.mandatory ?? 0) > 0)
      ? 1
      : 0;
  return { markdown, trimmed, exitCode };
}
