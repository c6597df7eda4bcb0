import { z } from "zod";
import { ConfigProblem } from "../config/problems";
import { suggest } from "../config/zod-problems";
import { retentionDays } from "../network/config";
import {
  CACHE_ENGINES,
  CACHE_DATA_TIERING_FAMILIES,
  CACHE_ENGINE_VERSIONS,
  CACHE_MAINTENANCE_WINDOW,
  CACHE_NODE_FAMILIES,
  MAX_CACHE_REPLICAS,
  SNAPSHOT_WINDOW,
  parseNodeType,
  windowLength,
  windowsOverlap,
} from "./plan";

export const DEFAULT_CACHE_ENGINE = "valkey";
export const DEFAULT_CACHE_NODE_TYPE = "cache.t4g.micro";
export const DEFAULT_CACHE_SNAPSHOT_RETENTION_DAYS = 7;
export const DEFAULT_CACHE_LOG_RETENTION_DAYS = 365;
/** ElastiCache keeps automatic snapshots at most 35 days (CreateReplicationGroup, SnapshotRetentionLimit). */
export const MAX_CACHE_SNAPSHOT_RETENTION_DAYS = 35;
/** "The minimum maintenance window is a 60 minute period" (CreateReplicationGroup, PreferredMaintenanceWindow). */
export const MIN_CACHE_WINDOW_MINUTES = 60;

/**
 * The environment's session store (`platform:cache`): ElastiCache for Valkey or Redis OSS, one
 * shard (cluster mode disabled) of a primary plus `replicas` replicas, each in its own AZ of the
 * isolated tier. Absent: no cache.
 *
 * Availability scenarios:
 *
 * | keys set                                                  | what runs                                              |
 * |-----------------------------------------------------------|--------------------------------------------------------|
 * | `replicas: 0` (default)                                   | one node; a node failure loses the cache until replaced |
 * | `replicas: N`, `automaticFailover: true`                  | a replica is promoted when the primary fails            |
 * | `replicas: N`, `automaticFailover: true`, `multiAz: true` | as above, and ElastiCache keeps the nodes in distinct AZs (prod, staging) |
 *
 * Services reach it only with `cache: true` (platform:services[]) and authenticate with IAM: no
 * password exists anywhere (docs/cache.md).
 */
export const CacheConfigSchema = z.strictObject({
  /** `valkey` or `redis` (Redis OSS). @default "valkey" */
  engine: z.enum(CACHE_ENGINES).default(DEFAULT_CACHE_ENGINE),
  /** major.minor: Valkey 7.2, 8.0, 8.1, 8.2; Redis OSS 7.0, 7.1 (the versions that run IAM authentication). Required. */
  engineVersion: z.string(),
  /** Node type of every node, e.g. cache.t4g.micro, cache.r7g.large. @default "cache.t4g.micro" */
  nodeType: z.string().default(DEFAULT_CACHE_NODE_TYPE),
  /** Replicas besides the primary, each in a further AZ: 1 + replicas must not exceed platform:network.azCount (at most 5). @default 0 */
  replicas: z.number().int().min(0).max(MAX_CACHE_REPLICAS).default(0),
  /** Promote a replica when the primary fails; needs at least one replica. @default false */
  automaticFailover: z.boolean().default(false),
  /** ElastiCache Multi-AZ: needs automaticFailover and at least one replica. @default false */
  multiAz: z.boolean().default(false),
  /** Days automatic snapshots are kept (0 turns snapshots off). @default 7 */
  snapshotRetentionDays: z.number().int().min(0).max(MAX_CACHE_SNAPSHOT_RETENTION_DAYS).default(DEFAULT_CACHE_SNAPSHOT_RETENTION_DAYS),
  /** Daily snapshot window, UTC `hh24:mi-hh24:mi`, at least 60 minutes, not overlapping maintenanceWindow. @default - ElastiCache picks one */
  snapshotWindow: z.string().optional(),
  /** Weekly maintenance window, UTC `ddd:hh24:mi-ddd:hh24:mi`, at least 60 minutes. @default - ElastiCache picks one */
  maintenanceWindow: z.string().optional(),
  /** Take a final snapshot (`<project>-<env>-cache-final`) when the replication group is deleted. @default true */
  finalSnapshot: z.boolean().default(true),
  /** Pulumi `protect` on the replication group and its key. @default true */
  protect: z.boolean().default(true),
  /** Engine parameters on top of the family's defaults (name → value), e.g. `maxmemory-policy: volatile-lru`. @default {} */
  parameters: z.record(z.string(), z.string()).default({}),
  /** Retention of the slow-log and engine-log groups. @default 365 */
  logRetentionDays: retentionDays.default(DEFAULT_CACHE_LOG_RETENTION_DAYS),
  /**
   * How services authenticate. Only `iam` is supported: a 15-minute token signed with the task
   * role, nothing stored. `authToken` (a shared password in Secrets Manager) is refused: every
   * client would share one secret that must be rotated in lockstep with the cluster. @default "iam"
   */
  auth: z.enum(["iam", "authToken"]).default("iam"),
  /** Apply modifications now rather than in the maintenance window. @default false */
  applyImmediately: z.boolean().default(false),
});
export type CacheConfig = z.infer<typeof CacheConfigSchema>;

