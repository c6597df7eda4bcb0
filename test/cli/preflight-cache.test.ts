import { expect } from "chai";
import type { DeploymentResource } from "../../cli/cost/types";
import { documentIn, res } from "../support/documents";
import { checkQuotas } from "../../cli/preflight/check";
import { Contribution, countStack } from "../../cli/preflight/count";
import { shippedQuotaTable } from "../../cli/preflight/quota-table";

/** The session store in the preflight counters: nodes per Region and per shard, subnet and parameter groups, ENIs. */

const doc = (...resources: DeploymentResource[]) => documentIn("us-east-1", ...resources);
const sum = (cs: readonly Contribution[], quota: string) => cs.filter((c) => c.quota === quota).reduce((n, c) => n + c.amount, 0);
const group = (name: string, nodes: number) =>
  res("aws:elasticache/replicationGroup:ReplicationGroup", name, { replicationGroupId: name, numCacheClusters: nodes, securityGroupIds: ["sg-1"] });

describe("preflight counts: ElastiCache (the session store)", () => {
  it("counts every node of a replication group (primary and replicas) toward the Region's nodes and network interfaces", () => {
    const c = countStack(doc(group("a", 3), group("b", 1)), "t");
    expect([sum(c.contributions, "elasticache-nodes"), sum(c.contributions, "network-interfaces")]).to.deep.equal([4, 4]);
  });

  it("counts nodes per shard per replication group, against the fixed 6", () => {
    const c = countStack(doc(group("a", 3), group("b", 2)), "t");
    const report = checkQuotas([c], shippedQuotaTable(), {});
    const q = report.accounts[0].quotas.find((x) => x.id === "elasticache-nodes-per-shard")!;
    expect([q.used, q.limit]).to.deep.equal([3, 6]);
  });

  it("reports a shard of 7 nodes as exceeding the quota that cannot be raised", () => {
    const report = checkQuotas([countStack(doc(group("a", 7)), "t")], shippedQuotaTable(), {});
    expect(report.ok).to.equal(false);
    const q = report.accounts[0].quotas.find((x) => x.id === "elasticache-nodes-per-shard")!;
    expect([q.used, q.limit, q.ok]).to.deep.equal([7, 6, false]);
  });

  it("counts subnet groups and parameter groups per Region", () => {
    const c = countStack(
      doc(res("aws:elasticache/subnetGroup:SubnetGroup", "s", { subnetIds: ["subnet-1"] }), res("aws:elasticache/parameterGroup:ParameterGroup", "p", { family: "valkey8" })),
      "t",
    );
    expect([sum(c.contributions, "elasticache-subnet-groups"), sum(c.contributions, "elasticache-parameter-groups")]).to.deep.equal([1, 1]);
  });
});
