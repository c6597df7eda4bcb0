/**
 * Pure planners of the Aurora component: engine facts, parameter values, instance placement,
 * per-service database identities and the bootstrap SQL. No Pulumi here; the tests exercise these
 * directly.
 */

import { createHash } from "crypto";
import { PolicyDocument, partitionOf } from "../shared/policy-documents";

export const AURORA_ENGINES = ["aurora-postgresql", "aurora-mysql"] as const;
export type AuroraEngine = (typeof AURORA_ENGINES)[number];

export const ENGINE_DEFAULT_PORT: Readonly<Record<AuroraEngine, number>> = {
  "aurora-postgresql": 5432,
  "aurora-mysql": 3306,
};

/**
 * Log types exported to CloudWatch by default: what Security Hub RDS.34/RDS.37 expect (PostgreSQL
 * `postgresql`; MySQL `audit`, `error`, `slowquery`).
 */
export const DEFAULT_LOG_EXPORTS: Readonly<Record<AuroraEngine, readonly string[]>> = {
  "aurora-postgresql": ["postgresql"],
  "aurora-mysql": ["audit", "error", "slowquery"],
};

export const ALLOWED_LOG_EXPORTS: Readonly<Record<AuroraEngine, readonly string[]>> = {
  "aurora-postgresql": ["postgresql", "iam-db-auth-error"],
  "aurora-mysql": ["audit", "error", "general", "slowquery", "iam-db-auth-error"],
};

/** The Serverless v2 instance class. */
export const SERVERLESS_CLASS = "db.serverless";

function classes(family: string, sizes: readonly string[]): string[] {
  return sizes.map((s) => `db.${family}.${s}`);
}
const R_SIZES = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"];
const BURSTABLE = [...classes("t3", ["medium", "large"]), ...classes("t4g", ["medium", "large"])];
const MEMORY_OPTIMIZED = [
  ...classes("r5", [...R_SIZES, "24xlarge"]),
  ...classes("r6g", R_SIZES),
  ...classes("r6i", [...R_SIZES, "24xlarge", "32xlarge"]),
  ...classes("r7g", R_SIZES),
  ...classes("r7i", [...R_SIZES, "24xlarge", "48xlarge"]),
  ...classes("r8g", [...R_SIZES, "24xlarge", "48xlarge"]),
  ...classes("x2g", R_SIZES),
];
const OPTIMIZED_READS = [...classes("r6gd", R_SIZES), ...classes("r6id", [...R_SIZES, "24xlarge", "32xlarge"])];

/**
 * Instance classes each Aurora engine offers (AWS "Supported DB engines for DB instance classes",
 * Aurora user guide, checked 2025). Aurora offers only burstable t3/t4g medium and large and the
 * memory-optimized families: the RDS classes people reach for to save money (db.t4g.micro,
 * db.t3.small, db.m6g.*) do not exist for Aurora and fail at CreateDBInstance, after the cluster
 * has been created. Kept per engine because the lists have diverged before (db.t2 and db.r4 were
 * Aurora MySQL only); per-version support (e.g. db.r8g needs a recent minor) is left to AWS.
 */
export const INSTANCE_CLASSES: Readonly<Record<AuroraEngine, readonly string[]>> = {
  "aurora-postgresql": [SERVERLESS_CLASS, ...BURSTABLE, ...MEMORY_OPTIMIZED, ...OPTIMIZED_READS],
  "aurora-mysql": [SERVERLESS_CLASS, ...BURSTABLE, ...MEMORY_OPTIMIZED, ...OPTIMIZED_READS],
};

export interface EngineVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/**
 * Parses an Aurora engine version: PostgreSQL `16.6` (major.minor, a bare major would make the
 * provider show a diff forever as AWS reports the minor it picked), MySQL `8.0.mysql_aurora.3.08.0`
 * (the Aurora MySQL release is what features depend on, so that is what is returned).
 */
