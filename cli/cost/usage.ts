import { parse } from "yaml";
import { didYouMean } from "../contract";

/**
 * Usage files: the monthly quantities a plan cannot know (GB through a NAT gateway, ALB LCUs,
 * log ingestion, Aurora storage and I/O, Serverless v2 ACUs, …).
 *
 * The format follows Infracost's usage file, with Pulumi type tokens instead of Terraform types
 * and URNs or logical names instead of Terraform addresses:
 *
 * ```yaml
 * version: 0.1
 * resource_type_default_usage:            # applies to every resource of the type
 *   "aws:ec2/natGateway:NatGateway":
 *     monthly_data_processed_gb: 10
 * resource_usage:                         # one resource: its URN, its logical name, or a
 *   "dev-nat-1":                          # pattern where * matches any run of characters
 *     monthly_data_processed_gb: 100
 *   "*-flow-logs":
 *     monthly_data_ingested_gb: 5
 * ```
 *
 * A value of `~` (null) says "unknown": the line then prints "usage unknown" and counts 0, even
 * when an earlier file had a value.
 *
 * Precedence: files are layered in the order given (cli/cost/usage.default.yml, then
 * environments/usage.<stack>.yml, then --usage FILE); the last file that mentions the key wins.
 * Within one file a `resource_usage` entry beats the type default, and among resource entries an
 * exact URN beats an exact logical name, which beats a pattern (longest pattern first).
 */

export type UsageValue = number | null;

export interface UsageFile {
  /** Where the file came from, printed next to every value it supplied. */
  readonly label: string;
  readonly typeDefaults: Readonly<Record<string, Readonly<Record<string, UsageValue>>>>;
  readonly resources: Readonly<Record<string, Readonly<Record<string, UsageValue>>>>;
}

/** One resolved usage value: `value` null means someone said "unknown" explicitly. */
export interface UsageLookup {
  readonly value: UsageValue;
  readonly source: string;
}

/** Parse and check the structure of a usage file. Collects every problem, throws once. */
export function parseUsageFile(text: string, label: string): UsageFile {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new Error(`Invalid usage file ${label}: not YAML (${(e as Error).message})`);
  }
  const problems: string[] = [];
  const root = (doc ?? {}) as Record<string, unknown>;
  if (typeof root !== "object" || Array.isArray(root)) {
    throw new Error(`Invalid usage file ${label}: expected a mapping at the top level`);
  }
  for (const key of Object.keys(root)) {
    if (!["version", "resource_type_default_usage", "resource_usage"].includes(key)) {
      problems.push(
        `unknown top-level key "${key}" (allowed: version, resource_type_default_usage, resource_usage)`,
      );
    }
  }
  if (root.version !== undefined && String(root.version) !== "0.1") {
    problems.push(`version is ${JSON.stringify(root.version)}; only 0.1 is supported`);
  }
  const section = (name: string): Record<string, Record<string, UsageValue>> => {
    const raw = root[name];
    const out: Record<string, Record<string, UsageValue>> = {};
    if (raw === undefined || raw === null) return out;
    if (typeof raw !== "object" || Array.isArray(raw)) {
      problems.push(`${name} must be a mapping`);
      return out;
    }
    for (const [target, values] of Object.entries(raw as Record<string, unknown>)) {
      if (values === null) continue;
      if (typeof values !== "object" || Array.isArray(values)) {
        problems.push(`${name}.${target} must be a mapping of usage keys to numbers`);
        continue;
      }
      const entry: Record<string, UsageValue> = {};
      for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
        if (value === null || (typeof value === "number" && Number.isFinite(value) && value >= 0)) {
          entry[key] = value;
        } else {
          problems.push(
            `${name}.${target}.${key} is ${JSON.stringify(value)}; use a number >= 0, or ~ for unknown`,
          );
        }
      }
      out[target] = entry;
    }
    return out;
  };
  const typeDefaults = section("resource_type_default_usage");
  const resources = section("resource_usage");
  if (problems.length > 0) {
    throw new Error(`Invalid usage file ${label}:\n${problems.map((p) => ` - ${p}`).join("\n")}`);
  }
  return { label, typeDefaults, resources };
}

/**
 * Check every key against the keys the engine reads, so a typo (`monthly_gb_data_processed`,
 * Infracost's older spelling) fails loudly instead of leaving the default in place.
 */
