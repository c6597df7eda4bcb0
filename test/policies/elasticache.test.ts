import { policies } from "../../policies/elasticache";
import { Fixture } from "../support/policy-harness";
import { Case, policyTests } from "./cases";
import { addSgRule, prodFixture } from "./fixtures";

const CACHE_PORT = 6379;

/**
 * The production fixture plus a compliant session store, as infra/cache/component.ts builds it:
 * subnet group over the isolated subnets, its own key, TLS required, an RBAC user group with the
 * IAM user and a switched-off default user, Multi-AZ with failover, snapshots and log delivery,
 * and a security group that admits only the tasks' group on 6379.
 */
export function cacheFixture(options: { preview?: boolean } = {}): Fixture {
  const f = prodFixture(options);
  const key = f.add("aws:kms/key:Key", "prod-cache-key", { description: "Cache at rest", enableKeyRotation: true, deletionWindowInDays: 30 });
  const sg = f.add("aws:ec2/securityGroup:SecurityGroup", "prod-cache-sg", {
    vpcId: f.get("prod-vpc").id,
    description: "ElastiCache: 6379 from the tasks only",
    tags: { Name: "prod-cache-sg" },
  });
  f.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "prod-cache-in-tasks", {
    securityGroupId: sg.id, ipProtocol: "tcp", fromPort: CACHE_PORT, toPort: CACHE_PORT, referencedSecurityGroupId: f.get("prod-tasks-sg").id, description: "From the tasks",
  });
  f.add("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "prod-tasks-out-cache", {
    securityGroupId: f.get("prod-tasks-sg").id, ipProtocol: "tcp", fromPort: CACHE_PORT, toPort: CACHE_PORT, referencedSecurityGroupId: sg.id, description: "To the cache",
  });
  const subnets = f.add("aws:elasticache/subnetGroup:SubnetGroup", "prod-cache-subnets", {
    description: "Isolated subnets",
    subnetIds: [f.get("prod-isolated-1").id, f.get("prod-isolated-2").id],
  });
  const params = f.add("aws:elasticache/parameterGroup:ParameterGroup", "prod-cache-params", { family: "valkey8", description: "Session store", parameters: [] });
  const defaultUser = f.add("aws:elasticache/user:User", "prod-cache-default-user", {
    userId: "platform-prod-default", userName: "default", engine: "redis", accessString: "off -@all", noPasswordRequired: true,
  });
  const user = f.add("aws:elasticache/user:User", "prod-cache-user", {
    userId: "platform-prod-app", userName: "platform-prod-app", engine: "redis", accessString: "on ~* &* +@all", authenticationMode: { type: "iam" },
  });
  const users = f.add("aws:elasticache/userGroup:UserGroup", "prod-cache-users", {
    userGroupId: "platform-prod-cache-users", engine: "redis", userIds: [defaultUser.attr("userId"), user.attr("userId")],
  });
  f.add("aws:cloudwatch/logGroup:LogGroup", "prod-cache-log-slow", { name: "/platform/prod/elasticache/slow-log", retentionInDays: 365, kmsKeyId: f.get("platform").arn });
  f.add("aws:cloudwatch/logGroup:LogGroup", "prod-cache-log-engine", { name: "/platform/prod/elasticache/engine-log", retentionInDays: 365, kmsKeyId: f.get("platform").arn });
  f.add("aws:elasticache/replicationGroup:ReplicationGroup", "prod-cache-group", {
    replicationGroupId: "platform-prod-cache",
    description: "Session store",
    engine: "valkey",
    engineVersion: "8.0",
    nodeType: "cache.m7g.large",
    port: CACHE_PORT,
    numCacheClusters: 2,
    automaticFailoverEnabled: true,
    multiAzEnabled: true,
    subnetGroupName: subnets.attr("name"),
    securityGroupIds: [sg.id],
    parameterGroupName: params.attr("name"),
    atRestEncryptionEnabled: true,
    kmsKeyId: key.arn,
    transitEncryptionEnabled: true,
    transitEncryptionMode: "required",
    userGroupIds: [users.attr("userGroupId")],
    snapshotRetentionLimit: 7,
    finalSnapshotIdentifier: "platform-prod-cache-final",
    logDeliveryConfigurations: [
      { destinationType: "cloudwatch-logs", destination: "/platform/prod/elasticache/slow-log", logFormat: "json", logType: "slow-log" },
      { destinationType: "cloudwatch-logs", destination: "/platform/prod/elasticache/engine-log", logFormat: "json", logType: "engine-log" },
    ],
  });
  return f;
}