export function parseEngineVersion(engine: AuroraEngine, version: string): EngineVersion | undefined {
  if (engine === "aurora-postgresql") {
    const m = /^(\d{2})\.(\d{1,2})$/.exec(version);
    return m ? { major: Number(m[1]), minor: Number(m[2]), patch: 0 } : undefined;
  }
  const m = /^8\.0\.mysql_aurora\.3\.(\d{2})\.(\d+)$/.exec(version);
  return m ? { major: 3, minor: Number(m[1]), patch: Number(m[2]) } : undefined;
}

function atLeast(v: EngineVersion, major: number, minor: number, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

/**
 * First versions of each major that accept `minCapacity: 0` (auto-pause), from the Aurora user
 * guide ("Aurora Serverless v2 capacity"): PostgreSQL 16.3, 15.7, 14.12, 13.15 and every 17.x;
 * MySQL 3.08.0.
 */
export const AUTO_PAUSE_MIN_VERSION: Readonly<Record<AuroraEngine, Readonly<Record<number, string>>>> = {
  "aurora-postgresql": { 13: "13.15", 14: "14.12", 15: "15.7", 16: "16.3", 17: "17.4" },
  "aurora-mysql": { 3: "8.0.mysql_aurora.3.08.0" },
};

export function supportsAutoPause(engine: AuroraEngine, v: EngineVersion): boolean {
  if (engine === "aurora-mysql") return atLeast(v, 3, 8, 0);
  switch (v.major) {
    case 13:
      return atLeast(v, 13, 15);
    case 14:
      return atLeast(v, 14, 12);
    case 15:
      return atLeast(v, 15, 7);
    case 16:
      return atLeast(v, 16, 3);
    default:
      return v.major >= 17;
  }
}

/** Serverless v2 itself: PostgreSQL 13.6, 14.3, 15.2, 16.1 and later; MySQL 3.02.0 and later. */
export function supportsServerlessV2(engine: AuroraEngine, v: EngineVersion): boolean {
  if (engine === "aurora-mysql") return atLeast(v, 3, 2, 0);
  switch (v.major) {
    case 13:
      return atLeast(v, 13, 6);
    case 14:
      return atLeast(v, 14, 3);
    case 15:
      return atLeast(v, 15, 2);
    case 16:
      return atLeast(v, 16, 1);
    default:
      return v.major >= 17;
  }
}

/** The cluster parameter group family, e.g. `aurora-postgresql16` or `aurora-mysql8.0`. */
export function parameterGroupFamily(engine: AuroraEngine, v: EngineVersion): string {
  return engine === "aurora-postgresql" ? `aurora-postgresql${v.major}` : "aurora-mysql8.0";
}

export interface ClusterParameter {
  readonly name: string;
  readonly value: string;
  /** Every parameter here is dynamic in Aurora, so it applies without a reboot. */
  readonly applyMethod: "immediate" | "pending-reboot";
}

/**
 * Cluster parameters the platform sets: TLS required for every connection (Security Hub RDS.41 /
 * RDS.44) and audit-grade logging (RDS.45): DDL statements and slow queries for PostgreSQL; the
 * server audit plugin (connections, DDL, DCL) and the slow query log for MySQL.
 */
export function planClusterParameters(engine: AuroraEngine): ClusterParameter[] {
  const p = (name: string, value: string): ClusterParameter => ({ name, value, applyMethod: "immediate" });
  if (engine === "aurora-postgresql") {
    return [p("log_min_duration_statement", "1000"), p("log_statement", "ddl"), p("rds.force_ssl", "1")];
  }
  return [
    p("long_query_time", "1"),
    p("require_secure_transport", "ON"),
    p("server_audit_events", "CONNECT,QUERY_DDL,QUERY_DCL"),
    p("server_audit_logging", "1"),
    p("slow_query_log", "1"),
  ];
}

export interface InstancePlacement {
  readonly role: "writer" | "reader";
  /** 1-based, part of the logical name (`<name>-instance-<n>`). */
  readonly ordinal: number;
  /** Index into the VPC's AZ list. */
  readonly azIndex: number;
  /** Failover priority: readers in tier 1 are promoted before autoscaled readers (tier 15). */
  readonly promotionTier: number;
}

/**
 * Where the writer and the readers go: one instance per AZ, round-robin from the first AZ, so a
 * writer plus N readers span N + 1 distinct AZs (config validation refuses more instances than
 * AZs). An AZ outage then costs at most one instance, and a reader in another AZ takes over.
 */
export function planInstances(readers: number, azCount: number): InstancePlacement[] {
  const out: InstancePlacement[] = [];
  for (let i = 0; i <= readers; i++) {
    out.push({ role: i === 0 ? "writer" : "reader", ordinal: i + 1, azIndex: i % azCount, promotionTier: i === 0 ? 0 : 1 });
  }
  return out;
}

/** Master usernames that are engine defaults or reserved (Security Hub RDS.24/RDS.25). */
export const RESERVED_USERNAMES = ["admin", "administrator", "root", "postgres", "master", "rdsadmin", "rdsrepladmin", "mysql", "sa", "user"] as const;

/** Performance Insights retention: 7 days (free tier), any multiple of 31 up to 713, or 731. */
export function isValidPerformanceInsightsRetention(days: number): boolean {
  return days === 7 || days === 731 || (days % 31 === 0 && days >= 31 && days <= 713);
}

// ---------------------------------------------------------------------------------------------
// Per-service database identities (IAM database authentication)

/**
 * Longest user name both engines accept: MySQL 8 allows 32 characters, PostgreSQL 63 (NAMEDATALEN
 * - 1). One limit for both, so a service keeps its user name if the engine ever changes.
 */
export const DB_USER_NAME_MAX = 32;
/** Prefix of every service's user: never collides with the master user or an engine's own roles. */
export const DB_USER_PREFIX = "svc_";

/**
 * The database user of a service: `svc_` plus the service name with hyphens as underscores
 * (`hello-api` → `svc_hello_api`), lowercase letters, digits and underscores only, starting with a
 * letter, so it needs no quoting in either engine. Longer than 32 characters, it is cut and
 * suffixed with a hash of the service name, so two long names sharing a prefix stay distinct.
 *
 * Deterministic and injective over valid service names (which hold no underscores): the name is a
 * contract between the IAM policy (`dbuser:<cluster>/<user>`), the bootstrap script and the app's
 * `DB_USER`, so it must never change while the service exists.
 */
export function databaseUserName(serviceName: string): string {
  const base = `${DB_USER_PREFIX}${serviceName.toLowerCase().replace(/[^a-z0-9]/g, "_")}`;
  if (base.length <= DB_USER_NAME_MAX) return base;
  const hash = createHash("sha256").update(serviceName).digest("hex").slice(0, 6);
  return `${base.slice(0, DB_USER_NAME_MAX - 7)}_${hash}`;
}

/** What {@link databaseUserName} produces, and what the bootstrap script and policies accept. */
export const DB_USER_NAME_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;

/**
 * The IAM resource a role needs `rds-db:connect` on to log in as `user` with an IAM token:
 * `arn:<partition>:rds-db:<region>:<account>:dbuser:<DbClusterResourceId>/<user>` (Service
 * Authorization Reference, "Actions, resources, and condition keys for Amazon RDS IAM
 * Authentication", resource type db-user; Aurora user guide, "Creating and using an IAM policy for
 * IAM database access": for a cluster the id is the cluster's resource id, `cluster-ABCD...`, not
 * its identifier).
 */
export function dbConnectArn(region: string, accountId: string, clusterResourceId: string, user: string): string {
  return `arn:${partitionOf(region)}:rds-db:${region}:${accountId}:dbuser:${clusterResourceId}/${user}`;
}

/**
 * A service task role's database permission: `rds-db:connect` as its own user on its own cluster,
 * nothing else (no other user, no `*`, no other cluster). Tokens it signs are valid 15 minutes.
 */
export function dbConnectPolicy(region: string, accountId: string, clusterResourceId: string, user: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "ConnectAsServiceUser", Effect: "Allow", Action: "rds-db:connect", Resource: dbConnectArn(region, accountId, clusterResourceId, user) }],
  };
}

