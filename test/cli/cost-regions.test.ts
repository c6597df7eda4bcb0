import { expect } from "chai";
import { CostReport, DeploymentResource, estimate, parseUsageFile, shippedPriceTable } from "../../cli/cost";
import { categoryOf } from "../../cli/cost/estimate";
import { doc, res } from "../fixtures/cost/build";

/**
 * A resource is billed at the rates of the Region its provider creates it in: the edge's us-east-1
 * provider (CloudFront's certificate, the CLOUDFRONT web ACL, their log groups and key) does not
 * bill at the stack's Seoul rates.
 */

const prices = shippedPriceTable();
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const usage = parseUsageFile(`resource_type_default_usage:\n  "${LOG_GROUP}": { monthly_data_ingested_gb: 10, storage_gb: 20 }\n`, "test.yml");

function provider(name: string, region: string, parent?: string): DeploymentResource {
  return res("pulumi:providers:aws", name, { region }, { custom: true, id: `${name}-pid`, ...(parent ? { parent } : {}) });
}
const ref = (p: DeploymentResource) => `${p.urn}::${p.id}`;

function run(resources: DeploymentResource[], region = "ap-northeast-2"): CostReport {
  return estimate(doc(...resources), { region, prices, usage: [usage], stack: "test" });
}
const lineOf = (r: CostReport, name: string) => r.resources.find((x) => x.name === name)!;

describe("cost: the Region a resource is priced in", () => {
  const seoul = provider("aws", "ap-northeast-2");
  const east = provider("edge-us-east-1", "us-east-1");

  it("with a us-east-1 provider, prices its log group at us-east-1 rates (10 GB × $0.50 + 20 GB-months × $0.03) and says so", () => {
    const r = run([seoul, east, res(LOG_GROUP, "edge-waf-logs", {}, { provider: ref(east) })]);
    const lg = lineOf(r, "edge-waf-logs");
    expect(lg.lines.map((l) => [l.description, l.quantity, l.unitPrice, l.monthly])).to.deep.equal([
      ["Data ingested", 10, 0.5, 5],
      ["Storage", 20, 0.03, 0.6],
    ]);
    expect(lg.monthly).to.equal(5.6);
    expect(lg.notes).to.deep.equal(["priced at us-east-1 prices: its provider creates it in us-east-1"]);
    expect(r.region).to.equal("ap-northeast-2");
  });

  it("with the stack's own provider, prices the same log group at Seoul rates (10 × $0.76 + 20 × $0.0314) with no note", () => {
    const r = run([seoul, east, res(LOG_GROUP, "app-logs", {}, { provider: ref(seoul) })]);
    const lg = lineOf(r, "app-logs");
    expect(lg.monthly).to.equal(8.228);
    expect(lg.notes).to.equal(undefined);
  });

  it("with a provider in a Region the price table lacks, falls back to the stack's Region", () => {
    const west = provider("eu", "eu-west-1");
    const r = run([seoul, west, res(LOG_GROUP, "eu-logs", {}, { provider: ref(west) })]);
    expect(lineOf(r, "eu-logs").monthly).to.equal(8.228);
    expect(lineOf(r, "eu-logs").notes).to.equal(undefined);
  });

  it("records the other Region's prices in the report's provenance (the union of both Regions' keys used)", () => {
    const r = run([seoul, east, res(LOG_GROUP, "edge-logs", {}, { provider: ref(east) }), res("aws:kms/key:Key", "k", {}, { provider: ref(seoul) })]);
    expect(r.prices.asOfOldest).to.equal("2024");
    expect(r.monthlyTotal).to.equal(6.6);
  });

  it("puts the session store in its own category, not Other", () => {
    expect(categoryOf("aws:elasticache/replicationGroup:ReplicationGroup")).to.equal("ElastiCache");
  });
});
