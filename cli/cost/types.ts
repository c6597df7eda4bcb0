/**
 * Shapes the cost engine reads and writes.
 *
 * Input: a Pulumi deployment document (`pulumi stack export`, version 3), the same document
 * `platform plan` writes. Only the fields the estimate needs are typed; everything else in a
 * resource is ignored.
 *
 * Output: a `CostReport`, whose JSON form is the `platform cost --format json` contract:
 * `{stack, region, currency, monthlyTotal, resources: [{urn, type, monthly, lines: [{description,
 * quantity, unit, unitPrice, monthly}]}]}` plus the markers documented below.
 */

/** One resource of a deployment document (a subset of Pulumi's ResourceV3). */
export interface DeploymentResource {
  readonly urn: string;
  readonly type: string;
  readonly custom?: boolean;
  readonly delete?: boolean;
  readonly id?: string;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
  readonly parent?: string;
  readonly dependencies?: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  readonly provider?: string;
}

/** `{version: 3, deployment: {manifest, resources}}`, what `pulumi stack export` writes. */
export interface DeploymentDocument {
  readonly version: number;
  readonly deployment: {
    readonly manifest?: unknown;
    readonly resources?: readonly DeploymentResource[];
  };
}

/**
 * One priced component of a resource ("NAT gateway", "Data processed").
 *
 * `monthly = quantity × unitPrice`, rounded to a millionth of a dollar so that figures such as
 * 0.045 × 730 print as 32.85 and not 32.849999999999994. Totals add the rounded lines.
 */
export interface CostLine {
  readonly description: string;
  /** Monthly quantity in `unit` (730 hours for an always-on hourly component). */
  readonly quantity: number;
  /** The billing unit: "hours", "GB", "GB-months", "vCPU-hours", "LCU-hours", … */
  readonly unit: string;
  /** USD per one `unit`, after any discount the line states (Fargate Spot). */
  readonly unitPrice: number;
  readonly monthly: number;
  /**
   * False when the line depends on usage nobody supplied. Such a line counts 0 in every total
   * and prints "usage unknown"; it is never silently zero. Absent means known.
   */
  readonly usageKnown?: boolean;
  /** False when the price table has no entry for this item in this region (counts 0). */
  readonly priceKnown?: boolean;
  /** Key of the price table entry used (`nat-gateway-hour`, `ec2-instance-hour:t4g.nano`). */
  readonly priceKey: string;
  /** Usage key the quantity came from, when the line is usage-based. */
  readonly usageKey?: string;
  /** Where the usage value came from: "usage.default.yml", "environments/usage.dev.yml", … */
  readonly usageSource?: string;
  /** Why the quantity is what it is, when that is not obvious (which count, which discount). */
  readonly note?: string;
}

export interface ResourceCost {
  readonly urn: string;
  readonly type: string;
  /** Logical name (last URN segment). */
  readonly name: string;
  readonly monthly: number;
  readonly lines: readonly CostLine[];
  /** Assumptions and warnings about this resource (e.g. "FARGATE_SPOT cannot run ARM64 tasks"). */
  readonly notes?: readonly string[];
}

/** A resource the estimate did not price, and why. */
export interface SkippedResource {
  readonly urn: string;
  readonly type: string;
  readonly reason: string;
}

export interface CategoryCost {
  readonly category: string;
  readonly monthly: number;
  /** How many resources of the report fall in the category. */
  readonly resources: number;
}

export interface CostReport {
  readonly stack: string;
  readonly region: string;
  readonly currency: "USD";
  readonly monthlyTotal: number;
  /** Resources with at least one cost line, in deployment order. */
  readonly resources: readonly ResourceCost[];
  readonly summary: {
    /** Custom resources that have cost lines. */
    readonly estimated: number;
    /** Custom resources AWS does not bill for (VPC, subnets, route tables, IAM, …). */
    readonly free: number;
    /** Custom resources of a type the engine has no rule for: listed in `skipped`. */
    readonly unsupported: number;
    /** Lines whose usage is unknown (counted 0). */
    readonly usageUnknownLines: number;
    /** Lines whose price is missing from the table for this region (counted 0). */
    readonly priceUnknownLines: number;
  };
  readonly skipped: readonly SkippedResource[];
  /** Monthly cost per service family, largest first (the "where does the money go" view). */
  readonly byCategory: readonly CategoryCost[];
  /** Labels of the usage files applied, lowest precedence first. */
  readonly usageFiles: readonly string[];
  /** Price-table provenance for the region: the oldest and newest `asOf` of the entries used. */
  readonly prices: {
    readonly asOfOldest: string;
    readonly asOfNewest: string;
    /** Price keys used whose entry is marked unverified in the table. */
    readonly unverified: readonly string[];
  };
}

export type ChangeKind = "added" | "removed" | "changed" | "unchanged";

export interface ResourceCostChange {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly change: ChangeKind;
  readonly baseMonthly: number;
  readonly headMonthly: number;
  readonly delta: number;
  readonly lines: readonly LineChange[];
}

export interface LineChange {
  readonly description: string;
  readonly change: ChangeKind;
  readonly baseMonthly: number;
  readonly headMonthly: number;
  readonly delta: number;
  /** False when either side of this line has unknown usage or price. */
  readonly known: boolean;
}

export interface CostDiff {
  readonly stack: string;
  readonly region: string;
  readonly currency: "USD";
  readonly baseMonthlyTotal: number;
  readonly headMonthlyTotal: number;
  readonly delta: number;
  /** (head / base − 1) × 100, or null when the base total is 0. Unrounded. */
  readonly percent: number | null;
  /** Only resources whose monthly cost or lines changed, in head order then removed ones. */
  readonly resources: readonly ResourceCostChange[];
}
