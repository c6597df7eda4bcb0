import type { IntentResult } from "../reach/intents";
import type { ReachReport } from "../reach/render";
import type { StepError } from "./types";

/**
 * The "Reachability" block of a stack's review section (`platform reach` on base and head): the
 * intents this change breaks, each with the component that blocks it. Pure: reports in, lines out.
 */

export interface ReachReview {
  readonly head: ReachReport;
  /** Absent when the stack is new (every broken intent is then new). */
  readonly base?: ReachReport;
}

const MAX_LISTED = 10;

function end(e: IntentResult["from"]): string {
  return e.az ? `${e.label} (${e.az})` : e.label;
}

/** Intents broken at head that held at base (all broken ones when there is no base). */
export function newlyBroken(r: ReachReview): IntentResult[] {
  const before = new Set((r.base?.intents ?? []).filter((i) => !i.holds).map((i) => i.id));
  return r.head.intents.filter((i) => !i.holds && !before.has(i.id));
}

export function reachBlock(r: ReachReview | StepError | undefined): string[] {
  if (r === undefined) return [];
  if ("error" in r) return [`❌ **Reachability** could not be checked: ${r.error.replace(/\n/g, " ")}`];
  const { intents, broken } = r.head.summary;
  const fresh = newlyBroken(r);
  if (broken === 0) return [`✅ **Reachability:** all ${intents} traffic intents hold (\`platform reach ${r.head.stack}\`).`];
  const out = [
    `**Reachability:** ${broken} of ${intents} traffic intents broken, ${fresh.length === 0 ? "none by this change" : `${fresh.length} by this change`} (\`platform reach ${r.head.stack}\` explains each hop).`,
    "",
  ];
  for (const i of fresh.slice(0, MAX_LISTED)) {
    const what = i.expect === "allow" ? `must allow, ${i.result}` : "must deny, open";
    const at = i.blockedBy ? `: blocked at ${i.blockedBy.detail}` : "";
    out.push(`- ❌ ${end(i.from)} → ${end(i.to)} tcp ${i.port} (${what})${at}`);
  }
  if (fresh.length > MAX_LISTED) out.push(`- … and ${fresh.length - MAX_LISTED} more`);
  return out;
}
