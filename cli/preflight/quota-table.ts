import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { suggest } from "../../infra/config/zod-problems";
import { REPO_ROOT } from "../evaluate/stack-config";

/**
 * The quota table (cli/preflight/quotas.json: AWS's default quotas, with codes and sources) and
 * the raised values a team declares in environments/quotas.yml. Pure parsing and validation; the
 * command reads the files.
 */

/** What one limit counts. Every quota is also per account and per Region. */
export const QUOTA_SCOPES = [
  "region",
  "availabilityZone",
  "vpc",
  "securityGroup",
  "networkInterface",
  "networkAcl",
  "routeTable",
  "loadBalancer",
  "cluster",
  "vpnGateway",
  "distribution",
  "webAcl",
  "certificate",
  "alarm",
] as const;
export type QuotaScope = (typeof QUOTA_SCOPES)[number];

export const QUOTA_STATUSES = ["verified", "verified-2023", "secondary"] as const;
export type QuotaStatus = (typeof QUOTA_STATUSES)[number];

export interface QuotaEntry {
  /** Stable key the counters use (`eips`, `fargate-on-demand-vcpu`, …). */
  readonly id: string;
  /** AWS's name for the quota. */
  readonly name: string;
  /** Service Quotas code (`L-` + 8 hex digits); null where AWS publishes none. */
  readonly code: string | null;
  /** Service Quotas service code (`ec2`, `vpc`, `fargate`, …). */
  readonly service: string;
  /** AWS's default value. */
  readonly default: number;
  readonly unit: string;
  readonly scope: QuotaScope;
  readonly adjustable: boolean;
  /** Source abbreviations, comma-separated, each a key of `sources`. */
  readonly source: string;
  readonly status: QuotaStatus;
  /** How to raise it (or why it cannot be). */
  readonly raise: string;
}

export interface QuotaTable {
  readonly asOf: string;
  readonly sources: Readonly<Record<string, string>>;
  readonly quotas: readonly QuotaEntry[];
}

// From the repository root, not this module's folder: the compiled CLI runs from dist/, which holds no data files.
export const QUOTA_TABLE_PATH = path.join(REPO_ROOT, "cli", "preflight", "quotas.json");
export const QUOTA_CODE = /^L-[0-9A-F]{8}$/;

/** Thrown for a bad quota table or quotas.yml: the command prints it and exits 2. */
export class QuotaFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QuotaFileError";
  }
}

/**
 * Validates the table's shape and its invariants: unique ids and codes, well-formed codes, every
 * source abbreviation defined, a positive default. Throws one error listing every problem.
 */
export function parseQuotaTable(data: unknown, origin: string): QuotaTable {
  const problems: string[] = [];
  const o = (data ?? {}) as Record<string, unknown>;
  const sources = (o.sources ?? {}) as Record<string, string>;
  if (typeof o.asOf !== "string") problems.push("asOf: expected a date string");
  if (!Array.isArray(o.quotas)) throw new QuotaFileError(`${origin}: quotas must be an array`);
  const ids = new Set<string>();
  const codes = new Set<string>();
  (o.quotas as Record<string, unknown>[]).forEach((q, i) => {
    const at = `quotas[${i}]${typeof q.id === "string" ? ` (${q.id})` : ""}`;
    for (const key of ["id", "name", "service", "unit", "source", "raise"]) {
      if (typeof q[key] !== "string" || q[key] === "") problems.push(`${at}.${key}: expected a non-empty string`);
    }
    if (typeof q.id === "string") {
      if (ids.has(q.id)) problems.push(`${at}.id: "${q.id}" is used twice`);
      ids.add(q.id);
    }
    if (q.code !== null) {
      if (typeof q.code !== "string" || !QUOTA_CODE.test(q.code)) problems.push(`${at}.code: "${String(q.code)}" is not L- and 8 hex digits (or null)`);
      else if (codes.has(q.code)) problems.push(`${at}.code: ${q.code} is used twice`);
      else codes.add(q.code);
    }
    if (typeof q.default !== "number" || !(q.default > 0)) problems.push(`${at}.default: expected a positive number`);
    if (!(QUOTA_SCOPES as readonly unknown[]).includes(q.scope)) problems.push(`${at}.scope: "${String(q.scope)}" is not one of ${QUOTA_SCOPES.join(", ")}`);
    if (!(QUOTA_STATUSES as readonly unknown[]).includes(q.status)) problems.push(`${at}.status: "${String(q.status)}" is not one of ${QUOTA_STATUSES.join(", ")}`);
    if (typeof q.adjustable !== "boolean") problems.push(`${at}.adjustable: expected true or false`);
    if (typeof q.source === "string") {
      for (const s of q.source.split(",").map((x) => x.trim())) {
        if (!(s in sources)) problems.push(`${at}.source: "${s}" is not defined in sources`);
      }
    }
  });
  if (problems.length > 0) throw new QuotaFileError(`${origin} is invalid:\n${problems.map((p) => ` - ${p}`).join("\n")}`);
  return { asOf: o.asOf as string, sources, quotas: o.quotas as QuotaEntry[] };
}

