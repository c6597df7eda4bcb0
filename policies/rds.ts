import { Policies } from "@pulumi/policy";
import { Props, resourcePolicy, stackPolicy } from "./lib/define";
import { Resource, StackGraph, describe, prop, unique } from "./lib/graph";
import { describeRange } from "./lib/ports";
import { list } from "./lib/props";
import { launchedRole } from "./lib/tags";
import { runTaskSecurityGroups } from "./lib/ecs";
import { T } from "./lib/types";
import { forEachKnown, isPresent, peek } from "./lib/unknowns";
import { effectiveRules } from "./securitygroup";

/**
 * Aurora. Encryption, backups, IAM auth, deletion protection, log exports, port and user name
 * live on the cluster; public access and minor upgrades on each cluster instance.
 */

function engineOf(p: Props): "postgres" | "mysql" | "other" {
  const e = String(p.engine ?? "");
  if (e.includes("postgres")) return "postgres";
  if (e.includes("mysql")) return "mysql";
  return "other";
}

export const DEFAULT_PORTS: Record<string, number> = { postgres: 5432, mysql: 3306 };

export const clusterRequireStorageEncryption = resourcePolicy({
  name: "rds-cluster-require-storage-encryption",
  description: "Aurora clusters must encrypt their storage.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["58"],
  types: [T.rdsCluster, T.rdsInstance],
  validate: (r, report) => {
    // Unset means unencrypted for provisioned clusters and instances.
    if (r.props.storageEncrypted !== true) report("Storage is not encrypted; set storageEncrypted: true (with a customer-managed kmsKeyId).");
  },
});

export const clusterRequireCustomerManagedKey = resourcePolicy({
  name: "rds-cluster-require-customer-managed-key",
  description: "Aurora clusters must be encrypted with a customer-managed KMS key.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "medium",
  catalog: ["59"],
  types: [T.rdsCluster],
  validate: (r, report) => {
    if (!isPresent(r.props, "kmsKeyId")) report("Storage uses the AWS-managed key; set kmsKeyId to the platform's customer-managed key.");
  },
});

export const instanceDisallowPublicAccess = resourcePolicy({
  name: "rds-clusterinstance-disallow-public-access",
  description: "Database instances must not be publicly accessible.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["60"],
  types: [T.rdsClusterInstance, T.rdsInstance],
  validate: (r, report) => {
    if (r.props.publiclyAccessible === true) report("The database instance is publicly accessible; set publiclyAccessible: false.");
  },
});

export const clusterEnableDeletionProtection = resourcePolicy({
  name: "rds-cluster-enable-deletion-protection",
  description: "Aurora clusters must have deletion protection on.",
  enforcementLevel: "mandatory",
  category: "reliability",
  severity: "high",
  catalog: ["61"],
  types: [T.rdsCluster],
  validate: (r, report) => {
    if (r.props.deletionProtection !== true) report("Deletion protection is off; set deletionProtection: true.");
  },
});

export const clusterConfigureBackupRetention = resourcePolicy<{ minimumRetentionDays: number }>({
  name: "rds-cluster-configure-backup-retention",
  description: "Aurora clusters must keep automated backups for at least the configured number of days (7 in production).",
  enforcementLevel: "mandatory",
  category: "reliability",
  severity: "medium",
  catalog: ["62"],
  configSchema: { properties: { minimumRetentionDays: { type: "integer", minimum: 1, maximum: 35, default: 7 } } },
  defaults: { minimumRetentionDays: 7 },
  types: [T.rdsCluster],
  validate: (r, report) => {
    // The provider's default is 1 day.
    const days = typeof r.props.backupRetentionPeriod === "number" ? r.props.backupRetentionPeriod : 1;
    if (days < r.config.minimumRetentionDays) {
      report(`Backups are kept ${days} day(s); set backupRetentionPeriod to at least ${r.config.minimumRetentionDays}.`);
    }
  },
});

