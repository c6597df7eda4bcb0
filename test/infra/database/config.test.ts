import { expect } from "chai";
import { readStackFile, toEngineConfig } from "../../../cli/evaluate/stack-config";
import { ConfigProblem, parseConfig } from "../../../infra/config";
import { problemsOfEditedStack } from "../config/problems";

type Raw = Record<string, unknown>;

function problemsOf(stack: string, edit: (db: Raw, config: Raw) => void): ConfigProblem[] {
  return problemsOfEditedStack(stack, (config) => edit(config["platform:database"] as Raw, config));
}

describe("database/config: refused configurations", () => {
  it("fails on a Serverless minimum above the maximum", () => {
    expect(
      problemsOf("staging", (db) => {
        db.serverless = { minCapacity: 8, maxCapacity: 4 };
      }),
    ).to.deep.equal([
      {
        key: "platform:database.serverless.minCapacity",
        received: 8,
        allowed: "at most maxCapacity (4)",
        fix: "lower minCapacity or raise maxCapacity",
      },
    ]);
  });

  it("fails on more readers than the AZs can spread (a writer plus N readers need N + 1 AZs)", () => {
    expect(problemsOf("dev", (db) => (db.readers = 2))).to.deep.equal([
      {
        key: "platform:database.readers",
        received: 2,
        allowed: "at most 1: a writer plus readers must land in distinct AZs and the network spans 2 (platform:network.azCount)",
        fix: "lower readers to 1, or raise platform:network.azCount",
      },
    ]);
    expect(problemsOf("prod", (db) => (db.readers = 2))).to.deep.equal([]);
  });

  it("fails on an instance class the engine does not offer (RDS-only classes)", () => {
    expect(problemsOf("prod", (db) => (db.instanceClass = "db.t4g.micro"))).to.deep.equal([
      {
        key: "platform:database.instanceClass",
        received: "db.t4g.micro",
        allowed:
          "an instance class aurora-postgresql offers: db.serverless, db.t3/db.t4g medium or large, or db.r5/r6g/r6i/r7g/r7i/r8g/x2g/r6gd/r6id sizes",
        fix: "use e.g. db.t4g.medium (Aurora's smallest) or serverless",
      },
    ]);
    expect(problemsOf("prod", (db) => (db.instanceClass = "db.m6g.large")).map((p) => p.fix)).to.deep.equal(["use e.g. db.r6g.large"]);
  });

  it("fails on auto-pause with an engine version that cannot scale to 0 ACUs, naming the first version that can", () => {
    expect(problemsOf("dev", (db) => (db.engineVersion = "16.2"))).to.deep.equal([
      {
        key: "platform:database.serverless.minCapacity",
        received: 0,
        allowed: "0 (auto-pause) only on aurora-postgresql 16.3, 15.7, 14.12, 13.15, 17.4 or later; 16.2 needs at least 0.5",
        fix: "set engineVersion to 16.3 or later, or minCapacity to 0.5",
      },
    ]);
  });

  it("fails on a pause delay without auto-pause, and on capacities off the half-ACU grid", () => {
    expect(
      problemsOf("staging", (db) => {
        db.serverless = { minCapacity: 0.5, maxCapacity: 4.25, secondsUntilAutoPause: 600 };
      }).map((p) => p.key),
    ).to.deep.equal(["platform:database.serverless.maxCapacity", "platform:database.serverless.secondsUntilAutoPause"]);
  });

  it("fails on neither an instance class nor a serverless range, and on serverless with a provisioned class", () => {
    expect(problemsOf("dev", (db) => delete db.serverless).map((p) => p.key)).to.deep.equal(["platform:database.instanceClass"]);
    expect(
      problemsOf("prod", (db) => {
        db.serverless = { minCapacity: 0.5, maxCapacity: 4 };
      }).map((p) => p.allowed),
    ).to.deep.equal(["only with instanceClass db.serverless (received instanceClass db.r6g.large)"]);
  });

  it("fails on a default master username, and on one too long for MySQL", () => {
    expect(problemsOf("prod", (db) => (db.masterUsername = "postgres"))).to.deep.equal([
      {
        key: "platform:database.masterUsername",
        received: "postgres",
        allowed:
          "a non-default name (not admin, administrator, root, postgres, master, rdsadmin, rdsrepladmin, mysql, sa, user): default admin names are the first guesses of a brute-force attempt",
        fix: 'use e.g. "platform_admin"',
      },
    ]);
    expect(
      problemsOf("prod", (db) => {
        db.engine = "aurora-mysql";
        db.engineVersion = "8.0.mysql_aurora.3.08.0";
        db.masterUsername = "platform_administrator";
      }).map((p) => [p.key, p.allowed]),
    ).to.deep.equal([["platform:database.masterUsername", "1-16 letters, digits or underscores, starting with a letter (aurora-mysql)"]]);
  });

  it("fails on a malformed engine version and on log exports of the other engine", () => {
    expect(
      problemsOf("prod", (db) => {
        db.engineVersion = "16";
        db.logExports = ["postgresql", "slowquery"];
      }).map((p) => p.key),
    ).to.deep.equal(["platform:database.engineVersion", "platform:database.logExports[1]"]);
  });

  it("fails on readerAutoscaling below the fixed readers, on a bad PI retention and on malformed windows", () => {
    expect(
      problemsOf("prod", (db) => {
        db.readers = 2;
        db.readerAutoscaling = { maxReaders: 1 };
        db.performanceInsightsRetentionDays = 14;
        db.preferredBackupWindow = "2am-3am";
        db.preferredMaintenanceWindow = "Sunday 03:00";
      }).map((p) => p.key),
    ).to.deep.equal([
      "platform:database.readerAutoscaling.maxReaders",
      "platform:database.performanceInsightsRetentionDays",
      "platform:database.preferredBackupWindow",
      "platform:database.preferredMaintenanceWindow",
    ]);
  });

  it("fails on a typo'd key with a suggestion, through the same aggregated error", () => {
    expect(problemsOf("prod", (db) => (db.deletionProtecion = false)).map((p) => [p.key, p.fix])).to.deep.equal([
      ["platform:database.deletionProtecion", 'rename it to "deletionProtection" (a typo?) in environments/Pulumi.prod.yaml'],
    ]);
  });

  it("defaults every safety flag on when a stack leaves them out", () => {
    const config = structuredClone(readStackFile("prod").config);
    const db = config["platform:database"] as Raw;
    for (const k of ["deletionProtection", "finalSnapshot", "protect", "backupRetentionDays", "performanceInsights", "masterUsername", "logRetentionDays"]) delete db[k];
    const parsed = parseConfig("prod", "platform", toEngineConfig(config)).database!;
    expect(parsed).to.include({
      deletionProtection: true,
      finalSnapshot: true,
      protect: true,
      backupRetentionDays: 7,
      performanceInsights: true,
      performanceInsightsRetentionDays: 7,
      masterUsername: "platform_admin",
      logRetentionDays: 365,
      applyImmediately: false,
    });
  });
});
