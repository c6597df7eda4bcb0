import { z } from "zod";
import { ConfigProblem } from "../config/problems";
import { retentionDays } from "../network/config";
import {
  ALLOWED_LOG_EXPORTS,
  AURORA_ENGINES,
  AUTO_PAUSE_MIN_VERSION,
  AuroraEngine,
  DEFAULT_LOG_EXPORTS,
  ENGINE_DEFAULT_PORT,
  INSTANCE_CLASSES,
  RESERVED_USERNAMES,
  SERVERLESS_CLASS,
  isValidPerformanceInsightsRetention,
  parseEngineVersion,
  supportsAutoPause,
  supportsServerlessV2,
} from "./plan";

export const DEFAULT_DATABASE_NAME = "app";
export const DEFAULT_MASTER_USERNAME = "platform_admin";
export const DEFAULT_BACKUP_RETENTION_DAYS = 7;
export const DEFAULT_READERS = 1;
export const DEFAULT_DB_LOG_RETENTION_DAYS = 365;
/** The free tier of Performance Insights. */
export const DEFAULT_PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7;
/** Aurora's own limit on replicas per cluster. */
export const MAX_READERS = 15;

/**
 * The environment's Aurora cluster (`platform:database`). Absent: no database.
 *
 * Capacity scenarios:
 *
 * | keys set                                      | instances                                               |
 * |-----------------------------------------------|---------------------------------------------------------|
 * | `serverless: {minCapacity, maxCapacity}`      | writer + readers as `db.serverless`, scaling in ACUs    |
 * | `serverless` with `minCapacity: 0`            | as above, pausing after `secondsUntilAutoPause` idle    |
 * | `instanceClass: db.r6g.large` (no serverless) | writer + readers of that provisioned class              |
 *
 * Safety flags (`deletionProtection`, `finalSnapshot`, `protect`) default to on; only an
 * environment file can turn them off, and only for throwaway environments.
 */
export const DatabaseConfigSchema = z.strictObject({
  /** The Aurora engine. Required. */
  engine: z.enum(AURORA_ENGINES),
  /** PostgreSQL `16.6`, MySQL `8.0.mysql_aurora.3.08.0`. Required. */
  engineVersion: z.string(),
  /** Initial database. @default "app" */
  databaseName: z.string().default(DEFAULT_DATABASE_NAME),
  /** Master user (never admin/postgres/root/…; MySQL at most 16 characters); its password lives in Secrets Manager. @default "platform_admin" */
  masterUsername: z.string().default(DEFAULT_MASTER_USERNAME),
  /** Database port; also opens the isolated tier's NACL (and the peering's) for it. @default the engine's port (5432 / 3306) */
  port: z.number().int().min(1150).max(65535).optional(),
  /** Provisioned class for every instance: Aurora classes only (db.t3/db.t4g medium and large; r5, r6g, r6i, r7g, r7i, r8g, x2g, r6gd, r6id sizes); RDS-only classes such as db.t4g.micro or db.m6g.* are refused. @default "db.serverless" when serverless is set */
  instanceClass: z.string().optional(),
  /** Serverless v2 capacity range (ACUs, half steps). */
  serverless: z
    .strictObject({
      /** Fewest ACUs. 0 enables auto-pause, which needs PostgreSQL 16.3/15.7/14.12/13.15/17.4 or later, or MySQL 3.08.0 or later. */
      minCapacity: z.number().min(0).max(256),
      /** Most ACUs; at least minCapacity. */
      maxCapacity: z.number().min(1).max(256),
      /** Idle seconds before pausing; only with minCapacity 0. @default 300 (AWS default) */
      secondsUntilAutoPause: z.number().int().min(300).max(86400).optional(),
    })
    .optional(),
  /** Readers besides the writer, each in its own AZ: 1 + readers must not exceed platform:network.azCount. @default 1 */
  readers: z.number().int().min(0).max(MAX_READERS).default(DEFAULT_READERS),
  /** Let Application Auto Scaling add readers on CPU. @default - none */
  readerAutoscaling: z
    .strictObject({
      /** Most readers; at least `readers`. */
      maxReaders: z.number().int().min(1).max(MAX_READERS),
      /** Target average reader CPU. @default 70 */
      cpuTargetPercent: z.number().int().min(10).max(95).default(70),
    })
    .optional(),
  /** Automated backup retention (1-35 days). @default 7 */
  backupRetentionDays: z.number().int().min(1).max(35).default(DEFAULT_BACKUP_RETENTION_DAYS),
  /** UTC `hh24:mi-hh24:mi`. @default - AWS picks a window */
  preferredBackupWindow: z.string().optional(),
  /** UTC `ddd:hh24:mi-ddd:hh24:mi`. @default - AWS picks a window */
  preferredMaintenanceWindow: z.string().optional(),
  /** RDS deletion protection on the cluster. @default true */
  deletionProtection: z.boolean().default(true),
  /** Take a final snapshot (`<project>-<env>-final`) when the cluster is deleted; it must not exist yet. @default true */
  finalSnapshot: z.boolean().default(true),
  /** Pulumi `protect` on the cluster and its key: `pulumi destroy` refuses to delete them. @default true */
  protect: z.boolean().default(true),
  /** Log types exported to CloudWatch. @default postgresql: ["postgresql"]; mysql: ["audit","error","slowquery"] */
  logExports: z.array(z.string()).optional(),
  /** Retention of the exported logs' log groups. @default 365 */
  logRetentionDays: retentionDays.default(DEFAULT_DB_LOG_RETENTION_DAYS),
  /** Performance Insights, encrypted with the cluster's key. @default true */
  performanceInsights: z.boolean().default(true),
  /** Days: 7 (the free tier), a multiple of 31 up to 713, or 731. @default 7 */
  performanceInsightsRetentionDays: z.number().int().default(DEFAULT_PERFORMANCE_INSIGHTS_RETENTION_DAYS),
  /** Apply modifications now rather than in the maintenance window. @default false */
  applyImmediately: z.boolean().default(false),
});
export type DatabaseConfig = z.infer<typeof DatabaseConfigSchema>;

