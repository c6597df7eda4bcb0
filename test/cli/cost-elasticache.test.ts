import { expect } from "chai";
import { CostReport, DeploymentResource, FREE_TYPES, estimate, parseUsageFile, shippedPriceTable, UsageFile } from "../../cli/cost";
import { doc, res } from "../fixtures/cost/build";

const prices = shippedPriceTable();
const RG = "aws:elasticache/replicationGroup:ReplicationGroup";

const usage = (backupGb: number): UsageFile =>
  parseUsageFile(`resource_type_default_usage:\n  "${RG}": { backup_storage_gb: ${backupGb} }\n`, "cache.yml");

function run(region: string, resources: DeploymentResource[], backupGb = 0): CostReport {
  return estimate(doc(...resources), { region, prices, usage: [usage(backupGb)], stack: "test" });
}

const group = (inputs: Record<string, unknown>) => res(RG, "cache-group", { replicationGroupId: "platform-test-cache", ...inputs });

describe("cost estimate: ElastiCache (the session store)", () => {
  it("with one cache.t4g.micro Valkey node in us-east-1, costs 730 h × $0.0128 = $9.344 (Valkey is 20% below Redis OSS)", () => {
    const r = run("us-east-1", [group({ engine: "valkey", nodeType: "cache.t4g.micro", numCacheClusters: 1 })]);
    const found = r.resources.filter((x) => x.type === RG);
    expect(found).to.have.length(1);
    expect(found[0].lines).to.deep.equal([
      { description: "Cache nodes (1 × cache.t4g.micro, valkey)", quantity: 730, unit: "hours", unitPrice: 0.0128, monthly: 9.344, priceKey: "elasticache-node-hour:valkey:cache.t4g.micro" },
      {
        description: "Backup storage beyond the free backup",
        quantity: 0,
        unit: "GB-months",
        unitPrice: 0.085,
        monthly: 0,
        priceKey: "elasticache-backup-gb-month",
        usageKey: "backup_storage_gb",
        usageSource: "cache.yml",
      },
    ]);
  });

  it("bills every node: a primary and two Redis OSS replicas of cache.m7g.large in ap-northeast-2, plus 3 GB of backups", () => {
    const r = run("ap-northeast-2", [group({ engine: "redis", nodeType: "cache.m7g.large", numCacheClusters: 3, snapshotRetentionLimit: 7 })], 3);
    const lines = r.resources.find((x) => x.type === RG)!.lines;
    // 3 × 730 h × (0.158 × 1.24 = 0.1959) and 3 GB × 0.085.
    expect(lines.map((l) => [l.description, l.quantity, l.unitPrice, l.monthly])).to.deep.equal([
      ["Cache nodes (3 × cache.m7g.large, redis)", 2190, 0.1959, 429.021],
      ["Backup storage beyond the free backup", 3, 0.085, 0.255],
    ]);
    expect(r.resources.find((x) => x.type === RG)!.notes).to.deep.equal(["3 node(s): one primary and 2 replica(s); snapshots kept 7 day(s)"]);
  });

  it("marks a node type missing from the table as unpriced rather than guessing", () => {
    const r = run("us-east-1", [group({ engine: "valkey", nodeType: "cache.r6gd.xlarge", numCacheClusters: 2 })]);
    const line = r.resources.find((x) => x.type === RG)!.lines[0];
    expect([line.priceKnown, line.monthly, line.note]).to.deep.equal([false, 0, "no price for elasticache-node-hour:valkey:cache.r6gd.xlarge in us-east-1"]);
  });

  it("treats subnet groups, parameter groups, users and user groups as free", () => {
    for (const t of ["aws:elasticache/subnetGroup:SubnetGroup", "aws:elasticache/parameterGroup:ParameterGroup", "aws:elasticache/user:User", "aws:elasticache/userGroup:UserGroup"]) {
      expect(FREE_TYPES.has(t), t).to.equal(true);
    }
  });
});
