import { policies } from "../../policies/rds";
import { Fixture } from "../support/policy-harness";
import { policyTests } from "./cases";
import { AZS, DB_PORT, addIsolatedNatRoute, addSgRule } from "./fixtures";

const cluster = (change: (i: Record<string, unknown>) => void) => (f: Fixture) => f.update("prod-db", change);

policyTests("policies/rds.ts", policies, [
  {
    policy: "rds-cluster-require-storage-encryption",
    title: "Aurora encryption is turned off",
    mutate: cluster((i) => (i.storageEncrypted = false)),
    messages: ["Storage is not encrypted; set storageEncrypted: true (with a customer-managed kmsKeyId)."],
  },
  {
    policy: "rds-cluster-require-customer-managed-key",
    title: "the cluster uses the AWS-managed key",
    mutate: cluster((i) => delete i.kmsKeyId),
    messages: ["Storage uses the AWS-managed key; set kmsKeyId to the platform's customer-managed key."],
  },
  {
    policy: "rds-clusterinstance-disallow-public-access",
    title: "an instance is publicly accessible",
    mutate: (f) => f.update("prod-db-1", (i) => (i.publiclyAccessible = true)),
    messages: ["The database instance is publicly accessible; set publiclyAccessible: false."],
  },
  {
    policy: "rds-cluster-enable-deletion-protection",
    title: "deletion protection is off",
    mutate: cluster((i) => (i.deletionProtection = false)),
    messages: ["Deletion protection is off; set deletionProtection: true."],
  },
  {
    policy: "rds-cluster-configure-backup-retention",
    title: "backups are kept 3 days",
    mutate: cluster((i) => (i.backupRetentionPeriod = 3)),
    messages: ["Backups are kept 3 day(s); set backupRetentionPeriod to at least 7."],
  },
  {
    policy: "rds-cluster-configure-backup-retention",
    title: "retention is left at the provider default in staging (minimum 3 there)",
    mutate: cluster((i) => delete i.backupRetentionPeriod),
    messages: ["Backups are kept 1 day(s); set backupRetentionPeriod to at least 3."],
    config: "staging",
  },
  {
    policy: "rds-cluster-require-final-snapshot",
    title: "the final snapshot is skipped",
    mutate: cluster((i) => (i.skipFinalSnapshot = true)),
    messages: ["Deleting the cluster skips the final snapshot; set skipFinalSnapshot: false and a finalSnapshotIdentifier."],
  },
  {
    policy: "rds-cluster-enable-iam-authentication",
    title: "IAM database authentication is off",
    mutate: cluster((i) => (i.iamDatabaseAuthenticationEnabled = false)),
    messages: ["IAM database authentication is off; set iamDatabaseAuthenticationEnabled: true (services log in with IAM tokens)."],
  },
  {
    policy: "rds-cluster-enable-auto-minor-upgrade",
    title: "an instance refuses minor upgrades",
    mutate: (f) => f.update("prod-db-1", (i) => (i.autoMinorVersionUpgrade = false)),
    messages: ["Automatic minor version upgrades are off; remove autoMinorVersionUpgrade: false."],
  },
  {
    policy: "rds-cluster-enable-log-exports",
    title: "engine logs are not exported",
    mutate: cluster((i) => (i.enabledCloudwatchLogsExports = [])),
    messages: ["Engine logs postgresql are not exported; add them to enabledCloudwatchLogsExports."],
  },
  {
    policy: "rds-cluster-enable-copy-tags-to-snapshot",
    title: "snapshots lose the tags",
    mutate: cluster((i) => (i.copyTagsToSnapshot = false)),
    messages: ["Snapshots do not carry the cluster's tags; set copyTagsToSnapshot: true."],
  },
  {
    policy: "rds-cluster-configure-non-default-port",
    title: "the cluster listens on 5432",
    mutate: cluster((i) => (i.port = 5432)),
    messages: ["The cluster listens on the default port 5432; choose another port."],
    level: "advisory",
  },
  {
    policy: "rds-cluster-disallow-default-master-username",
    title: "the master user is postgres",
    mutate: cluster((i) => (i.masterUsername = "postgres")),
    messages: ['The master user name "postgres" is a well-known default; choose a project-specific name.'],
  },
  {
    policy: "rds-cluster-require-managed-master-password",
    title: "a master password is passed in",
    mutate: cluster((i) => {
      i.masterPassword = "correct-horse-battery";
      delete i.manageMasterUserPassword;
    }),
    messages: ["A master password is passed in; remove masterPassword and set manageMasterUserPassword: true."],
  },
  {
    policy: "rds-clusterinstance-configure-ca-certificate",
    title: "an instance uses the retired 2019 CA",
    mutate: (f) => f.update("prod-db-1", (i) => (i.caCertIdentifier = "rds-ca-2019")),
    messages: ['CA certificate "rds-ca-2019" is not current; set caCertIdentifier to "rds-ca-rsa2048-g1" or a newer one.'],
    level: "advisory",
  },
  {
    policy: "rds-cluster-require-tls",
    title: "the parameter group no longer forces SSL",
    mutate: (f) => f.update("prod-db-params", (i) => (i.parameters = [{ name: "shared_preload_libraries", value: "pgaudit" }])),
    messages: ['Cluster "prod-db" accepts unencrypted connections; use a cluster parameter group that sets rds.force_ssl = 1.'],
  },
  {
    policy: "rds-cluster-configure-audit-logging",
    title: "the parameter group logs nothing",
    mutate: (f) => f.update("prod-db-params", (i) => (i.parameters = [{ name: "rds.force_ssl", value: "1" }])),
    messages: ['Cluster "prod-db" does not log database activity; set pgaudit in shared_preload_libraries, or log_statement = ddl in its cluster parameter group.'],
  },
  {
    policy: "rds-subnetgroup-require-isolated-subnets",
    title: "the database is placed in private subnets",
    mutate: (f) => f.update("prod-db-subnets", (i) => (i.subnetIds = [f.get("prod-private-1").id, f.get("prod-private-2").id])),
    messages: [
      'SubnetGroup "prod-db-subnets" includes Subnet "prod-private-1" (tier private); use only isolated subnets, which have no route to the internet.',
      'SubnetGroup "prod-db-subnets" includes Subnet "prod-private-2" (tier private); use only isolated subnets, which have no route to the internet.',
    ],
  },
  {
    policy: "rds-subnetgroup-require-isolated-subnets",
    title: "the isolated tier gets a NAT route",
    mutate: addIsolatedNatRoute,
    messages: [
      'SubnetGroup "prod-db-subnets" includes Subnet "prod-isolated-1" (tier isolated, routed as private); use only isolated subnets, which have no route to the internet.',
      'SubnetGroup "prod-db-subnets" includes Subnet "prod-isolated-2" (tier isolated, routed as private); use only isolated subnets, which have no route to the internet.',
    ],
  },
  {
    policy: "rds-cluster-require-multi-az",
    title: "the reader is removed",
    mutate: (f) => f.remove("prod-db-2"),
    messages: ['Cluster "prod-db" has 1 instance(s); add aws.rds.ClusterInstance resources up to at least 2 so a replica can take over.'],
  },
  {
    policy: "rds-cluster-require-multi-az",
    title: "both instances share an AZ",
    mutate: (f) => f.update("prod-db-2", (i) => (i.availabilityZone = AZS[0])),
    messages: ['Cluster "prod-db" places every instance in ap-northeast-2a; put them in different availability zones.'],
  },
  {
    policy: "rds-cluster-require-multi-az",
    title: "dev runs a single instance (advisory there)",
    mutate: (f) => f.remove("prod-db-2"),
    messages: ['Cluster "prod-db" has 1 instance(s); add aws.rds.ClusterInstance resources up to at least 2 so a replica can take over.'],
    config: "dev",
    level: "advisory",
  },
  {
    policy: "rds-cluster-disallow-untrusted-ingress",
    title: "the database admits the whole VPC by CIDR",
    mutate: (f) => {
      addSgRule(f, "Ingress", "prod-db-in-vpc", "prod-db-sg", { ipProtocol: "tcp", fromPort: DB_PORT, toPort: DB_PORT, cidrIpv4: "10.30.0.0/16" });
    },
    messages: [
      'SecurityGroup "prod-db-sg" of Cluster "prod-db" admits 10.30.0.0/16 on tcp/5433; admit only the service and bastion security groups, by reference, on port 5433.',
    ],
  },
  {
    policy: "rds-cluster-disallow-untrusted-ingress",
    title: "a peered account's group (<account>/sg-…) that the management stack does not export is admitted",
    mutate: (f) => {
      // Cross-account references are trusted only when the group id is the StackReference's (the
      // shipped prod stack admits "111111111111/<management bastion group>" and passes).
      addSgRule(f, "Ingress", "prod-db-in-other-account", "prod-db-sg", { ipProtocol: "tcp", fromPort: DB_PORT, toPort: DB_PORT, referencedSecurityGroupId: "210987654321/sg-0notexported000001" });
    },
    messages: [
      'SecurityGroup "prod-db-sg" of Cluster "prod-db" admits another security group on tcp/5433; admit only the service and bastion security groups, by reference, on port 5433.',
    ],
  },
  {
    policy: "rds-cluster-disallow-untrusted-ingress",
    title: "the database admits the load balancer's group and has egress",
    mutate: (f) => {
      addSgRule(f, "Ingress", "prod-db-in-alb", "prod-db-sg", { ipProtocol: "tcp", fromPort: DB_PORT, toPort: DB_PORT, referencedSecurityGroupId: f.get("prod-alb-sg").id });
      addSgRule(f, "Egress", "prod-db-out", "prod-db-sg", { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" });
    },
    messages: [
      // Report order is by resource: the egress rule's URN sorts first.
      'SecurityGroup "prod-db-sg" of Cluster "prod-db" allows egress (all traffic); a database security group needs no egress rules.',
      'SecurityGroup "prod-db-sg" of Cluster "prod-db" admits another security group on tcp/5433; admit only the service and bastion security groups, by reference, on port 5433.',
    ],
  },
  {
    policy: "rds-cluster-disallow-untrusted-ingress",
    title: "the database admits another account's group (<account>/<sg-id>) the management stack does not export",
    mutate: (f) => {
      addSgRule(f, "Ingress", "prod-db-in-foreign", "prod-db-sg", { ipProtocol: "tcp", fromPort: DB_PORT, toPort: DB_PORT, referencedSecurityGroupId: "210987654321/sg-0f0reign000000001" });
    },
    messages: [
      'SecurityGroup "prod-db-sg" of Cluster "prod-db" admits another security group on tcp/5433; admit only the service and bastion security groups, by reference, on port 5433.',
    ],
  },
  {
    policy: "rds-cluster-disallow-untrusted-ingress",
    title: "a group claims the db-bootstrap role but no one-off task definition of that role exists",
    mutate: (f) => f.update("prod-db-bootstrap-td", (i) => (i.tags = { Name: "prod-db-bootstrap-td" })),
    messages: [
      'SecurityGroup "prod-db-sg" of Cluster "prod-db" admits another security group on tcp/5433; admit only the service and bastion security groups, by reference, on port 5433.',
    ],
  },
  {
    policy: "rds-cluster-disallow-untrusted-ingress",
    title: "the bootstrap task definition is run by a service (no longer a one-off task)",
    mutate: (f) => f.update("prod-app-svc", (i) => (i.taskDefinition = f.get("prod-db-bootstrap-td").arn)),
    messages: [
      'SecurityGroup "prod-db-sg" of Cluster "prod-db" admits another security group on tcp/5433; admit only the service and bastion security groups, by reference, on port 5433.',
    ],
  },
]);