export const clusterRequireFinalSnapshot = resourcePolicy({
  name: "rds-cluster-require-final-snapshot",
  description: "Deleting an Aurora cluster must leave a final snapshot.",
  enforcementLevel: "mandatory",
  category: "reliability",
  severity: "medium",
  catalog: ["63"],
  types: [T.rdsCluster],
  validate: (r, report) => {
    if (r.props.skipFinalSnapshot === true) {
      report("Deleting the cluster skips the final snapshot; set skipFinalSnapshot: false and a finalSnapshotIdentifier.");
    } else if (!isPresent(r.props, "finalSnapshotIdentifier")) {
      report("No finalSnapshotIdentifier is set, so the cluster cannot be deleted with a final snapshot; set one.");
    }
  },
});

/**
 * Mandatory (the catalog row 65 says advisory): services log in as their own users with IAM tokens
 * and hold no password (docs/database.md), so without IAM authentication they cannot connect.
 */
export const clusterEnableIamAuthentication = resourcePolicy({
  name: "rds-cluster-enable-iam-authentication",
  description: "Aurora clusters must accept IAM database authentication: services log in with IAM tokens, never with a password.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["65"],
  types: [T.rdsCluster],
  validate: (r, report) => {
    if (r.props.iamDatabaseAuthenticationEnabled !== true) report("IAM database authentication is off; set iamDatabaseAuthenticationEnabled: true (services log in with IAM tokens).");
  },
});

export const clusterEnableAutoMinorUpgrade = resourcePolicy({
  name: "rds-cluster-enable-auto-minor-upgrade",
  description: "Database instances must take minor engine upgrades automatically.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "medium",
  catalog: ["66"],
  types: [T.rdsCluster, T.rdsClusterInstance],
  validate: (r, report) => {
    if (r.props.autoMinorVersionUpgrade === false) report("Automatic minor version upgrades are off; remove autoMinorVersionUpgrade: false.");
  },
});

export const REQUIRED_LOG_EXPORTS: Record<string, string[]> = {
  postgres: ["postgresql"],
  mysql: ["audit", "error", "slowquery"],
};

export const clusterEnableLogExports = resourcePolicy({
  name: "rds-cluster-enable-log-exports",
  description: "Aurora clusters must export their engine logs to CloudWatch Logs.",
  enforcementLevel: "mandatory",
  category: "operations",
  severity: "medium",
  catalog: ["67"],
  types: [T.rdsCluster],
  validate: (r, report) => {
    const required = REQUIRED_LOG_EXPORTS[engineOf(r.props)] ?? [];
    const have = Array.isArray(r.props.enabledCloudwatchLogsExports) ? (r.props.enabledCloudwatchLogsExports as string[]) : [];
    const missing = required.filter((l) => !have.includes(l));
    if (missing.length > 0) report(`Engine logs ${missing.join(", ")} are not exported; add them to enabledCloudwatchLogsExports.`);
  },
});

export const clusterEnableCopyTagsToSnapshot = resourcePolicy({
  name: "rds-cluster-enable-copy-tags-to-snapshot",
  description: "Aurora clusters must copy their tags to snapshots.",
  enforcementLevel: "mandatory",
  category: "operations",
  severity: "low",
  catalog: ["73"],
  types: [T.rdsCluster],
  validate: (r, report) => {
    if (r.props.copyTagsToSnapshot !== true) report("Snapshots do not carry the cluster's tags; set copyTagsToSnapshot: true.");
  },
});

export const clusterConfigureNonDefaultPort = resourcePolicy({
  name: "rds-cluster-configure-non-default-port",
  description: "Aurora clusters should not listen on the engine's default port.",
  enforcementLevel: "advisory",
  category: "security",
  severity: "low",
  catalog: ["74"],
  types: [T.rdsCluster],
  validate: (r, report) => {
    const def = DEFAULT_PORTS[engineOf(r.props)];
    const port = typeof r.props.port === "number" ? r.props.port : def;
    if (def !== undefined && port === def) report(`The cluster listens on the default port ${def}; choose another port.`);
  },
});

export const DEFAULT_MASTER_USERNAMES = ["admin", "administrator", "root", "postgres", "master", "sa", "user", "mysql"];

