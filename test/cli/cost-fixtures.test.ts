import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import {
  compareCosts,
  CostReport,
  DeploymentDocument,
  DeploymentResource,
  estimate,
  parseDeploymentDocument,
  parseUsageFile,
  regionFromDeployment,
  renderDiffMarkdown,
  renderDiffText,
  shippedPriceTable,
  UsageFile,
} from "../../cli/cost";

const FIXTURES = path.join(__dirname, "..", "fixtures", "cost");
const prices = shippedPriceTable();
const defaults: UsageFile = parseUsageFile(
  fs.readFileSync(path.join(__dirname, "..", "..", "cli", "cost", "usage.default.yml"), "utf8"),
  "usage.default.yml",
);

function load(name: string): DeploymentDocument {
  return parseDeploymentDocument(
    JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8")),
    name,
  );
}

function monthlyOf(report: CostReport, name: string): number {
  const r = report.resources.find((x) => x.name === name);
  if (!r) throw new Error(`no resource ${name}`);
  return r.monthly;
}

describe("cost estimate: full-architecture fixtures with the shipped default usage", () => {
  it("dev-full (NAT instance, ALB, one Fargate Spot service, Serverless v2 that can pause) in ap-northeast-2", () => {
    const doc = load("dev-full.json");
    expect(regionFromDeployment(doc)?.region).to.equal("ap-northeast-2");
    const r = estimate(doc, { region: "ap-northeast-2", prices, usage: [defaults] });
    expect(r.stack).to.equal("dev");
    expect(r.resources.map((x) => [x.name, x.monthly])).to.deep.equal([
      ["dev-nat-instance", 8.1756], // 730 × 0.0052 + 8 × 0.0912 + 730 × 0.005
      ["dev-flow-logs", 0.7914], // 1 GB × 0.76 + 1 GB-month × 0.0314
      ["dev-alb", 26.645], // 730 × 0.0225 + 0.5 LCU × 730 × 0.008 + 2 × 730 × 0.005
      ["dev-api-logs", 0.7914],
      ["dev-api", 3.108705], // Spot: 182.5 vCPU-h × 0.04656 × 0.3 + 365 GB-h × 0.00511 × 0.3
      ["dev-db-key", 1],
      ["dev-db", 4], // 20 GB × 0.12 + 5 M I/O × 0.24 + 0 backup + 1 managed secret × 0.40
      ["dev-db-1", 146], // default usage: 1 ACU × 730 active hours × 0.20 (never pauses)
      ["dev-api-config", 0.4],
      ["dev-api-repo", 0.1], // 1 GB × 0.10
    ]);
    expect(r.monthlyTotal).to.equal(191.012105);
    // free: VPC, 4 subnets, security group, S3 gateway endpoint, flow log, IAM role, target group,
    // listener, ECS cluster, task definition, DB subnet group
    expect(r.summary).to.deep.equal({
      estimated: 10,
      free: 14,
      unsupported: 0,
      usageUnknownLines: 0,
      priceUnknownLines: 0,
    });
  });

  it("dev-full with office-hours usage (0.5 ACU × 176 h, 0.05 LCU) shows how the database line falls", () => {
    const office = parseUsageFile(
      `resource_type_default_usage:
  "aws:rds/clusterInstance:ClusterInstance": { average_acu: 0.5, monthly_active_hours: 176 }
  "aws:lb/loadBalancer:LoadBalancer": { average_lcu: 0.05 }`,
      "office.yml",
    );
    const r = estimate(load("dev-full.json"), {
      region: "ap-northeast-2",
      prices,
      usage: [defaults, office],
    });
    expect(monthlyOf(r, "dev-db-1")).to.equal(17.6); // 0.5 × 176 × 0.20
    expect(monthlyOf(r, "dev-alb")).to.equal(24.017); // 16.425 + 0.292 + 7.30
    expect(r.monthlyTotal).to.equal(59.984105); // 191.012105 − 146 + 17.6 − 26.645 + 24.017
  });

  it("prod-ha: 3 NAT gateways, 3-AZ endpoints and ALB, 3 autoscaled ARM tasks, writer + reader db.r6g.large", () => {
    const r = estimate(load("prod-ha.json"), {
      region: "ap-northeast-2",
      prices,
      usage: [defaults],
    });
    expect(r.byCategory).to.deep.equal([
      { category: "Aurora", monthly: 460.98, resources: 3 }, // 2 × 228.49 + 4.00
      { category: "NAT and public IPv4", monthly: 141.93, resources: 6 }, // 3 × (43.07 + 0.59) + 3 × 3.65
      { category: "ECS on Fargate", monthly: 99.4917, resources: 1 }, // 3 × (730 × 0.03725 + 1460 × 0.00409)
      { category: "VPC endpoints", monthly: 85.44, resources: 3 }, // 3 × (3 × 730 × 0.013 + 0.01)
      { category: "Load balancing", monthly: 30.295, resources: 1 }, // 16.425 + 2.92 + 3 × 3.65
      { category: "CloudWatch Logs", monthly: 1.5828, resources: 2 },
      { category: "KMS and Secrets Manager", monthly: 1, resources: 1 },
    ]);
    expect(r.monthlyTotal).to.equal(820.7195);
    expect(r.prices.unverified).to.deep.equal(["aurora-instance-hour:db.r6g.large"]);
  });
});