let shipped: QuotaTable | undefined;

export function shippedQuotaTable(): QuotaTable {
  shipped ??= parseQuotaTable(JSON.parse(fs.readFileSync(QUOTA_TABLE_PATH, "utf8")), "cli/preflight/quotas.json");
  return shipped;
}

export function quotaById(table: QuotaTable, id: string): QuotaEntry {
  const q = table.quotas.find((x) => x.id === id);
  if (!q) throw new Error(`quota table has no entry "${id}"`);
  return q;
}

/** The Service Quotas CLI call that raises `q` to `desired` in `region`. */
export function raiseCommand(q: QuotaEntry, desired: number, region: string): string | undefined {
  if (!q.code || !q.adjustable) return undefined;
  return `aws service-quotas request-service-quota-increase --service-code ${q.service} --quota-code ${q.code} --desired-value ${desired} --region ${region}`;
}

// ---------------------------------------------------------------------------------------------
// environments/quotas.yml

/** The account key of stacks that set no `aws:allowedAccountIds`. */
export const UNSPECIFIED_ACCOUNT = "(unspecified)";
/** A region key of quotas.yml that applies in every Region of the account. */
export const ANY_REGION = "*";

/** Raised values: account → region (or "*") → quota code → value. */
export type RaisedQuotas = Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, number>>>>>>;

/**
 * Parses environments/quotas.yml:
 *
 * ```yaml
 * accounts:
 *   "222222222222":
 *     ap-northeast-2:        # or "*" for every Region of the account
 *       L-3032A538: 40       # Fargate On-Demand vCPU, raised on <date>, case <id>
 * ```
 *
 * Strict: unknown top-level keys, account ids that are not 12 quoted digits, region names that
 * are not Regions, codes the table does not know (with a did-you-mean), codes of quotas that
 * cannot be raised, and values that are not whole numbers above zero are errors that name the
 * file, the key, the value and the fix. A value below AWS's default is refused too: Service
 * Quotas never lowers a quota, so it would be a typo.
 */