export const clusterDisallowDefaultMasterUsername = resourcePolicy<{ forbiddenUsernames: string[] }>({
  name: "rds-cluster-disallow-default-master-username",
  description: "The master user name must not be a well-known default.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "medium",
  catalog: ["75"],
  configSchema: { properties: { forbiddenUsernames: { type: "array", items: { type: "string" }, default: DEFAULT_MASTER_USERNAMES } } },
  defaults: { forbiddenUsernames: DEFAULT_MASTER_USERNAMES },
  types: [T.rdsCluster],
  validate: (r, report) => {
    const user = r.props.masterUsername;
    if (typeof user === "string" && r.config.forbiddenUsernames.includes(user.toLowerCase())) {
      report(`The master user name "${user}" is a well-known default; choose a project-specific name.`);
    }
  },
});

export const clusterRequireManagedMasterPassword = resourcePolicy({
  name: "rds-cluster-require-managed-master-password",
  description: "The master password must be generated and rotated by RDS in Secrets Manager, never passed in.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["76"],
  types: [T.rdsCluster],
  validate: (r, report) => {
    if (isPresent(r.props, "masterPassword") || isPresent(r.props, "masterPasswordWo")) {
      report("A master password is passed in; remove masterPassword and set manageMasterUserPassword: true.");
    } else if (r.props.manageMasterUserPassword !== true && !isPresent(r.props, "snapshotIdentifier") && !isPresent(r.props, "replicationSourceIdentifier")) {
      report("The master password is not managed by RDS; set manageMasterUserPassword: true (with masterUserSecretKmsKeyId).");
    }
  },
});

export const CURRENT_CA_CERTIFICATES = ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"];

export const clusterInstanceConfigureCaCertificate = resourcePolicy({
  name: "rds-clusterinstance-configure-ca-certificate",
  description: "Database instances should use a current RDS CA certificate.",
  enforcementLevel: "advisory",
  category: "security",
  severity: "low",
  catalog: ["70"],
  types: [T.rdsClusterInstance],
  validate: (r, report) => {
    const ca = r.props.caCertIdentifier;
    if (typeof ca === "string" && !CURRENT_CA_CERTIFICATES.includes(ca)) {
      report(`CA certificate "${ca}" is not current; set caCertIdentifier to "rds-ca-rsa2048-g1" or a newer one.`);
    }
  },
});

// --- stack-wide -------------------------------------------------------------------------------

function parametersOf(graph: StackGraph, cluster: Resource): Map<string, string> | undefined {
  const pg = graph.refs(cluster, "dbClusterParameterGroupName", [T.rdsClusterParameterGroup])[0];
  if (!pg) return undefined;
  return new Map(list(prop(pg, "parameters")).map((p) => [String(p.name).toLowerCase(), String(p.value)]));
}

export const clusterRequireTls = stackPolicy({
  name: "rds-cluster-require-tls",
  description: "Aurora clusters must refuse unencrypted connections, through their cluster parameter group.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["69", "X20"],
  appliesTo: [T.rdsCluster],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.rdsCluster), (cluster) => {
      const engine = engineOf(cluster.props);
      const [name, value] = engine === "mysql" ? ["require_secure_transport", "ON"] : ["rds.force_ssl", "1"];
      const params = parametersOf(graph, cluster);
      if (engine === "other") return;
      if (params?.get(name)?.toUpperCase() !== value) {
        report(`${describe(cluster)} accepts unencrypted connections; use a cluster parameter group that sets ${name} = ${value}.`, cluster.urn);
      }
    });
  },
});

