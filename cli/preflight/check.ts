import { compareStacks } from "../../infra/stacks";
import type { Contribution, StackCount } from "./count";
import { QuotaEntry, QuotaScope, QuotaTable, RaisedQuotas, UNSPECIFIED_ACCOUNT, limitOf, raiseCommand } from "./quota-table";

/**
 * Groups every stack's counts by account and Region and compares each sum with its quota. Pure.
 *
 * Quotas are per account and Region, so stacks deployed into one account add up: four stacks that
 * each fit can together exceed a quota none of them exceeds alone. A per-resource quota (rules
 * per security group, routes per table, …) is summed per subject across stacks too, since one
 * stack may write into another's resources (an environment's peering routes in the management
 * VPC's route tables), and the worst subject is reported.
 */

export const UNKNOWN_REGION = "(unknown region)";

/**
 * Every account has a default VPC in every Region, with an internet gateway and a default
 * security group, unless someone deleted it (Amazon VPC User Guide, "Default VPCs"). They count
 * against VPCs per Region, internet gateways per Region and security groups per Region.
 */
export const DEFAULT_VPC_QUOTAS = ["vpcs", "internet-gateways", "security-groups"] as const;
export const DEFAULT_VPC_LABEL = "default VPC";

export interface QuotaResult {
  /** The quota table's id. */
  readonly id: string;
  readonly name: string;
  readonly code: string | null;
  readonly scope: QuotaScope;
  readonly unit: string;
  readonly used: number;
  readonly limit: number;
  readonly ok: boolean;
  /** The limit comes from environments/quotas.yml, not AWS's default. */
  readonly raised: boolean;
  /** Per-resource quotas: the worst subject (its `stack/name`, id or AZ). */
  readonly subject?: string;
  /** What each stack contributes to `used` (the default VPC as "default VPC"). */
  readonly byStack: Readonly<Record<string, number>>;
  /** The Service Quotas CLI call that raises it to `used`, when it is over and adjustable. */
  readonly raiseCommand?: string;
  readonly raise: string;
}

export interface AccountResult {
  readonly account: string;
  readonly region: string;
  /** Stacks deployed into this account and Region (their own provider's). */
  readonly stacks: readonly string[];
  /** Other stacks that write into it through a second provider (the peer side of a peering, the edge's us-east-1 provider). */
  readonly alsoWrittenBy: readonly string[];
  /** Quotas with a non-zero count, in the table's order. */
  readonly quotas: readonly QuotaResult[];
}

export interface PreflightReport {
  readonly accounts: readonly AccountResult[];
  /** Assumptions the user should know about (missing account ids, …). */
  readonly warnings: readonly string[];
  /** How counts were made (Fargate peaks, Aurora readers at maximum). */
  readonly notes: readonly string[];
  readonly ok: boolean;
}

/** Rounds away floating-point noise (0.25 × 5 vCPU sums). */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function labelOf(subject: string, names: Readonly<Record<string, string>>): string {
  if (names[subject]) return names[subject];
  const i = subject.lastIndexOf(":");
  if (i > 0 && names[subject.slice(0, i)]) return `${names[subject.slice(0, i)]} (${subject.slice(i + 1)})`;
  return subject;
}

