import { lineCounts, money } from "./lines";
import {
  CostDiff,
  CostLine,
  CostReport,
  LineChange,
  ResourceCost,
  ResourceCostChange,
} from "./types";

/**
 * Cost change from a base plan to a head plan (what `platform review` shows as base → head).
 *
 * Resources are matched by URN (a URN change is a replacement, and shows as removed + added).
 * Lines are matched by price key and position among lines with that key, so "Fargate vCPU
 * (1 task …)" → "(2 tasks …)" is one changed line, not a removed and an added one.
 */
export function compareCosts(base: CostReport, head: CostReport): CostDiff {
  const baseByUrn = new Map(base.resources.map((r) => [r.urn, r]));
  const headUrns = new Set(head.resources.map((r) => r.urn));
  const changes: ResourceCostChange[] = [];
  for (const h of head.resources) {
    const b = baseByUrn.get(h.urn);
    const change = resourceChange(b, h);
    if (change.change !== "unchanged") changes.push(change);
  }
  for (const b of base.resources) {
    if (!headUrns.has(b.urn)) changes.push(resourceChange(b, undefined));
  }
  const delta = money(head.monthlyTotal - base.monthlyTotal);
  return {
    stack: head.stack,
    region: head.region,
    currency: "USD",
    baseMonthlyTotal: base.monthlyTotal,
    headMonthlyTotal: head.monthlyTotal,
    delta,
    percent: base.monthlyTotal === 0 ? null : (head.monthlyTotal / base.monthlyTotal - 1) * 100,
    resources: changes,
  };
}

function keyed(lines: readonly CostLine[]): Map<string, CostLine> {
  const seen = new Map<string, number>();
  const out = new Map<string, CostLine>();
  for (const l of lines) {
    const n = seen.get(l.priceKey) ?? 0;
    seen.set(l.priceKey, n + 1);
    out.set(`${l.priceKey}#${n}`, l);
  }
  return out;
}

const counted = (l: CostLine | undefined): number => (l && lineCounts(l) ? l.monthly : 0);

function resourceChange(
  b: ResourceCost | undefined,
  h: ResourceCost | undefined,
): ResourceCostChange {
  const some = (h ?? b)!;
  const baseLines = keyed(b?.lines ?? []);
  const headLines = keyed(h?.lines ?? []);
  const lines: LineChange[] = [];
  for (const [k, hl] of headLines) {
    const bl = baseLines.get(k);
    const known = lineCounts(hl) && (bl === undefined || lineCounts(bl));
    const change: LineChange["change"] = !bl
      ? "added"
      : counted(bl) !== counted(hl) ||
          lineCounts(bl) !== lineCounts(hl) ||
          bl.quantity !== hl.quantity
        ? "changed"
        : "unchanged";
    lines.push({
      description: hl.description,
      change,
      baseMonthly: counted(bl),
      headMonthly: counted(hl),
      delta: money(counted(hl) - counted(bl)),
      known,
    });
  }
  for (const [k, bl] of baseLines) {
    if (headLines.has(k)) continue;
    lines.push({
      description: bl.description,
      change: "removed",
      baseMonthly: counted(bl),
      headMonthly: 0,
      delta: money(-counted(bl)),
      known: lineCounts(bl),
    });
  }
  const baseMonthly = b?.monthly ?? 0;
  const headMonthly = h?.monthly ?? 0;
  const change: ResourceCostChange["change"] = !b
    ? "added"
    : !h
      ? "removed"
      : lines.some((l) => l.change !== "unchanged")
        ? "changed"
        : "unchanged";
  return {
    urn: some.urn,
    type: some.type,
    name: some.name,
    change,
    baseMonthly,
    headMonthly,
    delta: money(headMonthly - baseMonthly),
    lines: lines.filter((l) => l.change !== "unchanged"),
  };
}
