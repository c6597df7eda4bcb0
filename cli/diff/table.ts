import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../evaluate/stack-config";
import type { PropertyMap, PropertyValue } from "../plan/deployment";

/**
 * The replace-on-change table (replace-on-change.json): which input changes replace a resource,
 * per type token, and which types are dangerous to replace or delete. Data, not code, so it can be
 * reviewed against the provider's source and extended without touching the diff logic.
 */

/** A condition on the old or new inputs, or on the changed property's own transition. */
export type Condition =
  | {
      readonly side: "old" | "new";
      readonly property: string;
      readonly equals?: PropertyValue;
      readonly notEquals?: PropertyValue;
      readonly notPrefix?: string;
    }
  | { readonly notTransition: { readonly from: PropertyValue; readonly to: PropertyValue } };

export interface ConditionalRule {
  readonly property: string;
  readonly when: Condition;
  readonly note?: string;
}

export interface ReplaceRule {
  /** Properties whose change replaces; `"*"` means every input (minus `except`). */
  readonly replace: readonly string[];
  readonly except?: readonly string[];
  readonly conditional?: readonly ConditionalRule[];
  readonly note?: string;
  /** false: taken from provider documentation, not read in the provider's source. */
  readonly verified?: boolean;
  readonly tf?: string;
}

export interface ReplaceTable {
  readonly version: number;
  readonly neverReplace: readonly string[];
  readonly aliases: Readonly<Record<string, string>>;
  readonly types: Readonly<Record<string, ReplaceRule>>;
  /** Types whose replace or delete loses data or addresses, with the reason shown to reviewers. */
  readonly dangerous: Readonly<Record<string, string>>;
}

let replaceTable: ReplaceTable | undefined;
export function loadReplaceTable(): ReplaceTable {
  // Read from the source tree also when compiled (dist/ holds no copy of the data).
  replaceTable ??= JSON.parse(
    fs.readFileSync(path.join(REPO_ROOT, "cli", "diff", "replace-on-change.json"), "utf8"),
  ) as ReplaceTable;
  return replaceTable;
}

/** Canonical type for lookups (`aws:alb/...` is the same resource as `aws:lb/...`). */
export function canonicalType(table: ReplaceTable, type: string): string {
  return table.aliases[type] ?? type;
}

export function ruleFor(table: ReplaceTable, type: string): ReplaceRule | undefined {
  return table.types[canonicalType(table, type)];
}

export function dangerOf(table: ReplaceTable, type: string): string | undefined {
  return table.dangerous[canonicalType(table, type)];
}

/**
 * A diff path with array indexes removed and quoted keys dotted (`ebsBlockDevices[0].volumeSize` →
 * `ebsBlockDevices.volumeSize`), the form rules are written in.
 */
export function normalizePath(path: string): string {
  return path
    .replace(/\[\d+\]/g, "")
    .replace(/\["((?:[^"\\]|\\.)*)"\]/g, ".$1")
    .replace(/^\./, "");
}

/** A rule names a property; it matches that property and anything inside it. */
export function ruleMatches(rule: string, path: string): boolean {
  if (rule === "*") return true;
  const p = normalizePath(path);
  return p === rule || p.startsWith(`${rule}.`);
}

function topKey(path: string): string {
  return normalizePath(path).split(".")[0];
}

function get(map: PropertyMap | undefined, property: string): PropertyValue | undefined {
  let cur: PropertyValue | undefined = map;
  for (const seg of property.split(".")) {
    if (cur === null || cur === undefined || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as PropertyMap)[seg];
  }
  return cur;
}

function same(a: PropertyValue | undefined, b: PropertyValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function conditionHolds(
  c: Condition,
  oldInputs: PropertyMap | undefined,
  newInputs: PropertyMap | undefined,
  oldValue: PropertyValue | undefined,
  newValue: PropertyValue | undefined,
): boolean {
  if ("notTransition" in c) return !(same(oldValue, c.notTransition.from) && same(newValue, c.notTransition.to));
  const v = get(c.side === "old" ? oldInputs : newInputs, c.property);
  if (c.equals !== undefined && !same(v, c.equals)) return false;
  if (c.notEquals !== undefined && same(v, c.notEquals)) return false;
  if (c.notPrefix !== undefined && typeof v === "string" && v.startsWith(c.notPrefix)) return false;
  return true;
}

export interface ReplaceVerdict {
  /** true: replaces; false: in place; "unknown": the type is not in the table. */
  readonly replaces: boolean | "unknown";
  /** The rule that decided, for the reviewer ("cidrBlock", "* (every input)", "replaceOnChanges"). */
  readonly because?: string;
}

/** Does changing `path` replace a resource of `type`? */
export function replacesOnChange(
  table: ReplaceTable,
  type: string,
  path: string,
  ctx: {
    readonly oldInputs?: PropertyMap;
    readonly newInputs?: PropertyMap;
    readonly oldValue?: PropertyValue;
    readonly newValue?: PropertyValue;
    /** The resource's `replaceOnChanges` option, when known. */
    readonly replaceOnChanges?: readonly string[];
  } = {},
): ReplaceVerdict {
  for (const r of ctx.replaceOnChanges ?? []) {
    if (ruleMatches(r, path)) return { replaces: true, because: `replaceOnChanges: ${r}` };
  }
  const rule = ruleFor(table, type);
  if (!rule) return { replaces: "unknown" };
  if (table.neverReplace.includes(topKey(path))) return { replaces: false };
  for (const r of rule.replace) {
    if (r === "*") {
      if (!(rule.except ?? []).includes(topKey(path))) return { replaces: true, because: "every input (the resource has no update)" };
    } else if (ruleMatches(r, path)) return { replaces: true, because: r };
  }
  for (const c of rule.conditional ?? []) {
    if (ruleMatches(c.property, path) && conditionHolds(c.when, ctx.oldInputs, ctx.newInputs, ctx.oldValue, ctx.newValue)) {
      return { replaces: true, because: `${c.property} (${c.note ?? "conditional"})` };
    }
  }
  return { replaces: false };
}