export const clusterConfigureAuditLogging = stackPolicy({
  name: "rds-cluster-configure-audit-logging",
  description: "Aurora clusters must log database activity (pgaudit/statement logging or the MySQL audit log).",
  enforcementLevel: "mandatory",
  category: "operations",
  severity: "medium",
  catalog: ["68"],
  appliesTo: [T.rdsCluster],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.rdsCluster), (cluster) => {
      const engine = engineOf(cluster.props);
      if (engine === "other") return;
      const params = parametersOf(graph, cluster) ?? new Map<string, string>();
      const ok =
        engine === "mysql"
          ? params.get("server_audit_logging") === "1" && (params.get("server_audit_events") ?? "") !== ""
          : (params.get("shared_preload_libraries") ?? "").includes("pgaudit") ||
            ["ddl", "mod", "all"].includes(params.get("log_statement") ?? "") ||
            (params.has("log_min_duration_statement") && params.get("log_min_duration_statement") !== "-1");
      if (!ok) {
        const how =
          engine === "mysql"
            ? "server_audit_logging = 1 and server_audit_events"
            : "pgaudit in shared_preload_libraries, or log_statement = ddl";
        report(`${describe(cluster)} does not log database activity; set ${how} in its cluster parameter group.`, cluster.urn);
      }
    });
  },
});

export const subnetGroupRequireIsolatedSubnets = stackPolicy<{ minimumAzs: number }>({
  name: "rds-subnetgroup-require-isolated-subnets",
  description: "Databases must use a dedicated subnet group of isolated-tier subnets (no default route) in at least two AZs.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["81", "X5"],
  configSchema: { properties: { minimumAzs: { type: "integer", minimum: 1, default: 2 } } },
  defaults: { minimumAzs: 2 },
  appliesTo: [T.rdsCluster, T.rdsSubnetGroup],
  validate: ({ graph, config }, report) => {
    forEachKnown(graph.ofType(T.rdsCluster, T.rdsInstance), (db) => {
      if (!isPresent(db.props, "dbSubnetGroupName")) {
        report(`${describe(db)} uses the default DB subnet group; set dbSubnetGroupName to a subnet group of isolated subnets.`, db.urn);
      }
    });
    forEachKnown(graph.ofType(T.rdsSubnetGroup), (group) => {
      const subnets = graph.refs(group, "subnetIds", [T.subnet]);
      for (const s of subnets) {
        const tier = graph.tierOf(s);
        const routed = graph.routedTier(s);
        if (tier !== "isolated" || (routed !== undefined && routed !== "isolated")) {
          report(
            `${describe(group)} includes ${describe(s)} (tier ${tier ?? "unknown"}${routed && routed !== tier ? `, routed as ${routed}` : ""}); ` +
              `use only isolated subnets, which have no route to the internet.`,
            group.urn,
          );
        }
      }
      const azs = graph.availabilityZonesOf(subnets);
      if (subnets.length > 0 && azs.size < config.minimumAzs) {
        report(`${describe(group)} covers ${azs.size} availability zone(s); include isolated subnets of at least ${config.minimumAzs} AZs.`, group.urn);
      }
    });
  },
});

export const clusterRequireMultiAz = stackPolicy<{ minimumInstances: number }>({
  name: "rds-cluster-require-multi-az",
  description: "Aurora clusters must run at least two instances in different availability zones.",
  enforcementLevel: "mandatory",
  category: "reliability",
  severity: "high",
  catalog: ["64", "X13"],
  configSchema: { properties: { minimumInstances: { type: "integer", minimum: 1, default: 2 } } },
  defaults: { minimumInstances: 2 },
  appliesTo: [T.rdsCluster],
  validate: ({ graph, config }, report) => {
    forEachKnown(graph.ofType(T.rdsCluster), (cluster) => {
      const instances = graph.referrers(cluster, T.rdsClusterInstance, "clusterIdentifier");
      if (instances.length < config.minimumInstances) {
        report(
          `${describe(cluster)} has ${instances.length} instance(s); add aws.rds.ClusterInstance resources up to at least ${config.minimumInstances} so a replica can take over.`,
          cluster.urn,
        );
        return;
      }
      const azs = instances.map((i) => peek(() => prop(i, "availabilityZone"))).filter((a): a is string => typeof a === "string" && a !== "");
      if (azs.length === instances.length && new Set(azs).size < 2) {
        report(`${describe(cluster)} places every instance in ${azs[0]}; put them in different availability zones.`, cluster.urn);
      }
    });
  },
});

const TRUSTED_ROLES = ["bastion"];