/** The instance class every instance uses, after defaults. */
export function resolvedInstanceClass(db: Pick<DatabaseConfig, "instanceClass" | "serverless">): string | undefined {
  return db.instanceClass ?? (db.serverless ? SERVERLESS_CLASS : undefined);
}

export function resolvedPort(db: Pick<DatabaseConfig, "engine" | "port">): number {
  return db.port ?? ENGINE_DEFAULT_PORT[db.engine];
}

export function resolvedLogExports(db: Pick<DatabaseConfig, "engine" | "logExports">): readonly string[] {
  return db.logExports ?? DEFAULT_LOG_EXPORTS[db.engine];
}

const BACKUP_WINDOW = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
const MAINTENANCE_WINDOW = /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;

const isHalfStep = (n: number) => Number.isInteger(n * 2);

/**
 * Invariants of `platform:database` a schema cannot express. `azCount` is the network's: a writer
 * plus N readers need N + 1 AZs to land in distinct ones.
 */
export function validateDatabaseConfig(db: DatabaseConfig, azCount: number, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const engine: AuroraEngine = db.engine;
  const version = parseEngineVersion(engine, db.engineVersion);
  if (!version) {
    problems.push({
      key: "platform:database.engineVersion",
      received: db.engineVersion,
      allowed: engine === "aurora-postgresql" ? "major.minor, e.g. 16.6" : "an Aurora MySQL 3 version, e.g. 8.0.mysql_aurora.3.08.0",
      fix: `set the full version (aws rds describe-db-engine-versions --engine ${engine})`,
    });
  }

  const cls = resolvedInstanceClass(db);
  if (cls === undefined) {
    problems.push({
      key: "platform:database.instanceClass",
      received: undefined,
      allowed: "a provisioned instance class, or a serverless block (which implies db.serverless)",
      fix: `add platform:database.serverless {minCapacity, maxCapacity} or platform:database.instanceClass (e.g. db.r6g.large) to ${file}`,
    });
  } else if (!INSTANCE_CLASSES[engine].includes(cls)) {
    const hint = /^db\.(t3|t4g)\./.test(cls) ? "db.t4g.medium (Aurora's smallest) or serverless" : "db.r6g.large";
    problems.push({
      key: "platform:database.instanceClass",
      received: cls,
      allowed: `an instance class ${engine} offers: ${SERVERLESS_CLASS}, db.t3/db.t4g medium or large, or db.r5/r6g/r6i/r7g/r7i/r8g/x2g/r6gd/r6id sizes`,
      fix: `use e.g. ${hint}`,
    });
  } else if (cls === SERVERLESS_CLASS && !db.serverless) {
    problems.push({
      key: "platform:database.serverless",
      received: undefined,
      allowed: "a capacity range whenever instanceClass is db.serverless",
      fix: "add serverless: {minCapacity: 0.5, maxCapacity: 4}",
    });
  } else if (cls !== SERVERLESS_CLASS && db.serverless) {
    problems.push({
      key: "platform:database.serverless",
      received: db.serverless,
      allowed: `only with instanceClass db.serverless (received instanceClass ${cls})`,
      fix: "remove serverless, or remove instanceClass to run Serverless v2",
    });
  }

  if (db.serverless) {
    const { minCapacity: min, maxCapacity: max, secondsUntilAutoPause } = db.serverless;
    if (min > max) {
      problems.push({
        key: "platform:database.serverless.minCapacity",
        received: min,
        allowed: `at most maxCapacity (${max})`,
        fix: "lower minCapacity or raise maxCapacity",
      });
    }
    for (const [k, v] of [["minCapacity", min], ["maxCapacity", max]] as const) {
      if (!isHalfStep(v)) problems.push({ key: `platform:database.serverless.${k}`, received: v, allowed: "a multiple of 0.5 ACU", fix: `round to ${Math.round(v * 2) / 2}` });
    }
    if (min > 0 && min < 0.5) {
      problems.push({ key: "platform:database.serverless.minCapacity", received: min, allowed: "0 (auto-pause) or at least 0.5", fix: "use 0 or 0.5" });
    }
    if (version && !supportsServerlessV2(engine, version)) {
      problems.push({
        key: "platform:database.engineVersion",
        received: db.engineVersion,
        allowed: "a version that runs Serverless v2 (PostgreSQL 13.6/14.3/15.2/16.1+, MySQL 3.02.0+)",
        fix: "upgrade engineVersion or use a provisioned instanceClass",
      });
    } else if (min === 0 && version && !supportsAutoPause(engine, version)) {
      const first = AUTO_PAUSE_MIN_VERSION[engine][version.major];
      problems.push({
        key: "platform:database.serverless.minCapacity",
        received: 0,
        allowed: `0 (auto-pause) only on ${engine} ${engine === "aurora-postgresql" ? "16.3, 15.7, 14.12, 13.15, 17.4" : "3.08.0"} or later; ${db.engineVersion} needs at least 0.5`,
        fix: first ? `set engineVersion to ${first} or later, or minCapacity to 0.5` : "set minCapacity to 0.5",
      });
    }
    if (secondsUntilAutoPause !== undefined && min !== 0) {
      problems.push({
        key: "platform:database.serverless.secondsUntilAutoPause",
        received: secondsUntilAutoPause,
        allowed: "only with minCapacity 0 (only a cluster that can pause has a pause delay)",
        fix: "remove secondsUntilAutoPause or set minCapacity to 0",
      });
    }
  }

  if (db.readers + 1 > azCount) {
    problems.push({
      key: "platform:database.readers",
      received: db.readers,
      allowed: `at most ${azCount - 1}: a writer plus readers must land in distinct AZs and the network spans ${azCount} (platform:network.azCount)`,
      fix: `lower readers to ${Math.max(0, azCount - 1)}, or raise platform:network.azCount`,
    });
  }
  if (db.readerAutoscaling && db.readerAutoscaling.maxReaders < db.readers) {
    problems.push({
      key: "platform:database.readerAutoscaling.maxReaders",
      received: db.readerAutoscaling.maxReaders,
      allowed: `at least readers (${db.readers}): autoscaling adds readers on top of the fixed ones`,
      fix: `raise maxReaders to ${db.readers} or more`,
    });
  }

  const user = db.masterUsername;
  const userMax = engine === "aurora-mysql" ? 16 : 63;
  if ((RESERVED_USERNAMES as readonly string[]).includes(user.toLowerCase())) {
    problems.push({
      key: "platform:database.masterUsername",
      received: user,
      allowed: `a non-default name (not ${RESERVED_USERNAMES.join(", ")}): default admin names are the first guesses of a brute-force attempt`,
      fix: `use e.g. "${DEFAULT_MASTER_USERNAME}"`,
    });
  } else if (!new RegExp(`^[A-Za-z][A-Za-z0-9_]{0,${userMax - 1}}$`).test(user)) {
    problems.push({
      key: "platform:database.masterUsername",
      received: user,
      allowed: `1-${userMax} letters, digits or underscores, starting with a letter (${engine})`,
      fix: `use e.g. "${DEFAULT_MASTER_USERNAME}"`,
    });
  }
  if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(db.databaseName)) {
    problems.push({
      key: "platform:database.databaseName",
      received: db.databaseName,
      allowed: "1-63 letters, digits or underscores, starting with a letter",
      fix: 'use e.g. "app"',
    });
  }

  const logExports = resolvedLogExports(db);
  logExports.forEach((e, i) => {
    if (!ALLOWED_LOG_EXPORTS[engine].includes(e)) {
      problems.push({
        key: `platform:database.logExports[${i}]`,
        received: e,
        allowed: `one of ${ALLOWED_LOG_EXPORTS[engine].join(", ")} for ${engine}`,
        fix: `use the ${engine} log types`,
      });
    }
  });
  if (db.performanceInsights && !isValidPerformanceInsightsRetention(db.performanceInsightsRetentionDays)) {
    problems.push({
      key: "platform:database.performanceInsightsRetentionDays",
      received: db.performanceInsightsRetentionDays,
      allowed: "7 (free), a multiple of 31 up to 713, or 731",
      fix: "use 7",
    });
  }
  if (db.preferredBackupWindow !== undefined && !BACKUP_WINDOW.test(db.preferredBackupWindow)) {
    problems.push({ key: "platform:database.preferredBackupWindow", received: db.preferredBackupWindow, allowed: "hh24:mi-hh24:mi in UTC", fix: 'e.g. "17:00-18:00"' });
  }
  if (db.preferredMaintenanceWindow !== undefined && !MAINTENANCE_WINDOW.test(db.preferredMaintenanceWindow)) {
    problems.push({
      key: "platform:database.preferredMaintenanceWindow",
      received: db.preferredMaintenanceWindow,
      allowed: "ddd:hh24:mi-ddd:hh24:mi in UTC, lowercase days",
      fix: 'e.g. "sun:18:00-sun:19:00"',
    });
  }
  return problems;
}
