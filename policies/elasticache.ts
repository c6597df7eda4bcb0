import { Policies } from "@pulumi/policy";
import { resourcePolicy, stackPolicy } from "./lib/define";
import { Resource, StackGraph, describe, prop, unique } from "./lib/graph";
import { describeRange } from "./lib/ports";
import { list } from "./lib/props";
import { T } from "./lib/types";
import { forEachKnown, isPresent } from "./lib/unknowns";
import { effectiveRules } from "./securitygroup";

/**
 * ElastiCache for Valkey / Redis OSS (the session store, docs/cache.md). Encryption, auth,
 * availability, snapshots and log delivery live on the replication group; placement and ingress
 * are stack-wide (its subnet group's subnets, its security groups' rules).
 */

/** The port Valkey and Redis OSS listen on unless told otherwise. */
export const CACHE_DEFAULT_PORT = 6379;
/** Log types a replication group can deliver; both are required. */
export const CACHE_LOG_TYPES = ["slow-log", "engine-log"] as const;

export const replicationGroupRequireEncryptionAtRest = resourcePolicy({
  name: "elasticache-replicationgroup-require-encryption-at-rest",
  description: "ElastiCache replication groups must encrypt data at rest (disk during sync, swap and snapshots).",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: [],
  types: [T.elasticacheReplicationGroup],
  validate: (r, report) => {
    // Unset is unencrypted for Valkey / Redis OSS node-based clusters.
    const v = r.props.atRestEncryptionEnabled;
    if (v !== true && v !== "true") report("Data at rest is not encrypted; set atRestEncryptionEnabled: true (with a customer-managed kmsKeyId).");
  },
});

export const replicationGroupRequireCustomerManagedKey = resourcePolicy({
  name: "elasticache-replicationgroup-require-customer-managed-key",
  description: "ElastiCache replication groups must be encrypted at rest with a customer-managed KMS key.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "medium",
  catalog: [],
  types: [T.elasticacheReplicationGroup],
  validate: (r, report) => {
    if (!isPresent(r.props, "kmsKeyId")) report("Data at rest uses the AWS-owned key; set kmsKeyId to a customer-managed key.");
  },
});

export const replicationGroupRequireEncryptionInTransit = resourcePolicy({
  name: "elasticache-replicationgroup-require-encryption-in-transit",
  description: "ElastiCache replication groups must require TLS from every client.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: [],
  types: [T.elasticacheReplicationGroup],
  validate: (r, report) => {
    if (r.props.transitEncryptionEnabled !== true) {
      report("In-transit encryption is off; set transitEncryptionEnabled: true and transitEncryptionMode: \"required\".");
    } else if (r.props.transitEncryptionMode === "preferred") {
      // "preferred" accepts plaintext connections too (a migration mode).
      report("TLS is only preferred, so plaintext connections are still accepted; set transitEncryptionMode: \"required\".");
    }
  },
});

export const replicationGroupRequireAuthentication = resourcePolicy({
  name: "elasticache-replicationgroup-require-authentication",
  description: "ElastiCache replication groups must authenticate clients, through an RBAC user group or an AUTH token.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: [],
  types: [T.elasticacheReplicationGroup],
  validate: (r, report) => {
    const groups = r.props.userGroupIds;
    const hasGroup = Array.isArray(groups) ? groups.length > 0 : isPresent(r.props, "userGroupIds");
    if (!hasGroup && !isPresent(r.props, "authToken")) {
      report("Any client that reaches the port can run every command; set userGroupIds to an RBAC user group (IAM authentication).");
    }
  },
});

export const userDisallowEnabledDefaultUser = resourcePolicy({
  name: "elasticache-user-disallow-enabled-default-user",
  description: "An ElastiCache RBAC user named default must be switched off: unauthenticated connections run as it.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: [],
  types: [T.elasticacheUser],
  validate: (r, report) => {
    const access = typeof r.props.accessString === "string" ? r.props.accessString.trim().split(/\s+/) : [];
    // Rules apply left to right; the last of on/off wins (Valkey ACL rules).
    const state = access.filter((t) => t === "on" || t === "off").pop();
    if (r.props.userName === "default" && state !== "off") {
      report(`The default user is enabled (access string "${String(r.props.accessString ?? "")}"); start its access string with "off" (e.g. "off -@all").`);
    }
  },
});

export const replicationGroupRequireMultiAz = resourcePolicy({
  name: "elasticache-replicationgroup-require-multi-az",
  description: "ElastiCache replication groups must run Multi-AZ with automatic failover and at least one replica.",
  enforcementLevel: "mandatory",
  category: "reliability",
  severity: "high",
  catalog: [],
  types: [T.elasticacheReplicationGroup],
  validate: (r, report) => {
    const nodes = typeof r.props.numCacheClusters === "number" ? r.props.numCacheClusters : 1;
    if (nodes < 2) report(`The replication group runs ${nodes} node(s); set numCacheClusters to at least 2 so a replica can take over.`);
    if (r.props.automaticFailoverEnabled !== true) report("Automatic failover is off; set automaticFailoverEnabled: true.");
    if (r.props.multiAzEnabled !== true) report("Multi-AZ is off; set multiAzEnabled: true.");
  },
});