describe("compareCosts: base → head", () => {
  const base = load("dev-full.json");
  const withResources = (
    doc: DeploymentDocument,
    edit: (rs: DeploymentResource[]) => DeploymentResource[],
  ): DeploymentDocument => ({
    ...doc,
    deployment: { ...doc.deployment, resources: edit([...(doc.deployment.resources ?? [])]) },
  });
  const run = (doc: DeploymentDocument) =>
    estimate(doc, { region: "ap-northeast-2", prices, usage: [defaults] });

  it("with a NAT gateway added and the service scaled 1 → 2, reports the increase per resource and in total", () => {
    const head = withResources(base, (rs) =>
      rs
        .map((r) =>
          r.type === "aws:ecs/service:Service"
            ? { ...r, inputs: { ...r.inputs, desiredCount: 2 } }
            : r,
        )
        .concat([
          {
            urn: "urn:pulumi:dev::platform::aws:ec2/natGateway:NatGateway::dev-nat-1",
            type: "aws:ec2/natGateway:NatGateway",
            custom: true,
            inputs: {},
          },
        ]),
    );
    const diff = compareCosts(run(base), run(head));
    expect(diff.baseMonthlyTotal).to.equal(191.012105);
    expect(diff.headMonthlyTotal).to.equal(237.78081); // + 3.108705 (one more Spot task) + 43.66 (NAT gateway + 10 GB)
    expect(diff.delta).to.equal(46.768705);
    expect(diff.percent).to.be.closeTo(24.4847, 1e-4);
    expect(
      diff.resources.map((r) => [r.name, r.change, r.baseMonthly, r.headMonthly, r.delta]),
    ).to.deep.equal([
      ["dev-api", "changed", 3.108705, 6.21741, 3.108705],
      ["dev-nat-1", "added", 0, 43.66, 43.66],
    ]);
    expect(diff.resources[0].lines.map((l) => [l.description, l.change, l.delta])).to.deep.equal([
      ["Fargate Spot vCPU (2 tasks × 0.25 vCPU, 0.5 GB, x86_64)", "changed", 2.54916],
      ["Fargate Spot memory (2 tasks × 0.25 vCPU, 0.5 GB, x86_64)", "changed", 0.559545],
    ]);
    expect(renderDiffText(diff)).to.contain("Amount:  +$46.77 ($191.01 -> $237.78)\nPercent: +24%");
    expect(renderDiffMarkdown(diff).split("\n").slice(0, 5)).to.deep.equal([
      "💰 Cost estimate: **Monthly cost will increase by $46.77**",
      "",
      "| Project | Cost change | New monthly cost |",
      "|---|---|---:|",
      "| platform/dev | +$46.77 (+24%) | $237.78 |",
    ]);
  });

  it("with a resource removed, reports it as removed with a negative delta", () => {
    const head = withResources(base, (rs) => rs.filter((r) => r.type !== "aws:kms/key:Key"));
    const diff = compareCosts(run(base), run(head));
    expect(diff.delta).to.equal(-1);
    expect(diff.resources.map((r) => [r.name, r.change, r.delta])).to.deep.equal([
      ["dev-db-key", "removed", -1],
    ]);
  });

  it("with identical plans, reports no change and no resources", () => {
    const diff = compareCosts(run(base), run(base));
    expect([diff.delta, diff.percent, diff.resources.length]).to.deep.equal([0, 0, 0]);
    expect(renderDiffMarkdown(diff)).to.contain("**Monthly cost will not change**");
  });
});
