import { expect } from "chai";
import { buildDiagram } from "../../cli/review/diagram";
import { extractSettings, parityRows } from "../../cli/review/parity";
import { shippedPlans } from "../support/plans";

/** The session store in `platform review`: the Cache parity rows and the diagram's cache node and edge, from the shipped plans. */
describe("review: the session store (Cache parity rows and diagram)", function () {
  this.timeout(300000);
  let plans: Awaited<ReturnType<typeof shippedPlans>>;
  before(async () => {
    plans = await shippedPlans(["shared", "dev", "staging", "prod"]);
  });

  it("reads the Cache rows of each environment from its plan; shared has none", () => {
    const cacheRows = (stack: string) =>
      extractSettings(plans.get(stack)!.deployment, stack)
        .filter((s) => s.group === "Cache")
        .map((s) => `${s.label} | ${s.resource} | ${s.value}`);
    expect(cacheRows("shared")).to.deep.equal([]);
    expect(cacheRows("dev")).to.deep.equal([
      "Engine | cache-group | valkey 8.0",
      "Node type | cache-group | cache.t4g.micro",
      "Nodes | cache-group | 1 (primary only)",
      "Multi-AZ | cache-group | off",
      "Automatic failover | cache-group | off",
      "Snapshot retention | cache-group | off",
      "Final snapshot | cache-group | off",
      "Encryption at rest | cache-group | on (customer-managed key)",
      "Encryption in transit | cache-group | on (required)",
      "Authentication | cache-group | RBAC user group (IAM)",
    ]);
    expect(cacheRows("prod")).to.deep.equal([
      "Engine | cache-group | valkey 8.0",
      "Node type | cache-group | cache.m7g.large",
      "Nodes | cache-group | 3 (primary + 2 replicas)",
      "Multi-AZ | cache-group | on",
      "Automatic failover | cache-group | on",
      "Snapshot retention | cache-group | 7 days",
      "Final snapshot | cache-group | on",
      "Encryption at rest | cache-group | on (customer-managed key)",
      "Encryption in transit | cache-group | on (required)",
      "Authentication | cache-group | RBAC user group (IAM)",
    ]);
  });

  it("lines the rows up across stacks: node type, nodes, Multi-AZ, failover and snapshots differ; encryption and auth do not", () => {
    const rows = parityRows(["dev", "staging", "prod"].map((stack) => ({ stack, head: extractSettings(plans.get(stack)!.deployment, stack) }))).filter((r) => r.group === "Cache");
    expect(rows.filter((r) => r.differs).map((r) => r.label)).to.deep.equal(["Node type", "Nodes", "Multi-AZ", "Automatic failover", "Snapshot retention", "Final snapshot"]);
    expect(rows.filter((r) => !r.differs).map((r) => r.label)).to.deep.equal(["Engine", "Encryption at rest", "Encryption in transit", "Authentication"]);
  });

  it("draws the cache in prod's isolated tier and the hello → cache edge on 6379", () => {
    const mermaid = buildDiagram([{ stack: "prod", head: plans.get("prod")!.deployment }]);
    const lines = mermaid.split("\n");
    const cacheLine = lines.find((l) => l.includes("ElastiCache"));
    expect(cacheLine?.trim()).to.equal('prod_cache_cache_group[("ElastiCache<br/>valkey 8.0<br/>3 × cache.m7g.large")]');
    const isolatedStart = lines.findIndex((l) => /subgraph \S*isolated/.test(l));
    const isolatedEnd = lines.findIndex((l, i) => i > isolatedStart && l.trim() === "end");
    expect(lines.slice(isolatedStart, isolatedEnd).some((l) => l.includes("ElastiCache"))).to.equal(true);
    expect(lines.filter((l) => l.includes("prod_cache_cache_group") && l.includes("-->")).map((l) => l.trim())).to.deep.equal(['prod_svc_svc_hello_service -->|"6379"| prod_cache_cache_group']);
  });
});