export function validateUsageKeys(
  file: UsageFile,
  keysByType: Readonly<Record<string, readonly string[]>>,
): void {
  const problems: string[] = [];
  const allKeys = new Set(Object.values(keysByType).flat());
  for (const [type, values] of Object.entries(file.typeDefaults)) {
    const known = keysByType[type];
    if (!known) {
      problems.push(
        `resource_type_default_usage."${type}": no usage keys for this type (types with usage: ` +
          `${Object.keys(keysByType).sort().join(", ")})`,
      );
      continue;
    }
    for (const key of Object.keys(values)) {
      if (!known.includes(key)) {
        const guess = didYouMean(key, known);
        problems.push(
          `resource_type_default_usage."${type}".${key}: unknown key${guess ? ` (did you mean ${guess}?)` : ""} (expected one of: ${known.join(", ")})`,
        );
      }
    }
  }
  for (const [target, values] of Object.entries(file.resources)) {
    for (const key of Object.keys(values)) {
      if (!allKeys.has(key)) {
        const guess = didYouMean(key, [...allKeys]);
        problems.push(
          `resource_usage."${target}".${key}: unknown key${guess ? ` (did you mean ${guess}?)` : ""} (no resource type reads it)`,
        );
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `Invalid usage file ${file.label}:\n${problems.map((p) => ` - ${p}`).join("\n")}`,
    );
  }
}

/**
 * Every resource_usage entry that is not a pattern must name, by URN or logical name, a resource
 * of the plan whose type reads usage (USAGE_KEYS): a misspelt name, or a component's name (the
 * `dev-alb` component holds the `dev-alb-lb` load balancer), would otherwise leave the default in
 * place without a word. Patterns may match nothing, so one file can serve stacks that differ
 * (prod's "*-db-log-*").
 */
export function validateUsageTargets(
  file: UsageFile,
  doc: { readonly deployment: { readonly resources?: readonly { readonly urn: string; readonly type: string }[] } },
  keysByType: Readonly<Record<string, readonly string[]>>,
): void {
  const resources = doc.deployment.resources ?? [];
  const priced = resources.filter((r) => keysByType[r.type] !== undefined);
  const pricedNames = [...new Set(priced.map((r) => nameOfUrn(r.urn)))];
  const problems: string[] = [];
  for (const target of Object.keys(file.resources)) {
    if (target.includes("*")) continue;
    const named = resources.filter((r) => r.urn === target || nameOfUrn(r.urn) === target);
    if (named.some((r) => keysByType[r.type] !== undefined)) continue;
    const guess = didYouMean(target, pricedNames) ?? pricedNames.find((n) => n.startsWith(`${target}-`));
    const what =
      named.length > 0
        ? `names a ${named[0].type}, which reads no usage keys`
        : "no resource of the plan has this logical name or URN";
    problems.push(
      `resource_usage."${target}": ${what}` +
        (guess ? ` (did you mean "${guess}"?)` : "") +
        "; use a name from `platform plan <stack>`, a URN, or a pattern with *",
    );
  }
  if (problems.length > 0) {
    throw new Error(`Invalid usage file ${file.label}:\n${problems.map((p) => ` - ${p}`).join("\n")}`);
  }
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`);
}

/** The logical name of a resource: the last `::` segment of its URN. */
export function nameOfUrn(urn: string): string {
  const i = urn.lastIndexOf("::");
  return i >= 0 ? urn.slice(i + 2) : urn;
}

function lookupInFile(
  file: UsageFile,
  urn: string,
  type: string,
  key: string,
): UsageValue | undefined {
  const name = nameOfUrn(urn);
  const exactUrn = file.resources[urn];
  if (exactUrn && key in exactUrn) return exactUrn[key];
  const exactName = file.resources[name];
  if (exactName && key in exactName) return exactName[key];
  const patterns = Object.keys(file.resources)
    .filter((p) => p.includes("*"))
    .sort((a, b) => b.length - a.length || a.localeCompare(b));
  for (const p of patterns) {
    const values = file.resources[p];
    if (key in values && (globToRegExp(p).test(urn) || globToRegExp(p).test(name)))
      return values[key];
  }
  const byType = file.typeDefaults[type];
  if (byType && key in byType) return byType[key];
  return undefined;
}

/**
 * Resolve one usage key for one resource across the layered files (last file wins).
 * Returns undefined when no file mentions it.
 */
export function lookupUsage(
  files: readonly UsageFile[],
  urn: string,
  type: string,
  key: string,
): UsageLookup | undefined {
  for (let i = files.length - 1; i >= 0; i--) {
    const value = lookupInFile(files[i], urn, type, key);
    if (value !== undefined) return { value, source: files[i].label };
  }
  return undefined;
}