/** Parameters the platform owns: changing them would break what the component guarantees. */
export const RESERVED_CACHE_PARAMETERS = ["cluster-enabled"] as const;

/**
 * Invariants of `platform:cache` a schema cannot express. `azCount` is the network's: a primary
 * plus N replicas need N + 1 AZs to land in distinct ones.
 */
export function validateCacheConfig(c: CacheConfig, azCount: number, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const key = (k: string) => `platform:cache.${k}`;
  const versions = CACHE_ENGINE_VERSIONS[c.engine];
  if (!versions.includes(c.engineVersion)) {
    const other = c.engine === "valkey" ? "redis" : "valkey";
    const elsewhere = CACHE_ENGINE_VERSIONS[other].includes(c.engineVersion);
    const hint = suggest(c.engineVersion, versions);
    problems.push({
      key: key("engineVersion"),
      received: c.engineVersion,
      allowed: `a ${c.engine} version that runs IAM authentication: ${versions.join(", ")}${elsewhere ? ` (${c.engineVersion} is a ${other} version)` : ""}`,
      fix: hint ? `did you mean "${hint}"?` : `use "${versions[versions.length - 1]}"`,
    });
  }

  const node = parseNodeType(c.nodeType);
  if (node && (CACHE_DATA_TIERING_FAMILIES as readonly string[]).includes(node.family)) {
    problems.push({
      key: key("nodeType"),
      received: c.nodeType,
      allowed: `a family without data tiering (${CACHE_NODE_FAMILIES.join(", ")}): ${node.family} nodes run only with data tiering, which the session store does not enable`,
      fix: `use "cache.r6g.${node.size}" or "cache.r7g.${node.size}"`,
    });
  } else if (!node || !(CACHE_NODE_FAMILIES as readonly string[]).includes(node.family)) {
    const hint = node ? suggest(node.family, CACHE_NODE_FAMILIES) : undefined;
    problems.push({
      key: key("nodeType"),
      received: c.nodeType,
      allowed: `cache.<family>.<size> of a current family: ${CACHE_NODE_FAMILIES.join(", ")}`,
      fix: hint && node ? `did you mean "cache.${hint}.${node.size}"?` : `use e.g. "${DEFAULT_CACHE_NODE_TYPE}" (dev) or "cache.r7g.large" (prod)`,
    });
  }

  if (c.replicas + 1 > azCount) {
    problems.push({
      key: key("replicas"),
      received: c.replicas,
      allowed: `at most ${azCount - 1}: the primary and each replica land in distinct AZs and the network spans ${azCount} (platform:network.azCount)`,
      fix: `lower replicas to ${Math.max(0, azCount - 1)}, or raise platform:network.azCount`,
    });
  }
  // "automatic_failover_enabled must be true if multi_az_enabled is true" and "num_cache_clusters
  // must be at least 2 if automatic_failover_enabled is true" (terraform-provider-aws
  // internal/service/elasticache/replication_group.go; ElastiCache's CreateReplicationGroup rules).
  if (c.multiAz && !c.automaticFailover) {
    problems.push({ key: key("multiAz"), received: true, allowed: "true only with automaticFailover: true (Multi-AZ promotes a replica automatically)", fix: "set automaticFailover: true, or multiAz: false" });
  }
  if (c.automaticFailover && c.replicas < 1) {
    problems.push({
      key: key("automaticFailover"),
      received: true,
      allowed: "true only with at least one replica (there is nothing to fail over to)",
      fix: `set replicas to 1 or more (at most ${Math.max(0, azCount - 1)}), or automaticFailover: false`,
    });
  }
  if (c.snapshotRetentionDays === 0 && c.finalSnapshot === false && c.protect) {
    // Not an error: a throwaway cache may keep nothing. A protected one must keep something.
    problems.push({
      key: key("finalSnapshot"),
      received: false,
      allowed: "false only in a throwaway environment (protect: false); a protected cache keeps its data either in snapshots or in a final snapshot",
      fix: "set finalSnapshot: true or snapshotRetentionDays of at least 1, or protect: false",
    });
  }

  if (c.snapshotWindow !== undefined) {
    const len = windowLength(c.snapshotWindow);
    if (!SNAPSHOT_WINDOW.test(c.snapshotWindow) || len === undefined) {
      problems.push({ key: key("snapshotWindow"), received: c.snapshotWindow, allowed: "hh24:mi-hh24:mi in UTC", fix: 'e.g. "16:00-17:00"' });
    } else if (len < MIN_CACHE_WINDOW_MINUTES) {
      problems.push({ key: key("snapshotWindow"), received: c.snapshotWindow, allowed: `at least ${MIN_CACHE_WINDOW_MINUTES} minutes`, fix: "widen the window to an hour or more" });
    }
    if (c.snapshotRetentionDays === 0) {
      problems.push({ key: key("snapshotWindow"), received: c.snapshotWindow, allowed: "set only when snapshots are kept (snapshotRetentionDays >= 1)", fix: "remove snapshotWindow, or keep snapshots" });
    }
  }
  if (c.maintenanceWindow !== undefined) {
    const len = windowLength(c.maintenanceWindow);
    if (!CACHE_MAINTENANCE_WINDOW.test(c.maintenanceWindow) || len === undefined) {
      problems.push({ key: key("maintenanceWindow"), received: c.maintenanceWindow, allowed: "ddd:hh24:mi-ddd:hh24:mi in UTC, lowercase days", fix: 'e.g. "sun:18:00-sun:19:00"' });
    } else if (len < MIN_CACHE_WINDOW_MINUTES) {
      problems.push({ key: key("maintenanceWindow"), received: c.maintenanceWindow, allowed: `at least ${MIN_CACHE_WINDOW_MINUTES} minutes`, fix: "widen the window to an hour or more" });
    }
  }
  if (
    c.snapshotWindow !== undefined &&
    c.maintenanceWindow !== undefined &&
    windowLength(c.snapshotWindow) !== undefined &&
    windowLength(c.maintenanceWindow) !== undefined &&
    windowsOverlap(c.snapshotWindow, c.maintenanceWindow)
  ) {
    problems.push({
      key: key("snapshotWindow"),
      received: c.snapshotWindow,
      allowed: `a window that does not overlap maintenanceWindow (${c.maintenanceWindow}): ElastiCache refuses overlapping windows`,
      fix: "move one of the two windows",
    });
  }

  for (const name of Object.keys(c.parameters)) {
    if ((RESERVED_CACHE_PARAMETERS as readonly string[]).includes(name)) {
      problems.push({
        key: key(`parameters.${name}`),
        received: c.parameters[name],
        allowed: `any parameter but ${RESERVED_CACHE_PARAMETERS.join(", ")} (the session store runs cluster mode disabled, one shard)`,
        fix: "remove it",
      });
    } else if (!/^[a-z][a-z0-9-]*$/.test(name)) {
      problems.push({ key: key(`parameters.${name}`), received: name, allowed: "a parameter name: lowercase letters, digits and hyphens", fix: "use the name as the engine spells it, e.g. maxmemory-policy" });
    }
  }

  if (c.auth === "authToken") {
    problems.push({
      key: key("auth"),
      received: "authToken",
      allowed: `"iam" only: services sign a 15-minute token with their task role, so no password exists to store, share or rotate; an AUTH token is one shared secret for every client`,
      fix: `remove platform:cache.auth from ${file} (IAM is the default); clients connect as shown in docs/cache.md`,
    });
  }
  return problems;
}