export function parseRaisedQuotas(text: string, file: string, table: QuotaTable, knownRegions: readonly string[]): RaisedQuotas {
  let data: unknown;
  try {
    data = parse(text);
  } catch (e) {
    throw new QuotaFileError(`${file} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  if (data === null || data === undefined) return {};
  const problems: string[] = [];
  const root = data as Record<string, unknown>;
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new QuotaFileError(`${file}: expected a mapping with one key, accounts (see docs/preflight.md)`);
  }
  for (const k of Object.keys(root)) {
    if (k !== "accounts") {
      const hint = suggest(k, ["accounts"]);
      problems.push(`${k}: unknown key; allowed: accounts; fix: ${hint ? `rename it to "${hint}"` : "remove it"}`);
    }
  }
  const byCode = new Map(table.quotas.filter((q) => q.code).map((q) => [q.code as string, q]));
  const out: Record<string, Record<string, Record<string, number>>> = {};
  const accounts = root.accounts ?? {};
  if (typeof accounts !== "object" || Array.isArray(accounts) || accounts === null) {
    problems.push(`accounts: received ${JSON.stringify(accounts)}; allowed: a mapping of account id to Regions; fix: see docs/preflight.md`);
  } else {
    for (const [account, regions] of Object.entries(accounts as Record<string, unknown>)) {
      const at = `accounts.${account}`;
      if (!/^\d{12}$/.test(account)) {
        problems.push(`${at}: "${account}" is not an account id; allowed: 12 digits, quoted ("111111111111"); fix: quote the id (YAML reads an unquoted id as a number)`);
        continue;
      }
      if (typeof regions !== "object" || regions === null || Array.isArray(regions)) {
        problems.push(`${at}: received ${JSON.stringify(regions)}; allowed: a mapping of Region (or "*") to quota codes; fix: add e.g. ap-northeast-2: { L-0263D0A3: 10 }`);
        continue;
      }
      for (const [region, codes] of Object.entries(regions as Record<string, unknown>)) {
        const rat = `${at}.${region}`;
        if (region !== ANY_REGION && !knownRegions.includes(region)) {
          const hint = suggest(region, knownRegions);
          problems.push(`${rat}: unknown Region "${region}"; allowed: "*" or one of ${knownRegions.join(", ")}; fix: ${hint ? `rename it to "${hint}"` : "correct the Region name"}`);
          continue;
        }
        if (typeof codes !== "object" || codes === null || Array.isArray(codes)) {
          problems.push(`${rat}: received ${JSON.stringify(codes)}; allowed: a mapping of quota code to raised value; fix: add e.g. L-0263D0A3: 10`);
          continue;
        }
        for (const [code, value] of Object.entries(codes as Record<string, unknown>)) {
          const cat = `${rat}.${code}`;
          const q = byCode.get(code);
          if (!q) {
            const hint = suggest(code, [...byCode.keys()]);
            problems.push(
              `${cat}: unknown quota code "${code}"; allowed: a code of cli/preflight/quotas.json (docs/preflight.md lists them); fix: ${hint ? `did you mean ${hint} (${byCode.get(hint)!.name})?` : "correct the code"}`,
            );
            continue;
          }
          if (!q.adjustable) {
            problems.push(`${cat}: ${q.name} cannot be raised; fix: remove it (${q.raise})`);
            continue;
          }
          if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
            problems.push(`${cat}: received ${JSON.stringify(value)}; allowed: a whole number above zero (the applied value of ${q.name}); fix: write the value Service Quotas shows`);
            continue;
          }
          if (value < q.default) {
            problems.push(`${cat}: received ${value}, below AWS's default ${q.default} for ${q.name}; allowed: ${q.default} or more (Service Quotas only raises); fix: write the applied value, or remove the line`);
            continue;
          }
          ((out[account] ??= {})[region] ??= {})[code] = value;
        }
      }
    }
  }
  if (problems.length > 0) {
    throw new QuotaFileError(`${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => ` - ${p}`).join("\n")}`);
  }
  return out;
}

/** The limit that applies to `q` in `account`/`region`: a raised value (region before "*"), else the default. */
export function limitOf(q: QuotaEntry, account: string, region: string, raised: RaisedQuotas): { readonly limit: number; readonly raised: boolean } {
  const r = q.code ? (raised[account]?.[region]?.[q.code] ?? raised[account]?.[ANY_REGION]?.[q.code]) : undefined;
  return r !== undefined ? { limit: r, raised: true } : { limit: q.default, raised: false };
}
