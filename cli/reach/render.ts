import type { FlowResult, Hop } from "./evaluate";
import type { EndRef, IntentResult } from "./intents";

/**
 * Output of `platform reach`. The JSON shape is a contract (docs/reach.md): fields are only ever
 * added, never renamed or removed.
 */

export interface ReachReport {
  readonly stack: string;
  readonly intents: readonly IntentResult[];
  readonly summary: { readonly intents: number; readonly broken: number; readonly unknown: number };
  /** Stacks whose plans the model holds (the stack, and `shared` when its plan was available). */
  readonly documents: readonly string[];
}

export function report(stack: string, intents: readonly IntentResult[], documents: readonly string[]): ReachReport {
  return {
    stack,
    intents,
    summary: { intents: intents.length, broken: intents.filter((i) => !i.holds).length, unknown: intents.filter((i) => i.result === "unknown").length },
    documents,
  };
}

export function toJson(r: ReachReport): string {
  return JSON.stringify(r, null, 2) + "\n";
}

function end(e: EndRef): string {
  return e.az ? `${e.label} (${e.az})` : e.label;
}

function hopLine(h: Hop, i: number): string {
  const mark = h.verdict === "allow" ? "allow" : h.verdict === "deny" ? "DENY " : "?    ";
  return `      ${String(i + 1).padStart(2)}. ${mark} ${h.component}: ${h.detail}`;
}

/** The hop-by-hop explanation of one flow (Reachability Analyzer style). */
export function explain(path: readonly Hop[], blockedBy?: FlowResult["blockedBy"]): string[] {
  const lines = path.map(hopLine);
  if (blockedBy) lines.push(`      blocked by: ${blockedBy.urn || "(nothing in the plan)"}`);
  return lines;
}

/** Intents grouped by id without the AZ suffix: "allow:alb>service/hello:8080". */
function groupOf(id: string): string {
  return id.replace(/:[^:]*>[^:]*$/, "");
}

export function toText(r: ReachReport): string {
  const out: string[] = [];
  const broken = r.intents.filter((i) => !i.holds);
  out.push(
    `platform reach ${r.stack}: ${r.summary.intents} intents, ${r.summary.broken} broken` +
      (r.summary.unknown > 0 ? ` (${r.summary.unknown} unknown until apply)` : "") +
      ` — plans: ${r.documents.join(", ")}`,
  );
  if (broken.length > 0) {
    out.push("", "Broken intents:");
    for (const i of broken) {
      out.push(`  ✗ ${i.expect === "allow" ? "must allow" : "must deny "} ${end(i.from)} → ${end(i.to)} tcp ${i.port}: ${i.result}  [${i.id}]`);
      out.push(`      why: ${i.why}`);
      if (i.expect === "deny" && i.result === "allow") out.push("      the flow is open: every hop admits it");
      out.push(...explain(i.path, i.blockedBy));
    }
  }
  const groups = new Map<string, IntentResult[]>();
  for (const i of r.intents.filter((x) => x.holds)) groups.set(groupOf(i.id), [...(groups.get(groupOf(i.id)) ?? []), i]);
  if (groups.size > 0) {
    out.push("", "Holding:");
    for (const [g, list] of groups) {
      const first = list[0];
      const n = list.length > 1 ? ` (${list.length} AZ pairs)` : "";
      const by = first.expect === "deny" && first.blockedBy ? ` — closed at ${first.blockedBy.detail.split(":")[0]}` : "";
      out.push(`  ✓ ${g}${n}${by}`);
    }
  }
  return out.join("\n") + "\n";
}

export interface QueryAnswer {
  readonly from: EndRef;
  readonly to: EndRef;
  readonly port: number;
  readonly result: FlowResult;
}

export function queryText(answers: readonly QueryAnswer[]): string {
  const out: string[] = [];
  for (const a of answers) {
    out.push(`${end(a.from)} → ${end(a.to)} tcp ${a.port}: ${a.result.result}`);
    out.push(...explain(a.result.path, a.result.blockedBy));
  }
  return out.join("\n") + "\n";
}
