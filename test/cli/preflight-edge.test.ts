import { expect } from "chai";
import type { DeploymentResource } from "../../cli/cost/types";
import { documentIn, res } from "../support/documents";
import { checkQuotas } from "../../cli/preflight/check";
import { Contribution, PREFIX_LIST_WEIGHTS, countStack } from "../../cli/preflight/count";
import { shippedQuotaTable } from "../../cli/preflight/quota-table";

/** The edge's quotas on hand-made documents: the prefix-list weight, CloudFront and WAF counts. */

const doc = (...resources: DeploymentResource[]) => documentIn("ap-northeast-2", ...resources);
const of = (cs: readonly Contribution[], quota: string) => cs.filter((c) => c.quota === quota);
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const cloudFrontRule = (name: string) =>
  res(INGRESS, name, { securityGroupId: "sg-alb", ipProtocol: "tcp", fromPort: 443, toPort: 443, prefixListId: "pl-3b927c52", tags: { PrefixList: "com.amazonaws.global.cloudfront.origin-facing" } });

describe("preflight: the edge", () => {
  it("counts a rule referencing CloudFront's origin-facing prefix list as its weight, 55 rules (Amazon VPC quotas)", () => {
    const c = countStack(doc(cloudFrontRule("alb-https-in")), "t");
    expect(PREFIX_LIST_WEIGHTS["com.amazonaws.global.cloudfront.origin-facing"]).to.equal(55);
    expect(of(c.contributions, "rules-per-security-group").map((x) => [x.subject, x.amount])).to.deep.equal([["sg-alb:IPv4 inbound", 55]]);
    expect(c.notes).to.deep.equal([]);
  });

  it("fails a second CloudFront rule in the same group: 110 rules > 60 (so only one such rule fits the default quota)", () => {
    const counts = [countStack(doc(cloudFrontRule("alb-https-in"), cloudFrontRule("alb-http-in")), "t")];
    const q = checkQuotas(counts, shippedQuotaTable(), {}).accounts[0].quotas.find((x) => x.id === "rules-per-security-group")!;
    expect([q.used, q.limit, q.ok]).to.deep.equal([110, 60, false]);
  });

  it("with the release styles' test-listener rules beside the CloudFront rule, passes one service from the VPC (56 / 60) and fails two services with two office ranges each (61 > 60)", () => {
    // Each blueGreen/canary/linear service adds `-test-in-<n>` on the ALB's group: the VPC CIDR,
    // then each testListenerCidrs entry (docs/releases.md); each counts one rule (Amazon VPC quotas).
    const testIn = (svc: string, n: number, cidr: string, port: number) =>
      res(INGRESS, `t-svc-${svc}-test-in-${n}`, { securityGroupId: "sg-alb", ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: cidr });
    const quota = (...rules: DeploymentResource[]) =>
      checkQuotas([countStack(doc(cloudFrontRule("alb-https-in"), ...rules), "t")], shippedQuotaTable(), {}).accounts[0].quotas.find((x) => x.id === "rules-per-security-group")!;
    const shipped = quota(testIn("hello", 1, "10.30.0.0/16", 8443));
    expect([shipped.used, shipped.limit, shipped.ok]).to.deep.equal([56, 60, true]);
    const twoServicesTwoOffices = quota(
      ...["a", "b"].flatMap((svc, i) => ["10.30.0.0/16", "198.51.100.0/24", "203.0.113.0/24"].map((cidr, n) => testIn(svc, n + 1, cidr, 8443 + i))),
    );
    expect([twoServicesTwoOffices.used, twoServicesTwoOffices.limit, twoServicesTwoOffices.ok]).to.deep.equal([61, 60, false]);
  });

  it("counts an unnamed prefix list as one rule and says so", () => {
    const c = countStack(doc(res(INGRESS, "office-in", { securityGroupId: "sg-x", ipProtocol: "tcp", fromPort: 22, toPort: 22, prefixListId: "pl-0123abcd" })), "t");
    expect(of(c.contributions, "rules-per-security-group").map((x) => x.amount)).to.deep.equal([1]);
    expect(c.notes).to.deep.equal(["office-in references prefix list pl-0123abcd, whose maximum entries the plan does not say: counted as 1 rule; it counts as its max entries."]);
  });

  it("counts CloudFront per account in us-east-1 (distributions, behaviours incl. the default, origins) and the web ACL with its WCU where its provider puts it", () => {
    const cdn = res("aws:cloudfront/distribution:Distribution", "cdn", {
      origins: [{ originId: "alb" }, { originId: "assets" }],
      orderedCacheBehaviors: [{ pathPattern: "/api/*" }, { pathPattern: "/static/*" }],
      defaultCacheBehavior: {},
    });
    const acl = res("aws:wafv2/webAcl:WebAcl", "waf", {
      scope: "CLOUDFRONT",
      rules: [
        { statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" } } },
        { statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesKnownBadInputsRuleSet" } } },
        { statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesAmazonIpReputationList" } } },
        { statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: "IP" } } },
      ],
    });
    const c = countStack(doc(cdn, acl), "t").contributions;
    const at = (q: string) => of(c, q).map((x) => [x.amount, x.subject, x.location.region]);
    expect(at("cloudfront-distributions")).to.deep.equal([[1, undefined, "us-east-1"]]);
    expect(at("cache-behaviors-per-distribution")).to.deep.equal([[3, "t/cdn", "us-east-1"]]);
    expect(at("origins-per-distribution")).to.deep.equal([[2, "t/cdn", "us-east-1"]]);
    // This document's only provider is in ap-northeast-2; the program's web ACL uses its us-east-1 provider.
    expect(at("waf-web-acls")).to.deep.equal([[1, undefined, "ap-northeast-2"]]);
    expect(at("waf-wcu-per-web-acl")).to.deep.equal([[927, "t/waf", "ap-northeast-2"]]);
  });
});