export interface MasterSecretAccessInput {
  /** The RDS-managed master secret (`rds!cluster-...`). */
  readonly secretArn: string;
  /** The customer-managed key that encrypts it (the cluster's key). */
  readonly kmsKeyArn: string;
  readonly region: string;
}

/**
 * Reading the master user's secret: `GetSecretValue` on exactly that secret, and `kms:Decrypt` on
 * its key only when Secrets Manager asks on the caller's behalf. Granted to the bootstrap task's
 * execution role (ECS injects the secret at task start) and to a bastion in the same stack; no
 * service role carries it.
 */
export function masterSecretReadPolicy(input: MasterSecretAccessInput): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadMasterSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: input.secretArn },
      {
        Sid: "DecryptMasterSecret",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: input.kmsKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${input.region}.amazonaws.com` } },
      },
    ],
  };
}

/** Whether a Secrets Manager ARN (or ECS `valueFrom`) names an RDS-managed master secret (`rds!cluster-…`/`rds!db-…`). */
export function isRdsManagedSecret(arnOrValueFrom: string): boolean {
  return /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:rds!/.test(arnOrValueFrom);
}

function assertUser(user: string): void {
  if (!DB_USER_NAME_PATTERN.test(user)) throw new Error(`invalid database user name "${user}" (expected ${DB_USER_NAME_PATTERN})`);
}

function assertDatabaseName(name: string): void {
  // Same rule as config validation of platform:database.databaseName.
  if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid database name "${name}"`);
}