export const replicationGroupConfigureSnapshotRetention = resourcePolicy<{ minimumRetentionDays: number }>({
  name: "elasticache-replicationgroup-configure-snapshot-retention",
  description: "ElastiCache replication groups must keep automatic snapshots for at least the configured number of days (7 in production).",
  enforcementLevel: "mandatory",
  category: "reliability",
  severity: "medium",
  catalog: [],
  configSchema: { properties: { minimumRetentionDays: { type: "integer", minimum: 1, maximum: 35, default: 7 } } },
  defaults: { minimumRetentionDays: 7 },
  types: [T.elasticacheReplicationGroup],
  validate: (r, report) => {
    // Unset means no automatic snapshots.
    const days = typeof r.props.snapshotRetentionLimit === "number" ? r.props.snapshotRetentionLimit : 0;
    if (days < r.config.minimumRetentionDays) {
      report(`Snapshots are kept ${days} day(s); set snapshotRetentionLimit to at least ${r.config.minimumRetentionDays}.`);
    }
    if (!isPresent(r.props, "finalSnapshotIdentifier")) {
      report("Deleting the replication group leaves no final snapshot; set finalSnapshotIdentifier.");
    }
  },
});

export const replicationGroupEnableLogDelivery = resourcePolicy({
  name: "elasticache-replicationgroup-enable-log-delivery",
  description: "ElastiCache replication groups must deliver their slow log and engine log to CloudWatch Logs.",
  enforcementLevel: "mandatory",
  category: "operations",
  severity: "medium",
  catalog: [],
  types: [T.elasticacheReplicationGroup],
  validate: (r, report) => {
    const delivered = list(r.props.logDeliveryConfigurations).map((c) => String(c.logType ?? ""));
    const missing = CACHE_LOG_TYPES.filter((t) => !delivered.includes(t));
    if (missing.length > 0) report(`Logs ${missing.join(", ")} are not delivered; add logDeliveryConfigurations to CloudWatch Logs for them.`);
  },
});

// --- stack-wide -------------------------------------------------------------------------------

export const subnetGroupRequireIsolatedSubnets = stackPolicy({
  name: "elasticache-subnetgroup-require-isolated-subnets",
  description: "ElastiCache replication groups must use a dedicated subnet group of isolated-tier subnets (no route to the internet).",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: [],
  appliesTo: [T.elasticacheReplicationGroup, T.elasticacheSubnetGroup],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.elasticacheReplicationGroup), (rg) => {
      if (!isPresent(rg.props, "subnetGroupName")) {
        report(`${describe(rg)} uses the default cache subnet group; set subnetGroupName to a subnet group of isolated subnets.`, rg.urn);
      }
    });
    forEachKnown(graph.ofType(T.elasticacheSubnetGroup), (group) => {
      for (const s of graph.refs(group, "subnetIds", [T.subnet])) {
        const tier = graph.tierOf(s);
        const routed = graph.routedTier(s);
        if (tier !== "isolated" || (routed !== undefined && routed !== "isolated")) {
          report(
            `${describe(group)} includes ${describe(s)} (tier ${tier ?? "unknown"}${routed && routed !== tier ? `, routed as ${routed}` : ""}); ` +
              "use only isolated subnets, which have no route to the internet.",
            group.urn,
          );
        }
      }
    });
  },
});

/** Security groups allowed to reach a cache: the ECS services' (those with `cache: true` add a rule). */
function serviceGroups(graph: StackGraph): Set<Resource> {
  return new Set(unique(graph.ofType(T.ecsService, T.ecsTaskSet).flatMap((s) => graph.securityGroupsOf(s))));
}

export const replicationGroupDisallowUntrustedIngress = stackPolicy({
  name: "elasticache-replicationgroup-disallow-untrusted-ingress",
  description: "A cache's security groups must admit only service security groups, by reference and only on the cache port, and allow no egress.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: [],
  appliesTo: [T.elasticacheReplicationGroup],
  validate: ({ graph }, report) => {
    const trusted = serviceGroups(graph);
    forEachKnown(graph.ofType(T.elasticacheReplicationGroup), (rg) => {
      const groups = graph.securityGroupsOf(rg);
      if (groups.length === 0 && !isPresent(rg.props, "securityGroupIds")) {
        report(`${describe(rg)} has no security group and falls back to the VPC default; give it its own security group.`, rg.urn);
        return;
      }
      const port = typeof prop(rg, "port") === "number" ? (prop(rg, "port") as number) : CACHE_DEFAULT_PORT;
      for (const sg of groups) {
        for (const e of effectiveRules(graph, sg)) {
          if (e.rule.direction === "egress") {
            report(`${describe(sg)} of ${describe(rg)} allows egress (${describeRange(e.rule.range)}); a cache security group needs no egress rules.`, e.source.urn);
            continue;
          }
          const where = e.rule.cidr ?? (e.rule.prefixList ? "a prefix list" : "another security group");
          const portOk = e.rule.range.protocol === "tcp" && e.rule.range.from === port && e.rule.range.to === port;
          const peersOk = e.rule.groupPeer && e.peers.length > 0 && e.peers.every((p) => trusted.has(p));
          if (!peersOk || !portOk) {
            report(
              `${describe(sg)} of ${describe(rg)} admits ${where} on ${describeRange(e.rule.range)}; ` +
                `admit only the security groups of services that use the cache, by reference, on port ${port}.`,
              e.source.urn,
            );
          }
        }
      }
    });
  },
});

export const policies: Policies = [
  replicationGroupRequireEncryptionAtRest,
  replicationGroupRequireCustomerManagedKey,
  replicationGroupRequireEncryptionInTransit,
  replicationGroupRequireAuthentication,
  userDisallowEnabledDefaultUser,
  replicationGroupRequireMultiAz,
  replicationGroupConfigureSnapshotRetention,
  replicationGroupEnableLogDelivery,
  subnetGroupRequireIsolatedSubnets,
  replicationGroupDisallowUntrustedIngress,
];