/**
 * Security groups allowed to reach databases: ECS services' tasks, bastions, one-off tasks such as
 * the database bootstrap (lib/ecs.ts runTaskSecurityGroups), and groups from the management stack.
 */
function trustedGroups(graph: StackGraph): Set<Resource> {
  const services = graph.ofType(T.ecsService, T.ecsTaskSet).flatMap((s) => graph.securityGroupsOf(s));
  const bastions = graph
    .ofType(T.launchTemplate, T.instance)
    .filter((r) => {
      // Read outside forEachKnown: a template whose tag specifications are unknown is just not trusted.
      const known = { tagSpecifications: peek(() => prop(r, "tagSpecifications")) };
      return TRUSTED_ROLES.includes(launchedRole(r.type, known, () => graph.tags(r)) ?? "");
    })
    .flatMap((r) => graph.securityGroupsOf(r));
  return new Set(unique([...services, ...bastions, ...runTaskSecurityGroups(graph)]));
}

export const clusterDisallowUntrustedIngress = stackPolicy({
  name: "rds-cluster-disallow-untrusted-ingress",
  description:
    "A database's security groups must admit only the service and bastion security groups, by reference and only on the database port, and allow no egress.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["X1", "14"],
  appliesTo: [T.rdsCluster],
  validate: ({ graph }, report) => {
    const trusted = trustedGroups(graph);
    forEachKnown(graph.ofType(T.rdsCluster), (cluster) => {
      const groups = graph.securityGroupsOf(cluster);
      if (groups.length === 0 && !isPresent(cluster.props, "vpcSecurityGroupIds")) {
        report(`${describe(cluster)} has no security group and falls back to the VPC default; give it its own security group.`, cluster.urn);
        return;
      }
      const port = typeof prop(cluster, "port") === "number" ? (prop(cluster, "port") as number) : DEFAULT_PORTS[engineOf(cluster.props)];
      for (const sg of groups) {
        for (const e of effectiveRules(graph, sg)) {
          if (e.rule.direction === "egress") {
            report(`${describe(sg)} of ${describe(cluster)} allows egress (${describeRange(e.rule.range)}); a database security group needs no egress rules.`, e.source.urn);
            continue;
          }
          const where = e.rule.cidr ?? (e.rule.prefixList ? "a prefix list" : "another security group");
          const portOk = e.rule.range.protocol === "tcp" && e.rule.range.from === port && e.rule.range.to === port;
          // Peers read from a StackReference (the management VPC's bastion group) are trusted;
          // peers in this stack must be a service's or a bastion's group.
          const fromStackReference =
            e.rule.groupPeer && e.peers.length === 0 && graph.stackReferenceOf(e.source, "referencedSecurityGroupId") !== undefined;
          const peersOk = e.rule.groupPeer && (fromStackReference || (e.peers.length > 0 && e.peers.every((p) => trusted.has(p))));
          if (!peersOk || !portOk) {
            report(
              `${describe(sg)} of ${describe(cluster)} admits ${where} on ${describeRange(e.rule.range)}; ` +
                `admit only the service and bastion security groups, by reference, on port ${port}.`,
              e.source.urn,
            );
          }
        }
      }
    });
  },
});

export const policies: Policies = [
  clusterRequireStorageEncryption,
  clusterRequireCustomerManagedKey,
  instanceDisallowPublicAccess,
  clusterEnableDeletionProtection,
  clusterConfigureBackupRetention,
  clusterRequireFinalSnapshot,
  clusterEnableIamAuthentication,
  clusterEnableAutoMinorUpgrade,
  clusterEnableLogExports,
  clusterEnableCopyTagsToSnapshot,
  clusterConfigureNonDefaultPort,
  clusterDisallowDefaultMasterUsername,
  clusterRequireManagedMasterPassword,
  clusterInstanceConfigureCaCertificate,
  clusterRequireTls,
  clusterConfigureAuditLogging,
  subnetGroupRequireIsolatedSubnets,
  clusterRequireMultiAz,
  clusterDisallowUntrustedIngress,
];
