import { expect } from "chai";
import { CostReport, DeploymentResource, estimate, FREE_TYPES, parseUsageFile, shippedPriceTable, USAGE_KEYS } from "../../cli/cost";
import { EDGE_FREE_TYPES, EDGE_USAGE_KEYS } from "../../cli/cost/edge";
import { doc, res } from "../fixtures/cost/build";

/** The edge's cost rules on hand-made documents: exact lines from the price table and usage. */

const prices = shippedPriceTable();
const DIST = "aws:cloudfront/distribution:Distribution";
const ACL = "aws:wafv2/webAcl:WebAcl";

function run(resources: DeploymentResource[], usage: string): CostReport {
  return estimate(doc(...resources), { region: "ap-northeast-2", prices, usage: [parseUsageFile(usage, "test.yml")], stack: "test" });
}
const lines = (r: CostReport, type: string) => r.resources.filter((x) => x.type === type).flatMap((x) => x.lines.map((l) => [l.description, l.quantity, l.unitPrice, l.monthly]));

describe("cost: the edge", () => {
  it("with PriceClass_200 and 90% Asian viewers, prices 100 GB and 10 M requests at each geography's rate", () => {
    const r = run(
      [res(DIST, "cdn", { priceClass: "PriceClass_200" })],
      `resource_type_default_usage:\n  "${DIST}": { monthly_data_transfer_out_gb: 100, monthly_requests_millions: 10, asia_viewer_share: 0.9 }\n`,
    );
    expect(lines(r, DIST)).to.deep.equal([
      ["Data transfer out to viewers (US/Europe edges)", 10, 0.085, 0.85],
      ["Data transfer out to viewers (Asia edges)", 90, 0.12, 10.8],
      ["HTTPS requests (US/Europe edges)", 100, 0.01, 1],
      ["HTTPS requests (Asia edges)", 900, 0.012, 10.8],
    ]);
    expect(r.monthlyTotal).to.equal(23.45);
  });

  it("with PriceClass_100, serves the same Asian viewers from US/Europe edges at that rate, and says so", () => {
    const r = run(
      [res(DIST, "cdn", { priceClass: "PriceClass_100" })],
      `resource_type_default_usage:\n  "${DIST}": { monthly_data_transfer_out_gb: 100, monthly_requests_millions: 10, asia_viewer_share: 0.9 }\n`,
    );
    expect(lines(r, DIST)).to.deep.equal([
      ["Data transfer out to viewers (US/Europe edges)", 100, 0.085, 8.5],
      ["HTTPS requests (US/Europe edges)", 1000, 0.01, 10],
    ]);
    expect(r.resources[0].notes).to.include("PriceClass_100 has no Asian edge locations: Asian viewers (90%) are served from US/Europe edges at their rate, with more latency");
  });

  it("prices a web ACL at $5 + $1 per rule + $0.60 per million requests: 4 rules and 10 M requests = $15", () => {
    const rules = [1, 2, 3, 4].map((i) => ({ name: `r${i}` }));
    const r = run([res(ACL, "waf", { scope: "CLOUDFRONT", rules, defaultAction: { allow: {} } })], `resource_type_default_usage:\n  "${ACL}": { monthly_requests_millions: 10 }\n`);
    expect(lines(r, ACL)).to.deep.equal([
      ["Web ACL", 1, 5, 5],
      ["Rules (4; a managed rule group counts as one)", 4, 1, 4],
      ["Requests inspected", 10, 0.6, 6],
    ]);
  });

  it("marks unknown traffic as usage unknown (counted $0) instead of guessing", () => {
    const r = run([res(DIST, "cdn", { priceClass: "PriceClass_All" })], `resource_type_default_usage:\n  "${DIST}": { monthly_data_transfer_out_gb: ~, monthly_requests_millions: ~, asia_viewer_share: 0 }\n`);
    expect(r.resources[0].lines.map((l) => [l.usageKnown, l.monthly])).to.deep.equal([
      [false, 0],
      [false, 0],
    ]);
  });

  it("registers the edge's usage keys and free types with the shared tables", () => {
    for (const [type, keys] of Object.entries(EDGE_USAGE_KEYS)) expect(USAGE_KEYS[type]).to.deep.equal(keys);
    for (const type of EDGE_FREE_TYPES) expect(FREE_TYPES.has(type), type).to.equal(true);
  });
});
