import { expect } from "chai";
import { shippedArchitecture } from "../../cli/reach/architecture";
import { architectureFromPlan } from "../../cli/reach/from-plan";
import { IntentResult, checkIntents } from "../../cli/reach/intents";
import { ReachResource, buildModel, cloudFrontPrefixLists } from "../../cli/reach/model";
import { evaluateFlow } from "../../cli/reach/evaluate";
import { find, mutate, shippedResources } from "./shipped";

/**
 * The edge in `platform reach`: the internet reaches CloudFront, CloudFront (a source whose
 * addresses are in the origin-facing prefix list) reaches the ALB on 443, and the internet (not in
 * that list) reaches the ALB on no port.
 */

const run = (stack: string, resources: readonly ReachResource[]): IntentResult[] => checkIntents(buildModel(resources), shippedArchitecture(stack));
const INGRESS = "vpc/securityGroupIngressRule:SecurityGroupIngressRule";

describe("reach: the edge in front of the ALB", function () {
  this.timeout(300000);
  const resources = new Map<string, ReachResource[]>();
  before(async () => {
    for (const stack of ["dev", "staging"]) resources.set(stack, await shippedResources(stack));
  });

  it("derives the edge from config for staging and prod only", () => {
    expect(["dev", "staging", "prod"].map((s) => shippedArchitecture(s).edge)).to.deep.equal([undefined, { enabled: true }, { enabled: true }]);
  });

  it("reads the edge back from a plan: the distribution, and the prefix list the ALB's rule names", () => {
    const staging = resources.get("staging")!;
    const m = buildModel(staging);
    expect(architectureFromPlan("staging", m, staging).edge).to.deep.equal({ enabled: true });
    expect(architectureFromPlan("dev", buildModel(resources.get("dev")!), resources.get("dev")!).edge).to.equal(undefined);
    const rule = find(staging, INGRESS, "staging-alb-https-in");
    expect(cloudFrontPrefixLists(m)).to.deep.equal([rule.props.prefixListId]);
  });

  it("staging holds internet → CloudFront, CloudFront → ALB 443 in each AZ, and internet ↛ ALB on 443 and 80 (closed at the ALB's group)", () => {
    const staging = resources.get("staging")!;
    const results = run("staging", staging).filter((r) => /^(allow:internet>cloudfront|allow:cloudfront>alb|deny:internet>alb):/.test(r.id));
    expect(results.map((r) => [r.id.split(":").slice(0, 3).join(":"), r.to.az ?? r.to.label, r.holds])).to.deep.equal([
      ["allow:internet>cloudfront:443", "CloudFront distribution staging-edge-cdn", true],
      ["allow:cloudfront>alb:443", "ap-northeast-2a", true],
      ["allow:cloudfront>alb:443", "ap-northeast-2b", true],
      ["allow:cloudfront>alb:443", "ap-northeast-2c", true],
      ["deny:internet>alb:443", "ap-northeast-2a", true],
      ["deny:internet>alb:443", "ap-northeast-2b", true],
      ["deny:internet>alb:443", "ap-northeast-2c", true],
      ["deny:internet>alb:80", "ap-northeast-2a", true],
      ["deny:internet>alb:80", "ap-northeast-2b", true],
      ["deny:internet>alb:80", "ap-northeast-2c", true],
    ]);
    const allow = results.find((r) => r.id.startsWith("allow:cloudfront>alb"))!;
    expect(allow.path.map((h) => h.detail)).to.include("from CloudFront (origin-facing) tcp 443: staging-alb-https-in");
    expect(results.find((r) => r.id.startsWith("deny:internet>alb:443"))!.blockedBy?.detail).to.equal("security group staging-alb-sg (ingress): from internet tcp 443: no ingress rule of staging-alb-sg admits it");
  });

  it("fails internet ↛ ALB when someone re-opens the ALB's 443 to 0.0.0.0/0 behind the edge", () => {
    const staging = resources.get("staging")!;
    const open = mutate(staging, INGRESS, "staging-alb-https-in", { prefixListId: undefined, cidrIpv4: "0.0.0.0/0" });
    const broken = run("staging", open).filter((r) => !r.holds);
    expect(broken.map((r) => r.id.split(":").slice(0, 3).join(":"))).to.deep.equal([
      // CloudFront's addresses are internet addresses: a 0.0.0.0/0 rule admits them too.
      "deny:internet>alb:443",
      "deny:internet>alb:443",
      "deny:internet>alb:443",
    ]);
  });

  it("fails CloudFront → ALB when the rule names another prefix list (an office list, say)", () => {
    const staging = resources.get("staging")!;
    const other = mutate(staging, INGRESS, "staging-alb-https-in", { prefixListId: "pl-00000000", tags: { Name: "staging-alb-https-in", PrefixList: "office" } });
    const broken = run("staging", other).filter((r) => !r.holds);
    expect(broken.map((r) => r.id.split(":").slice(0, 3).join(":"))).to.deep.equal(["allow:cloudfront>alb:443", "allow:cloudfront>alb:443", "allow:cloudfront>alb:443"]);
  });

  it("answers a disabled distribution with a deny at CloudFront", () => {
    const staging = resources.get("staging")!;
    const m = buildModel(mutate(staging, "cloudfront/distribution:Distribution", "staging-edge-cdn", { enabled: false }));
    const d = m.distributions![0];
    const r = evaluateFlow(m, { from: { kind: "internet" }, to: { kind: "cdn", distribution: d, label: "CloudFront" }, port: 443 });
    expect([r.result, r.blockedBy?.detail]).to.deep.equal(["deny", "CloudFront: the distribution is disabled"]);
  });
});
