import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { readStackFile, REPO_ROOT, stackConfigPath } from "../evaluate/stack-config";
import { estimate } from "./estimate";
import { parsePriceTable, PriceTable, shippedPriceTable } from "./pricing";
import { regionFromDeployment, RegionFinding } from "./region";
import { USAGE_KEYS } from "./rules";
import { CostReport, DeploymentDocument } from "./types";
import { parseUsageFile, UsageFile, validateUsageKeys, validateUsageTargets } from "./usage";

/**
 * The I/O half of the cost engine: reading plans and usage files from disk. Kept apart from
 * estimate() so the engine stays pure; the review command reuses these.
 */

/** The shipped defaults every stack starts from. */
export function defaultUsagePath(): string {
  return path.join(REPO_ROOT, "cli", "cost", "usage.default.yml");
}

/** Optional per-stack overrides: environments/usage.<stack>.yml. */
export function stackUsagePath(stack: string, root: string = REPO_ROOT): string {
  return path.join(root, "environments", `usage.${stack}.yml`);
}

/**
 * Check that parsed JSON is a deployment document (`pulumi stack export` shape). Also accepts a
 * bare `deployment` object. Throws naming what was found instead.
 */
export function parseDeploymentDocument(data: unknown, origin: string): DeploymentDocument {
  const o = (data ?? {}) as Record<string, unknown>;
  const deployment = (o.deployment ?? (Array.isArray(o.resources) ? o : undefined)) as
    Record<string, unknown> | undefined;
  if (!deployment || typeof deployment !== "object") {
    throw new Error(
      `${origin} is not a Pulumi deployment document: expected {version: 3, deployment: {manifest, resources}} (what \`platform plan\` and \`pulumi stack export\` write)`,
    );
  }
  const resources = deployment.resources ?? [];
  if (!Array.isArray(resources))
    throw new Error(`${origin}: deployment.resources must be an array`);
  const bad = resources.findIndex(
    (r) =>
      !r ||
      typeof (r as { urn?: unknown }).urn !== "string" ||
      typeof (r as { type?: unknown }).type !== "string",
  );
  if (bad >= 0) throw new Error(`${origin}: deployment.resources[${bad}] has no urn or type`);
  return {
    version: typeof o.version === "number" ? o.version : 3,
    deployment: deployment as DeploymentDocument["deployment"],
  };
}

/**
 * The usage layers for a stack: the shipped defaults, then environments/usage.<stack>.yml when
 * it exists, then each extra file in order. Labels are paths relative to the repository.
 */
export function loadUsageFiles(
  stack: string | undefined,
  extra: readonly string[],
  root: string = REPO_ROOT,
): UsageFile[] {
  const paths = [defaultUsagePath()];
  if (stack) {
    const perStack = stackUsagePath(stack, root);
    if (fs.existsSync(perStack)) paths.push(perStack);
  }
  paths.push(...extra);
  return paths.map((p) => {
    if (!fs.existsSync(p)) throw new Error(`Usage file not found: ${p}`);
    const rel = path.relative(root, path.resolve(p));
    const label = rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : p;
    const file = parseUsageFile(fs.readFileSync(p, "utf8"), label);
    validateUsageKeys(file, USAGE_KEYS);
    return file;
  });
}

/** A price table file (JSON or YAML) in the shape of cli/cost/prices.json; none: the shipped one. */
export function loadPriceTable(file?: string): PriceTable {
  if (!file) return shippedPriceTable();
  const text = fs.readFileSync(file, "utf8");
  return parsePriceTable(file.endsWith(".json") ? JSON.parse(text) : parseYaml(text), file);
}

/**
 * Which region's prices apply: `explicit` (--region), then the deployment (its AWS provider's
 * region, else the region most ARNs name), then `aws:region` in environments/Pulumi.<stack>.yaml.
 */
export function chooseRegion(
  explicit: string | undefined,
  doc: DeploymentDocument,
  stack: string,
  root: string = REPO_ROOT,
): RegionFinding {
  if (explicit) return { region: explicit, source: "--region" };
  const found = regionFromDeployment(doc);
  if (found) return found;
  if (fs.existsSync(stackConfigPath(stack, root))) {
    const region = readStackFile(stack, root).config["aws:region"];
    if (typeof region === "string") {
      return { region, source: path.relative(root, stackConfigPath(stack, root)) };
    }
  }
  throw new Error(
    `Cannot tell the region: the plan names none and environments/Pulumi.${stack}.yaml has no ` +
      `aws:region. Pass --region.`,
  );
}

export interface StackCostOptions {
  /** Price region; default: see chooseRegion. */
  readonly region?: string;
  /** Extra usage files over the defaults and environments/usage.<stack>.yml. */
  readonly usage?: readonly string[];
  /** @default the shipped cli/cost/prices.json */
  readonly prices?: PriceTable;
  readonly root?: string;
  /**
   * Whether every resource_usage entry that is not a pattern must name a resource of `doc`.
   * Off for a base plan, which may predate the resources a usage file was written for.
   * @default true
   */
  readonly checkUsageTargets?: boolean;
}

/**
 * The cost of one stack's plan the way `platform cost <stack>` computes it (shipped prices,
 * layered usage files, region choice). For the review command, which prices base and head plans.
 */
export function estimateStack(
  doc: DeploymentDocument,
  stack: string,
  opts: StackCostOptions = {},
): { report: CostReport; region: RegionFinding } {
  const root = opts.root ?? REPO_ROOT;
  const region = chooseRegion(opts.region, doc, stack, root);
  const usage = loadUsageFiles(stack, opts.usage ?? [], root);
  if (opts.checkUsageTargets ?? true) for (const file of usage) validateUsageTargets(file, doc, USAGE_KEYS);
  const prices = opts.prices ?? shippedPriceTable();
  return { report: estimate(doc, { region: region.region, prices, usage, stack }), region };
}
