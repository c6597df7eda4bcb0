import { createHash } from "crypto";

/**
 * Physical names for resources whose names AWS limits. Pure and deterministic: the same inputs
 * give the same name on every run, so a name never changes unless what it is derived from does.
 *
 * | resource                 | limit | charset                         |
 * |--------------------------|-------|---------------------------------|
 * | ALB (`aws.lb.LoadBalancer`) | 32 | a-z A-Z 0-9 -, no leading/trailing -, not `internal-*` |
 * | Target group             | 32    | same                            |
 * | Aurora cluster id        | 63    | lowercase letter first, a-z 0-9 -, no `--`, no trailing - |
 * | ECS cluster / service    | 255   | a-z A-Z 0-9 - _                 |
 */
export const ALB_NAME_MAX = 32;
export const TARGET_GROUP_NAME_MAX = 32;
export const DB_CLUSTER_ID_MAX = 63;
/** Length of the hash suffix, including its hyphen. */
const HASH_SUFFIX = 7;

export function shortHash(seed: string, length = 6): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** Lowercase, hyphen-separated, only [a-z0-9-], no doubled or edge hyphens. */
export function sanitizeName(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * `base` sanitized; if longer than `max`, truncated and suffixed with a hash of the full base so
 * two long names that share a prefix stay distinct.
 */
export function boundedName(base: string, max: number): string {
  const clean = sanitizeName(base);
  if (clean.length <= max) return clean;
  const head = clean.slice(0, max - HASH_SUFFIX).replace(/-+$/, "");
  return `${head}-${shortHash(clean)}`;
}

/** The ALB's name: `<project>-<env>`, at most 32 characters, never starting with `internal-`. */
export function albName(project: string, stack: string): string {
  const name = boundedName(`${project}-${stack}`, ALB_NAME_MAX);
  // AWS rejects ALB names that start with "internal-" (reserved for internal ALB DNS names).
  return name.startsWith("internal-") ? boundedName(`alb-${name}`, ALB_NAME_MAX) : name;
}

/**
 * A target group's name: `<project>-<env>-<service>` shortened, plus a hash of everything that
 * forces AWS to replace a target group (port, protocol, target type). When one of those changes,
 * the name changes too, so Pulumi can create the new group before deleting the old one; a fixed
 * name would make the replacement fail with "a target group with the same name exists".
 */
export function targetGroupName(
  project: string,
  stack: string,
  service: string,
  port: number,
  protocol = "HTTP",
  targetType = "ip",
): string {
  const hash = shortHash(`${project}/${stack}/${service}/${port}/${protocol}/${targetType}`);
  const head = boundedName(`${project}-${stack}-${service}`, TARGET_GROUP_NAME_MAX - HASH_SUFFIX);
  return `${head}-${hash}`;
}

/** The Aurora cluster identifier: `<project>-<env>`, valid for RDS (see the table above). */
export function dbClusterIdentifier(project: string, stack: string): string {
  let id = boundedName(`${project}-${stack}`, DB_CLUSTER_ID_MAX);
  if (!/^[a-z]/.test(id)) id = boundedName(`db-${id}`, DB_CLUSTER_ID_MAX);
  return id;
}

/** Names AWS accepts for ALBs and target groups. */
export const ELB_NAME_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
