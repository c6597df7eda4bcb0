import { PolicyDocument, partitionOf } from "../shared/policy-documents";

/**
 * Pure planning for the session store (ElastiCache for Valkey / Redis OSS): versions, parameter
 * group families, names, node placement, windows and the IAM documents. No Pulumi here.
 */

export const CACHE_ENGINES = ["valkey", "redis"] as const;
export type CacheEngine = (typeof CACHE_ENGINES)[number];

/** The port every Valkey / Redis OSS node listens on; fixed, so NACLs and intents can name it. */
export const CACHE_PORT = 6379;

/**
 * Engine versions the platform accepts, per engine: those ElastiCache offers for node-based
 * clusters that also support IAM authentication ("IAM authentication is supported for ElastiCache
 * Valkey 7.2 and above or Redis OSS 7.0 and above", Authenticating with IAM,
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html; version list from
 * "Engine versions and upgrading in ElastiCache",
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html). Redis OSS 6.x
 * runs neither IAM authentication nor any supported auth mode here, so it is refused.
 */
export const CACHE_ENGINE_VERSIONS: Readonly<Record<CacheEngine, readonly string[]>> = {
  valkey: ["7.2", "8.0", "8.1", "8.2"],
  redis: ["7.0", "7.1"],
};

/**
 * The parameter group family of a version (Engine specific parameters,
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html: "Valkey 7.2
 * parameters are the same as Redis OSS 7 parameters" under family valkey7; 8.x under valkey8;
 * Redis OSS 7.x under redis7).
 */
export function cacheParameterGroupFamily(engine: CacheEngine, version: string): string {
  const major = version.split(".")[0];
  return `${engine}${major}`;
}

/**
 * Node families ElastiCache offers for Valkey / Redis OSS (Supported node types,
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html), current
 * generation only. A size is any `cache.<family>.<size>`.
 *
 * Not r6gd: those nodes exist only with data tiering, and CreateReplicationGroup refuses them unless
 * DataTieringEnabled is true ("This parameter must be set to true when using r6gd nodes",
 * CreateReplicationGroup, DataTieringEnabled), a setting the session store does not make (it would
 * page sessions out to SSD, and it cannot be changed without replacing the group).
 */
export const CACHE_NODE_FAMILIES = ["t3", "t4g", "m5", "m6g", "m7g", "r5", "r6g", "r7g", "c7gn"] as const;
/** Families that run only with data tiering (see CACHE_NODE_FAMILIES). */
export const CACHE_DATA_TIERING_FAMILIES = ["r6gd"] as const;
const NODE_TYPE = /^cache\.([a-z0-9]+)\.([a-z0-9]+)$/;

export function parseNodeType(nodeType: string): { family: string; size: string } | undefined {
  const m = NODE_TYPE.exec(nodeType);
  return m ? { family: m[1], size: m[2] } : undefined;
}

/**
 * At most 5 replicas per shard: a shard is one primary plus up to five replicas ("Working with
 * shards", https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Shards.html: "A node group
 * (shard) ... 1-6 nodes").
 */
export const MAX_CACHE_REPLICAS = 5;

/** A node of the (single-shard, cluster-mode-disabled) replication group and where it runs. */
export interface PlannedCacheNode {
  /** 1-based, as ElastiCache names member clusters (`<group>-001`, `<group>-002`, ...). */
  readonly ordinal: number;
  readonly role: "primary" | "replica";
  /** Index into the VPC's AZ list. */
  readonly azIndex: number;
}

/**
 * Node i in AZ i: the primary in the first AZ, each replica in a further one, so a replica in
 * another AZ can take over when the primary's AZ fails. Config keeps `1 + replicas <= azCount`.
 */
export function planCacheNodes(replicas: number, azCount: number): PlannedCacheNode[] {
  if (!Number.isInteger(replicas) || replicas < 0 || replicas > MAX_CACHE_REPLICAS) {
    throw new Error(`planCacheNodes: replicas must be an integer 0..${MAX_CACHE_REPLICAS}, got ${replicas}`);
  }
  if (replicas + 1 > azCount) throw new Error(`planCacheNodes: ${replicas + 1} nodes need ${replicas + 1} AZs, the network has ${azCount}`);
  return Array.from({ length: replicas + 1 }, (_, i) => ({ ordinal: i + 1, role: i === 0 ? "primary" : "replica", azIndex: i }));
}

/** Physical names of the session store (pure; the limits are ElastiCache's). */
export interface CacheNames {
  /** Replication group id: 1-40 characters, letters, digits and hyphens, starting with a letter, no `--`, not ending with `-`. */
  readonly replicationGroupId: string;
  /** The IAM-authenticated user the services connect as: user id and user name, equal and lowercase (IAM authentication requires it). */
  readonly userId: string;
  /** The disabled `default` user every user group must contain. */
  readonly defaultUserId: string;
  readonly userGroupId: string;
  /** Log groups, under the environment's log prefix so the logs key encrypts them. */
  readonly slowLogGroupName: string;
  readonly engineLogGroupName: string;
  /** Taken when the replication group is deleted (prod-like configs). */
  readonly finalSnapshotIdentifier: string;
}

