import { num, prop, str } from "./graph";
import { priced } from "./lines";
import type { Rule, RuleResult } from "./rules";

/**
 * ElastiCache (the session store, docs/cache.md), node-based: every node of a replication group
 * bills per node-hour at its node type's rate, which depends on the engine (node-based Valkey is
 * priced 20% below Redis OSS, AWS ElastiCache pricing page), whether it is a primary or a replica.
 * Backup storage: one backup per active cluster is free; storage beyond it bills per GB-month
 * (usage key `backup_storage_gb`, the excess only). Data transfer within an AZ is free and across
 * AZs is EC2's regional rate, not priced here. The group's parameter group, subnet group, users
 * and user group are free.
 */
export const elasticacheReplicationGroup: Rule = (r, ctx): RuleResult => {
  const nodeType = str(prop(r, "nodeType"));
  if (nodeType === undefined) return { kind: "skip", reason: "nodeType is not known yet" };
  const engine = str(prop(r, "engine")) ?? "redis";
  const nodes = num(prop(r, "numCacheClusters")) ?? 1;
  const lines = [
    ctx.hourly(`Cache nodes (${nodes} × ${nodeType}, ${engine})`, nodes, `elasticache-node-hour:${engine}:${nodeType}`),
    ctx.usageLine(r, "Backup storage beyond the free backup", "backup_storage_gb", "elasticache-backup-gb-month", { unit: "GB-months" }),
  ];
  return priced(lines, [`${nodes} node(s): one primary${nodes > 1 ? ` and ${nodes - 1} replica(s)` : ""}; snapshots kept ${num(prop(r, "snapshotRetentionLimit")) ?? 0} day(s)`]);
};

/** Usage keys the rule reads. */
export const ELASTICACHE_USAGE_KEYS = { "aws:elasticache/replicationGroup:ReplicationGroup": ["backup_storage_gb"] } as const;

/** ElastiCache types with no charge of their own. */
export const ELASTICACHE_FREE_TYPES = [
  "aws:elasticache/subnetGroup:SubnetGroup",
  "aws:elasticache/parameterGroup:ParameterGroup",
  "aws:elasticache/user:User",
  "aws:elasticache/userGroup:UserGroup",
] as const;
