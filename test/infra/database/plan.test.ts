import { expect } from "chai";
import fc from "fast-check";
import {
  AuroraEngine,
  INSTANCE_CLASSES,
  isValidPerformanceInsightsRetention,
  parameterGroupFamily,
  parseEngineVersion,
  planClusterParameters,
  planInstances,
  supportsAutoPause,
  supportsServerlessV2,
} from "../../../infra/database/plan";

describe("database/plan: engine versions", () => {
  it("parses PostgreSQL major.minor and Aurora MySQL 3 releases, and nothing else", () => {
    expect(parseEngineVersion("aurora-postgresql", "16.6")).to.deep.equal({ major: 16, minor: 6, patch: 0 });
    expect(parseEngineVersion("aurora-mysql", "8.0.mysql_aurora.3.08.0")).to.deep.equal({ major: 3, minor: 8, patch: 0 });
    expect(parseEngineVersion("aurora-postgresql", "16")).to.equal(undefined);
    expect(parseEngineVersion("aurora-postgresql", "8.0.mysql_aurora.3.08.0")).to.equal(undefined);
    expect(parseEngineVersion("aurora-mysql", "8.0.36")).to.equal(undefined);
  });

  const autoPause: Array<[AuroraEngine, string, boolean]> = [
    ["aurora-postgresql", "16.2", false],
    ["aurora-postgresql", "16.3", true],
    ["aurora-postgresql", "16.6", true],
    ["aurora-postgresql", "15.6", false],
    ["aurora-postgresql", "15.7", true],
    ["aurora-postgresql", "14.11", false],
    ["aurora-postgresql", "14.12", true],
    ["aurora-postgresql", "13.14", false],
    ["aurora-postgresql", "13.15", true],
    ["aurora-postgresql", "17.4", true],
    ["aurora-postgresql", "12.22", false],
    ["aurora-mysql", "8.0.mysql_aurora.3.07.1", false],
    ["aurora-mysql", "8.0.mysql_aurora.3.08.0", true],
    ["aurora-mysql", "8.0.mysql_aurora.3.10.0", true],
  ];
  for (const [engine, version, ok] of autoPause) {
    it(`${ok ? "allows" : "refuses"} minCapacity 0 (auto-pause) on ${engine} ${version}`, () => {
      expect(supportsAutoPause(engine, parseEngineVersion(engine, version)!)).to.equal(ok);
    });
  }

  const serverless: Array<[AuroraEngine, string, boolean]> = [
    ["aurora-postgresql", "13.5", false],
    ["aurora-postgresql", "13.6", true],
    ["aurora-postgresql", "14.2", false],
    ["aurora-postgresql", "16.1", true],
    ["aurora-mysql", "8.0.mysql_aurora.3.01.1", false],
    ["aurora-mysql", "8.0.mysql_aurora.3.02.0", true],
  ];
  for (const [engine, version, ok] of serverless) {
    it(`${ok ? "runs" : "does not run"} Serverless v2 on ${engine} ${version}`, () => {
      expect(supportsServerlessV2(engine, parseEngineVersion(engine, version)!)).to.equal(ok);
    });
  }

  it("names the parameter group family after the major version", () => {
    expect(parameterGroupFamily("aurora-postgresql", parseEngineVersion("aurora-postgresql", "16.6")!)).to.equal("aurora-postgresql16");
    expect(parameterGroupFamily("aurora-mysql", parseEngineVersion("aurora-mysql", "8.0.mysql_aurora.3.08.0")!)).to.equal("aurora-mysql8.0");
  });
});

describe("database/plan: parameters, classes, placement", () => {
  it("requires TLS and logs DDL and slow statements on PostgreSQL", () => {
    expect(planClusterParameters("aurora-postgresql")).to.deep.equal([
      { name: "log_min_duration_statement", value: "1000", applyMethod: "immediate" },
      { name: "log_statement", value: "ddl", applyMethod: "immediate" },
      { name: "rds.force_ssl", value: "1", applyMethod: "immediate" },
    ]);
  });

  it("requires TLS and turns on the audit plugin and slow query log on MySQL", () => {
    expect(planClusterParameters("aurora-mysql").map((p) => [p.name, p.value])).to.deep.equal([
      ["long_query_time", "1"],
      ["require_secure_transport", "ON"],
      ["server_audit_events", "CONNECT,QUERY_DDL,QUERY_DCL"],
      ["server_audit_logging", "1"],
      ["slow_query_log", "1"],
    ]);
  });

  const offered = ["db.serverless", "db.t4g.medium", "db.t3.large", "db.r6g.large", "db.r7g.16xlarge", "db.r8g.48xlarge", "db.x2g.large", "db.r6gd.xlarge"];
  const notOffered = ["db.t4g.micro", "db.t3.small", "db.m6g.large", "db.r6g.24xlarge", "db.t4g.xlarge", "r6g.large"];
  for (const engine of ["aurora-postgresql", "aurora-mysql"] as const) {
    for (const cls of offered) it(`${engine} offers ${cls}`, () => expect(INSTANCE_CLASSES[engine]).to.include(cls));
    for (const cls of notOffered) it(`${engine} does not offer ${cls}`, () => expect(INSTANCE_CLASSES[engine]).to.not.include(cls));
  }

  it("places a writer and two readers in three distinct AZs, readers first in failover", () => {
    expect(planInstances(2, 3)).to.deep.equal([
      { role: "writer", ordinal: 1, azIndex: 0, promotionTier: 0 },
      { role: "reader", ordinal: 2, azIndex: 1, promotionTier: 1 },
      { role: "reader", ordinal: 3, azIndex: 2, promotionTier: 1 },
    ]);
  });

  it("for any reader count the AZs can hold, puts every instance in a distinct AZ with exactly one writer", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }).chain((azs) => fc.tuple(fc.constant(azs), fc.integer({ min: 0, max: azs - 1 }))), ([azs, readers]) => {
        const plan = planInstances(readers, azs);
        expect(plan).to.have.length(readers + 1);
        expect(new Set(plan.map((p) => p.azIndex)).size).to.equal(plan.length);
        expect(plan.filter((p) => p.role === "writer")).to.have.length(1);
        expect(plan.every((p) => p.azIndex < azs)).to.equal(true);
      }),
    );
  });

  const retention: Array<[number, boolean]> = [
    [7, true],
    [31, true],
    [713, true],
    [731, true],
    [14, false],
    [744, false],
  ];
  for (const [days, ok] of retention) {
    it(`${ok ? "accepts" : "refuses"} a Performance Insights retention of ${days} days`, () => expect(isValidPerformanceInsightsRetention(days)).to.equal(ok));
  }
});
