import { DeploymentGraph } from "./graph";
import { HOURS_PER_MONTH, PriceEntry } from "./pricing";
import type { RuleResult } from "./rules";
import { CostLine, DeploymentResource } from "./types";
import { lookupUsage, UsageFile } from "./usage";

/**
 * Line builders shared by the pricing rules. They hold the three promises every line keeps:
 * money is rounded to a millionth of a dollar, a missing price is marked `priceKnown: false`,
 * and a missing usage value is marked `usageKnown: false`; both count 0 and say so.
 */

/** Round to a millionth: enough for any unit price in the table, and kills float noise. */
export function money(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Unit prices keep 10 decimals: a discounted $0.004445 × 0.3 must stay $0.0013335. */
export function unitMoney(x: number): number {
  return Math.round(x * 1e10) / 1e10;
}

/** A rule's priced result: its lines, and the notes that apply (undefined ones dropped). */
export function priced(lines: CostLine[], notes: Array<string | undefined> = []): RuleResult {
  return { kind: "priced", lines, notes: notes.filter((n): n is string => n !== undefined) };
}

export class PricingContext {
  /** Price keys looked up (found or not), for the report's provenance block. */
  readonly usedPrices = new Map<string, PriceEntry | undefined>();

  constructor(
    readonly region: string,
    readonly graph: DeploymentGraph,
    private readonly prices: Readonly<Record<string, PriceEntry>>,
    private readonly usage: readonly UsageFile[],
  ) {}

  price(key: string): PriceEntry | undefined {
    const entry = this.prices[key];
    this.usedPrices.set(key, entry);
    return entry;
  }

  usageOf(r: DeploymentResource, key: string): { value: number | null; source?: string } {
    const found = lookupUsage(this.usage, r.urn, r.type, key);
    return found ? found : { value: null };
  }

  /** A line with a known quantity. `unitPrice` may be adjusted by `factor` (Spot discount). */
  line(
    description: string,
    quantity: number,
    priceKey: string,
    opts: { unit?: string; factor?: number; note?: string } = {},
  ): CostLine {
    const entry = this.price(priceKey);
    const unit = entry?.unit ?? opts.unit ?? "units";
    if (!entry) {
      return {
        description,
        quantity: money(quantity),
        unit,
        unitPrice: 0,
        monthly: 0,
        priceKnown: false,
        priceKey,
        note: joinNotes(`no price for ${priceKey} in ${this.region}`, opts.note),
      };
    }
    const unitPrice = unitMoney(entry.usd * (opts.factor ?? 1));
    return {
      description,
      quantity: money(quantity),
      unit,
      unitPrice,
      monthly: money(quantity * unitPrice),
      priceKey,
      ...(opts.note ? { note: opts.note } : {}),
    };
  }

  /** An always-on component billed per hour: `count` × 730 hours. */
  hourly(description: string, count: number, priceKey: string, note?: string): CostLine {
    return this.line(description, count * HOURS_PER_MONTH, priceKey, { unit: "hours", note });
  }

  /**
   * A usage-based line: quantity = usage[usageKey] × `scale` (e.g. 730 for a per-hour average).
   * Unknown usage gives quantity 0, `usageKnown: false`, and a note naming the key to set.
   */
  usageLine(
    r: DeploymentResource,
    description: string,
    usageKey: string,
    priceKey: string,
    opts: { unit?: string; scale?: number; note?: string } = {},
  ): CostLine {
    const usage = this.usageOf(r, usageKey);
    if (usage.value === null) {
      const line = this.line(description, 0, priceKey, { unit: opts.unit });
      return this.usageUnknown(r, line, usageKey, usage.source, opts.note);
    }
    const line = this.line(description, usage.value * (opts.scale ?? 1), priceKey, {
      unit: opts.unit,
      note: opts.note,
    });
    return { ...line, usageKey, ...(usage.source ? { usageSource: usage.source } : {}) };
  }

  /**
   * `line`, priced at quantity 0, marked as waiting for usage: it counts 0 and its note names the
   * key(s) to set. `source` is the usage file that said "unknown" (`~`), when one did.
   */
  usageUnknown(
    r: DeploymentResource,
    line: CostLine,
    usageKey: string,
    source?: string,
    note?: string,
  ): CostLine {
    return {
      ...line,
      monthly: 0,
      usageKnown: false,
      usageKey,
      ...(source ? { usageSource: source } : {}),
      note: joinNotes(
        `usage unknown: set ${usageKey} for ${r.type} in a usage file`,
        line.note,
        note,
      ),
    };
  }
}

export function joinNotes(...notes: Array<string | undefined>): string | undefined {
  const kept = notes.filter((n): n is string => n !== undefined && n !== "");
  return kept.length > 0 ? kept.join("; ") : undefined;
}

/** A line counts toward totals only when both its price and its usage are known. */
export function lineCounts(l: CostLine): boolean {
  return l.usageKnown !== false && l.priceKnown !== false;
}