/**
 * The SQL the bootstrap task runs as the master user. Idempotent: every statement is guarded or
 * naturally repeatable, so the deploy workflow runs it after every deploy and a second run changes
 * nothing (users that exist are kept, grants already held are no-ops).
 *
 * PostgreSQL (Aurora user guide, "Creating a database account using IAM authentication"): a LOGIN
 * role without a password, created only if `pg_roles` lacks it; `GRANT rds_iam` makes it log in
 * with IAM tokens only. Each service gets its own schema (`CREATE SCHEMA IF NOT EXISTS`) with USAGE
 * and CREATE, and CONNECT on the database; since PostgreSQL 15 nobody but the owner creates in
 * `public`, so the schema is where the service's tables go.
 *
 * MySQL: `CREATE USER IF NOT EXISTS ... IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'` (the
 * plugin checks IAM tokens) with `REQUIRE SSL`, then the privileges on the database.
 *
 * Users of removed services are not dropped (their data may be needed); without the service's
 * `rds-db:connect` permission nobody can log in as them, since they have no password.
 */
export function planBootstrapSql(engine: AuroraEngine, databaseName: string, users: readonly string[]): string {
  assertDatabaseName(databaseName);
  const sorted = [...new Set(users)].sort();
  sorted.forEach(assertUser);
  const lines: string[] = [];
  if (engine === "aurora-postgresql") {
    for (const u of sorted) {
      lines.push(
        `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${u}') THEN CREATE ROLE "${u}" WITH LOGIN; END IF; END $$;`,
        `GRANT rds_iam TO "${u}";`,
        `GRANT CONNECT ON DATABASE "${databaseName}" TO "${u}";`,
        `CREATE SCHEMA IF NOT EXISTS "${u}";`,
        `GRANT USAGE, CREATE ON SCHEMA "${u}" TO "${u}";`,
      );
    }
  } else {
    for (const u of sorted) {
      lines.push(
        `CREATE USER IF NOT EXISTS '${u}'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL;`,
        `GRANT ALL PRIVILEGES ON \`${databaseName}\`.* TO '${u}'@'%';`,
      );
    }
  }
  return lines.join("\n") + (lines.length > 0 ? "\n" : "");
}