/** Variables the platform sets on services with `cache: true`; config may not set them. */
export const CACHE_ENV = ["AWS_REGION", "CACHE_HOST", "CACHE_NAME", "CACHE_PORT", "CACHE_TLS", "CACHE_USER"] as const;

/** What `validateServiceCacheUse` reads of each service. */
export interface CacheUsingService {
  readonly name: string;
  readonly cache: boolean;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
}

/**
 * `cache: true` on a service needs a `platform:cache` section, and the variables the platform
 * injects for it must not also come from config.
 */
export function validateServiceCacheUse(services: readonly CacheUsingService[], cache: CacheConfig | undefined, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  services.forEach((s, i) => {
    if (!s.cache) return;
    const key = (k: string) => `platform:services[${i}].${k}`;
    if (cache === undefined) {
      problems.push({ key: key("cache"), received: true, allowed: "true only when the stack has a platform:cache section", fix: `add platform:cache to ${file}, or set cache: false` });
    }
    for (const [where, values] of [["environment", s.environment], ["secrets", s.secrets]] as const) {
      for (const name of Object.keys(values)) {
        if ((CACHE_ENV as readonly string[]).includes(name)) {
          problems.push({ key: key(`${where}.${name}`), received: values[name], allowed: `none of ${CACHE_ENV.join(", ")} (the platform sets them for cache: true)`, fix: "remove it" });
        }
      }
    }
  });
  return problems;
}
