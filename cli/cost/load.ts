import * as fs from "fs";
import * as path from "path";
import { USAGE_KEYS } from "./rules";
import { DeploymentDocument } from "./types";
import { parseUsageFile, UsageFile, validateUsageKeys } from "./usage";

/**
 * The I/O half of the cost engine: reading plans and usage files from disk. Kept apart from
 * estimate() so the engine stays pure; the review command reuses these.
 */

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The shipped defaults every stack starts from. */
export function defaultUsagePath(): string {
  return path.join(__dirname, "usage.default.yml");
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