const group = (change: (i: Record<string, unknown>) => void) => (f: Fixture) => f.update("prod-cache-group", change);

/** One node, no failover, no Multi-AZ: what dev ships, and a finding in every stack. */
const SINGLE_NODE: Pick<Case, "mutate" | "messages"> = {
  mutate: group((i) => {
    i.numCacheClusters = 1;
    i.automaticFailoverEnabled = false;
    i.multiAzEnabled = false;
  }),
  messages: [
    "Automatic failover is off; set automaticFailoverEnabled: true.",
    "Multi-AZ is off; set multiAzEnabled: true.",
    "The replication group runs 1 node(s); set numCacheClusters to at least 2 so a replica can take over.",
  ],
};

const CASES: readonly Case[] = [
  {
    policy: "elasticache-replicationgroup-require-encryption-at-rest",
    title: "at-rest encryption is off",
    mutate: group((i) => (i.atRestEncryptionEnabled = false)),
    messages: ["Data at rest is not encrypted; set atRestEncryptionEnabled: true (with a customer-managed kmsKeyId)."],
  },
  {
    policy: "elasticache-replicationgroup-require-customer-managed-key",
    title: "the group uses the AWS-owned key",
    mutate: group((i) => delete i.kmsKeyId),
    messages: ["Data at rest uses the AWS-owned key; set kmsKeyId to a customer-managed key."],
  },
  {
    policy: "elasticache-replicationgroup-require-encryption-in-transit",
    title: "TLS is off",
    mutate: group((i) => {
      i.transitEncryptionEnabled = false;
      delete i.transitEncryptionMode;
    }),
    messages: ['In-transit encryption is off; set transitEncryptionEnabled: true and transitEncryptionMode: "required".'],
  },
  {
    policy: "elasticache-replicationgroup-require-encryption-in-transit",
    title: "TLS is only preferred",
    mutate: group((i) => (i.transitEncryptionMode = "preferred")),
    messages: ['TLS is only preferred, so plaintext connections are still accepted; set transitEncryptionMode: "required".'],
  },
  {
    policy: "elasticache-replicationgroup-require-authentication",
    title: "no user group and no AUTH token",
    mutate: group((i) => delete i.userGroupIds),
    messages: ["Any client that reaches the port can run every command; set userGroupIds to an RBAC user group (IAM authentication)."],
  },
  {
    policy: "elasticache-user-disallow-enabled-default-user",
    title: "the default user is switched on",
    mutate: (f) => f.update("prod-cache-default-user", (i) => (i.accessString = "on ~* +@all")),
    messages: ['The default user is enabled (access string "on ~* +@all"); start its access string with "off" (e.g. "off -@all").'],
  },
  {
    policy: "elasticache-replicationgroup-require-multi-az",
    title: "a single node without failover",
    ...SINGLE_NODE,
  },
  {
    policy: "elasticache-replicationgroup-require-multi-az",
    title: "a single node in dev (advisory there)",
    ...SINGLE_NODE,
    level: "advisory",
    config: "dev",
  },
  {
    policy: "elasticache-replicationgroup-configure-snapshot-retention",
    title: "snapshots are kept 1 day and no final snapshot is taken",
    mutate: group((i) => {
      i.snapshotRetentionLimit = 1;
      delete i.finalSnapshotIdentifier;
    }),
    messages: ["Deleting the replication group leaves no final snapshot; set finalSnapshotIdentifier.", "Snapshots are kept 1 day(s); set snapshotRetentionLimit to at least 7."],
  },
  {
    policy: "elasticache-replicationgroup-configure-snapshot-retention",
    title: "snapshots are off in staging (minimum 1 there)",
    mutate: group((i) => delete i.snapshotRetentionLimit),
    messages: ["Snapshots are kept 0 day(s); set snapshotRetentionLimit to at least 1."],
    config: "staging",
  },
  {
    policy: "elasticache-replicationgroup-enable-log-delivery",
    title: "only the slow log is delivered",
    mutate: group((i) => (i.logDeliveryConfigurations = [(i.logDeliveryConfigurations as unknown[])[0]])),
    messages: ["Logs engine-log are not delivered; add logDeliveryConfigurations to CloudWatch Logs for them."],
  },
  {
    policy: "elasticache-subnetgroup-require-isolated-subnets",
    title: "the subnet group holds a private subnet",
    mutate: (f) => f.update("prod-cache-subnets", (i) => (i.subnetIds = [f.get("prod-isolated-1").id, f.get("prod-private-2").id])),
    messages: ['SubnetGroup "prod-cache-subnets" includes Subnet "prod-private-2" (tier private); use only isolated subnets, which have no route to the internet.'],
  },
  {
    policy: "elasticache-subnetgroup-require-isolated-subnets",
    title: "the group uses the default subnet group",
    mutate: group((i) => delete i.subnetGroupName),
    messages: ['ReplicationGroup "prod-cache-group" uses the default cache subnet group; set subnetGroupName to a subnet group of isolated subnets.'],
  },
  {
    policy: "elasticache-replicationgroup-disallow-untrusted-ingress",
    title: "the cache group admits a CIDR on 6379",
    mutate: (f) => addSgRule(f, "Ingress", "prod-cache-in-cidr", "prod-cache-sg", { ipProtocol: "tcp", fromPort: CACHE_PORT, toPort: CACHE_PORT, cidrIpv4: "10.30.0.0/16" }),
    messages: [
      'SecurityGroup "prod-cache-sg" of ReplicationGroup "prod-cache-group" admits 10.30.0.0/16 on tcp/6379; admit only the security groups of services that use the cache, by reference, on port 6379.',
    ],
  },
  {
    policy: "elasticache-replicationgroup-disallow-untrusted-ingress",
    title: "the cache group admits the whole internet",
    mutate: (f) => addSgRule(f, "Ingress", "prod-cache-in-world", "prod-cache-sg", { ipProtocol: "tcp", fromPort: CACHE_PORT, toPort: CACHE_PORT, cidrIpv4: "0.0.0.0/0" }),
    messages: [
      'SecurityGroup "prod-cache-sg" of ReplicationGroup "prod-cache-group" admits 0.0.0.0/0 on tcp/6379; admit only the security groups of services that use the cache, by reference, on port 6379.',
    ],
  },
  {
    policy: "elasticache-replicationgroup-disallow-untrusted-ingress",
    title: "the cache group admits the bastion, and has egress",
    mutate: (f) => {
      addSgRule(f, "Ingress", "prod-cache-in-bastion", "prod-cache-sg", { ipProtocol: "tcp", fromPort: CACHE_PORT, toPort: CACHE_PORT, referencedSecurityGroupId: f.get("bastion-sg").id });
      addSgRule(f, "Egress", "prod-cache-out", "prod-cache-sg", { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" });
    },
    messages: [
      'SecurityGroup "prod-cache-sg" of ReplicationGroup "prod-cache-group" allows egress (tcp/443); a cache security group needs no egress rules.',
      'SecurityGroup "prod-cache-sg" of ReplicationGroup "prod-cache-group" admits another security group on tcp/6379; admit only the security groups of services that use the cache, by reference, on port 6379.',
    ],
  },
];

policyTests("policies/elasticache.ts", policies, CASES, cacheFixture);