export function checkQuotas(counts: readonly StackCount[], table: QuotaTable, raised: RaisedQuotas): PreflightReport {
  const warnings: string[] = [];
  const notes = counts.flatMap((c) => c.notes.map((n) => `${c.stack}: ${n}`));
  const names: Record<string, string> = {};
  for (const c of counts) Object.assign(names, c.names);

  const unspecified = counts.filter((c) => !c.location.accounts).map((c) => c.stack);
  if (unspecified.length > 0) {
    warnings.push(
      `${unspecified.join(", ")} set${unspecified.length === 1 ? "s" : ""} no aws:allowedAccountIds: assumed to share one account ("${UNSPECIFIED_ACCOUNT}"); set it in environments/Pulumi.<stack>.yaml so quotas are summed per real account`,
    );
  }
  for (const c of counts) {
    if ((c.location.accounts?.length ?? 0) > 1) {
      warnings.push(`${c.stack} allows ${c.location.accounts!.length} accounts (${c.location.accounts!.join(", ")}): counted in each of them`);
    }
    if (!c.location.region) warnings.push(`${c.stack}: no Region in its plan or aws:region: counted under "${UNKNOWN_REGION}"`);
  }

  // (account, region) → contributions
  const groups = new Map<string, { account: string; region: string; items: Contribution[] }>();
  for (const c of counts) {
    for (const item of c.contributions) {
      for (const account of item.location.accounts ?? [UNSPECIFIED_ACCOUNT]) {
        const region = item.location.region ?? UNKNOWN_REGION;
        const key = `${account}\u0000${region}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { account, region, items: [] }));
        g.items.push(item);
      }
    }
  }

  const byId = new Map(table.quotas.map((q) => [q.id, q]));
  for (const item of counts.flatMap((c) => c.contributions)) {
    if (!byId.has(item.quota)) throw new Error(`counted quota "${item.quota}" is not in the quota table`);
  }

  const accounts: AccountResult[] = [];
  for (const g of [...groups.values()].sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region))) {
    const home = (s: string) => {
      const own = counts.find((c) => c.stack === s)!.location;
      return (own.accounts ?? [UNSPECIFIED_ACCOUNT]).includes(g.account) && (own.region ?? UNKNOWN_REGION) === g.region;
    };
    const contributors = [...new Set(g.items.map((i) => i.stack))].sort(compareStacks);
    const stacks = contributors.filter(home);
    const alsoWrittenBy = contributors.filter((s) => !home(s));
    const quotas: QuotaResult[] = [];
    for (const q of table.quotas) {
      const items = g.items.filter((i) => i.quota === q.id);
      if (items.length === 0) continue;
      const implicit = (DEFAULT_VPC_QUOTAS as readonly string[]).includes(q.id) ? 1 : 0;
      quotas.push(result(q, items, implicit, g.account, g.region, raised, names));
    }
    accounts.push({ account: g.account, region: g.region, stacks, alsoWrittenBy, quotas });
  }
  return { accounts, warnings, notes, ok: accounts.every((a) => a.quotas.every((q) => q.ok)) };
}

function result(
  q: QuotaEntry,
  items: readonly Contribution[],
  implicit: number,
  account: string,
  region: string,
  raised: RaisedQuotas,
  names: Readonly<Record<string, string>>,
): QuotaResult {
  let worst: readonly Contribution[] = items;
  let subject: string | undefined;
  if (q.scope !== "region") {
    const bySubject = new Map<string, Contribution[]>();
    for (const i of items) {
      const key = i.subject ?? "(unknown)";
      bySubject.set(key, [...(bySubject.get(key) ?? []), i]);
    }
    let best = -1;
    for (const [key, list] of [...bySubject.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const sum = list.reduce((n, i) => n + i.amount, 0);
      if (sum > best) {
        best = sum;
        worst = list;
        subject = key;
      }
    }
  }
  const byStack: Record<string, number> = {};
  for (const i of worst) byStack[i.stack] = round((byStack[i.stack] ?? 0) + i.amount);
  if (implicit > 0) byStack[DEFAULT_VPC_LABEL] = implicit;
  const used = round(worst.reduce((n, i) => n + i.amount, 0) + implicit);
  const { limit, raised: isRaised } = limitOf(q, account, region, raised);
  const ok = used <= limit;
  const command = !ok ? raiseCommand(q, Math.ceil(used), region === UNKNOWN_REGION ? "<region>" : region) : undefined;
  return {
    id: q.id,
    name: q.name,
    code: q.code,
    scope: q.scope,
    unit: q.unit,
    used,
    limit,
    ok,
    raised: isRaised,
    ...(subject !== undefined ? { subject: labelOf(subject, names) } : {}),
    byStack,
    ...(command ? { raiseCommand: command } : {}),
    raise: q.raise,
  };
}
