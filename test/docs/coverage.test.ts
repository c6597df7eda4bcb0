import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { estimate, parseUsageFile, shippedPriceTable } from "../../cli/cost";
import type { DeploymentDocument } from "../../cli/cost/types";
import { COVERAGE_END, COVERAGE_START, coverageGaps, coverageRows, KindRow, NO_QUOTA, plannedTypes, renderCoverage } from "../../cli/docs/coverage";
import { STACK_ORDER } from "../../infra/stacks";
import { shippedPlans } from "../support/plans";

/**
 * Every resource kind the shipped stacks plan is covered by every cross-cutting layer (issues #15
 * and #16), and docs/development.md shows the matrix as cli/docs/coverage.ts computes it.
 */

const ROOT = path.join(__dirname, "..", "..");

describe("coverage of resource kinds (docs/development.md)", function () {
  this.timeout(300_000);
  let docs: Map<string, DeploymentDocument>;
  let rows: KindRow[];

  before(async () => {
    const plans = await shippedPlans();
    docs = new Map(STACK_ORDER.map((s) => [s, plans.get(s)!.deployment as unknown as DeploymentDocument]));
    rows = coverageRows(docs, ROOT);
  });

  it("gives every planned type a replace entry, a cost classification and a quota or the reason for none", () => {
    expect(rows.length).to.equal(75);
    expect(coverageGaps(rows)).to.deep.equal([]);
  });

  it("lists no NO_QUOTA reason for a type the shipped stacks do not plan (the list stays current)", () => {
    const planned = new Set(rows.map((r) => r.type));
    expect(Object.keys(NO_QUOTA).filter((t) => !planned.has(t))).to.deep.equal([]);
  });

  it("prices every shipped stack without skipping a resource (no type the estimate cannot classify)", () => {
    const prices = shippedPriceTable();
    for (const stack of STACK_ORDER) {
      const usage = [parseUsageFile(fs.readFileSync(path.join(ROOT, "cli/cost/usage.default.yml"), "utf8"), "usage.default.yml")];
      const report = estimate(docs.get(stack)!, { region: "ap-northeast-2", prices, usage, stack });
      expect(report.skipped, stack).to.deep.equal([]);
      expect(report.byCategory.map((c) => c.category), stack).to.not.include("Other");
    }
  });

  it("the kinds issues #15 and #16 added are each checked by a policy, priced or free, and the network-bearing ones modelled by reach", () => {
    const row = (t: string) => rows.find((r) => r.type === t)!;
    for (const t of [
      "aws:cloudfront/distribution:Distribution",
      "aws:wafv2/webAcl:WebAcl",
      "aws:elasticache/replicationGroup:ReplicationGroup",
      "aws:elasticache/user:User",
      "aws:ec2/vpnConnection:VpnConnection",
      "aws:ec2/vpnGateway:VpnGateway",
      "aws:ec2/customerGateway:CustomerGateway",
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      "aws:acm/certificate:Certificate",
    ]) {
      expect(row(t).policies.length, t).to.be.greaterThan(0);
    }
    for (const t of ["aws:cloudfront/distribution:Distribution", "aws:elasticache/replicationGroup:ReplicationGroup", "aws:ec2/vpnConnection:VpnConnection", "aws:ec2/vpnGateway:VpnGateway"]) {
      expect([row(t).reach, row(t).review], t).to.deep.equal([true, true]);
    }
    expect(row("aws:cloudwatch/metricAlarm:MetricAlarm").policies).to.include("cloudwatch-metricalarm-require-actions");
    expect(row("random:index/randomPassword:RandomPassword").cost).to.equal("free");
  });

  it("names each gap exactly: a type with no replace entry, no cost class and no quota decision", () => {
    const bare: KindRow = { type: "aws:example/thing:Thing", stacks: ["dev"], replaceVerified: false, quotas: [], policies: [], review: false, reach: false };
    expect(coverageGaps([bare])).to.deep.equal([
      "aws:example/thing:Thing: no entry in cli/diff/replace-on-change.json",
      "aws:example/thing:Thing: neither priced (cli/cost/rules.ts RULES) nor listed free (FREE_TYPES)",
      "aws:example/thing:Thing: counted against no quota and not in NO_QUOTA (cli/docs/coverage.ts) with the reason",
    ]);
  });

  it("counts the types of custom resources and remote components, not the stack, providers or reads", () => {
    const types = new Set(STACK_ORDER.flatMap((s) => plannedTypes(docs.get(s)!)));
    expect([...types].filter((t) => t.startsWith("pulumi:") || t.startsWith("platform:"))).to.deep.equal([]);
    expect(types.has("awsx:ecr:Image")).to.equal(true);
  });

  it("docs/development.md shows the matrix as cli/docs/coverage.ts renders it (regenerate: npm run docs:coverage)", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs/development.md"), "utf8");
    const start = doc.indexOf(COVERAGE_START);
    const end = doc.indexOf(COVERAGE_END);
    expect(start, "marker").to.be.greaterThan(-1);
    expect(doc.slice(start + COVERAGE_START.length, end)).to.equal(renderCoverage(rows));
  });
});