export function cacheNames(project: string, stack: string, logGroupPrefix: string): CacheNames {
  const base = `${project}-${stack}`.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/-+/g, "-");
  const rg = `${base}-cache`.slice(0, 40).replace(/-+$/, "");
  return {
    replicationGroupId: rg,
    userId: `${base}-app`,
    defaultUserId: `${base}-default`,
    userGroupId: `${base}-cache-users`,
    slowLogGroupName: `${logGroupPrefix}/elasticache/slow-log`,
    engineLogGroupName: `${logGroupPrefix}/elasticache/engine-log`,
    finalSnapshotIdentifier: `${rg}-final`,
  };
}

/** The ARN of a replication group and of an RBAC user, as `elasticache:Connect` names them. */
export function cacheConnectArns(region: string, accountId: string, replicationGroupId: string, userId: string): { replicationGroupArn: string; userArn: string } {
  const base = `arn:${partitionOf(region)}:elasticache:${region}:${accountId}`;
  return { replicationGroupArn: `${base}:replicationgroup:${replicationGroupId}`, userArn: `${base}:user:${userId}` };
}

/**
 * The only right a service with `cache: true` gets: `elasticache:Connect` on the replication group
 * and on the user it connects as — both resources are required ("The IAM identity needs an
 * associated policy to grant the elasticache:Connect action to the ElastiCache cache and
 * ElastiCache user", auth-iam.html, Setup).
 */
export function cacheConnectPolicy(region: string, accountId: string, replicationGroupId: string, userId: string): PolicyDocument {
  const arns = cacheConnectArns(region, accountId, replicationGroupId, userId);
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "ConnectAsCacheUser", Effect: "Allow", Action: "elasticache:Connect", Resource: [arns.replicationGroupArn, arns.userArn] }],
  };
}

/**
 * The cache key's policy: administered through IAM in this account, nothing else. ElastiCache uses
 * the key through grants it creates on the caller's behalf while the caller's IAM permissions
 * allow it (At-Rest Encryption in ElastiCache, "Using customer managed keys from AWS KMS",
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html).
 */
export function cacheKeyPolicy(accountId: string, partition = "aws"): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "AccountAdministersKeyThroughIam", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${accountId}:root` }, Action: "kms:*", Resource: "*" }],
  };
}

/**
 * The access strings of the two RBAC users: the service user may run every command on every key
 * and channel (a session store has one tenant); the `default` user is switched off and may run
 * nothing, so a connection that does not authenticate (it is the `default` user) is refused.
 */
export const CACHE_APP_ACCESS_STRING = "on ~* &* +@all";
export const CACHE_DEFAULT_ACCESS_STRING = "off -@all";

// ---------------------------------------------------------------------------------------------
// Windows

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export const SNAPSHOT_WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;
export const CACHE_MAINTENANCE_WINDOW = /^(sun|mon|tue|wed|thu|fri|sat):([01]\d|2[0-3]):([0-5]\d)-(sun|mon|tue|wed|thu|fri|sat):([01]\d|2[0-3]):([0-5]\d)$/;
const WEEK = 7 * 24 * 60;

/** Minutes of the week a window covers, as [start, end) intervals (a window may wrap past midnight or the week's end). */
function intervals(start: number, end: number, period: number): Array<[number, number]> {
  if (end > start) return [[start, end]];
  return [
    [start, period],
    [0, end],
  ];
}

/** A daily `hh24:mi-hh24:mi` window, every day of the week, in minutes of the week. */
export function dailyWindowMinutes(window: string): Array<[number, number]> | undefined {
  const m = SNAPSHOT_WINDOW.exec(window);
  if (!m) return undefined;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  if (start === end) return undefined;
  const out: Array<[number, number]> = [];
  for (let d = 0; d < 7; d++) for (const [a, b] of intervals(start, end, 1440)) out.push([d * 1440 + a, d * 1440 + b]);
  return out;
}

/** A weekly `ddd:hh24:mi-ddd:hh24:mi` window in minutes of the week. */
export function weeklyWindowMinutes(window: string): Array<[number, number]> | undefined {
  const m = CACHE_MAINTENANCE_WINDOW.exec(window.toLowerCase());
  if (!m) return undefined;
  const start = DAYS.indexOf(m[1] as (typeof DAYS)[number]) * 1440 + Number(m[2]) * 60 + Number(m[3]);
  const end = DAYS.indexOf(m[4] as (typeof DAYS)[number]) * 1440 + Number(m[5]) * 60 + Number(m[6]);
  if (start === end) return undefined;
  return intervals(start, end, WEEK);
}

/** Length of a window in minutes (daily windows: one day's share). */
export function windowLength(window: string): number | undefined {
  const daily = dailyWindowMinutes(window);
  if (daily) return daily.slice(0, daily.length / 7).reduce((n, [a, b]) => n + (b - a), 0);
  const weekly = weeklyWindowMinutes(window);
  return weekly ? weekly.reduce((n, [a, b]) => n + (b - a), 0) : undefined;
}

/** Whether a daily snapshot window and a weekly maintenance window share any minute. */
export function windowsOverlap(snapshotWindow: string, maintenanceWindow: string): boolean {
  const s = dailyWindowMinutes(snapshotWindow) ?? [];
  const w = weeklyWindowMinutes(maintenanceWindow) ?? [];
  return s.some(([a, b]) => w.some(([c, d]) => a < d && c < b));
}
