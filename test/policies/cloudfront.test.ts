import { expect } from "chai";
import { policies } from "../../policies/cloudfront";
import { FixtureInputs, checkFixture, violationsOf } from "../support/policy-harness";
import { policyTests } from "./cases";
import { edgeFixture } from "./fixtures-edge";

type Inputs = Record<string, unknown>;
const cdn = (change: (i: Inputs) => void) => (f: import("../support/policy-harness").Fixture) => f.update("prod-edge-cdn", (i) => change(i as Inputs));
const origin = (i: Inputs, id: string) => (i.origins as Inputs[]).find((o) => o.originId === id) as Inputs;

policyTests(
  "policies/cloudfront.ts",
  policies,
  [
    {
      policy: "cloudfront-distribution-require-https-viewer",
      title: "the default behaviour allows plain HTTP",
      mutate: cdn((i) => ((i.defaultCacheBehavior as Inputs).viewerProtocolPolicy = "allow-all")),
      messages: ['The default cache behaviour allows plain HTTP (viewerProtocolPolicy "allow-all"); set it to "redirect-to-https".'],
    },
    {
      policy: "cloudfront-distribution-require-https-viewer",
      title: "a path behaviour allows plain HTTP",
      mutate: cdn((i) => ((i.orderedCacheBehaviors as Inputs[])[0].viewerProtocolPolicy = "allow-all")),
      messages: ['Cache behaviour "/static/*" allows plain HTTP (viewerProtocolPolicy "allow-all"); set it to "redirect-to-https".'],
    },
    {
      policy: "cloudfront-distribution-configure-tls-version",
      title: "viewers may negotiate TLS 1.2 with the 2019 ciphers",
      mutate: cdn((i) => ((i.viewerCertificate as Inputs).minimumProtocolVersion = "TLSv1.2_2019")),
      messages: ['The distribution\'s minimumProtocolVersion is "TLSv1.2_2019"; set it to "TLSv1.2_2021" or newer (TLSv1.2_2021, TLSv1.2_2025, TLSv1.3_2025).'],
    },
    {
      policy: "cloudfront-distribution-configure-tls-version",
      title: "the distribution uses the default *.cloudfront.net certificate",
      mutate: cdn((i) => (i.viewerCertificate = { cloudfrontDefaultCertificate: true })),
      messages: ['The distribution uses the *.cloudfront.net default certificate, which allows TLS 1.0; give it an ACM certificate (us-east-1) and minimumProtocolVersion "TLSv1.2_2021".'],
    },
    {
      policy: "cloudfront-distribution-require-origin-access-control",
      title: "the assets origin uses a legacy origin access identity",
      mutate: cdn((i) => {
        const o = origin(i, "assets");
        delete o.originAccessControlId;
        o.s3OriginConfig = { originAccessIdentity: "origin-access-identity/cloudfront/E2QWRUHAPOMQZL" };
      }),
      messages: ['Origin "assets" reads S3 through an origin access identity; replace it with an aws.cloudfront.OriginAccessControl (originAccessControlId) and a bucket policy for cloudfront.amazonaws.com.'],
    },
    {
      policy: "cloudfront-distribution-require-origin-access-control",
      title: "the assets origin has no access control at all",
      mutate: cdn((i) => delete origin(i, "assets").originAccessControlId),
      messages: ['Origin "assets" reads S3 without Origin Access Control, so the bucket must be public; set originAccessControlId.'],
    },
    {
      policy: "cloudfront-distribution-require-https-origin",
      title: "the ALB origin is reached over HTTP",
      mutate: cdn((i) => ((origin(i, "alb").customOriginConfig as Inputs).originProtocolPolicy = "match-viewer")),
      messages: ['Origin "alb" is reached with originProtocolPolicy "match-viewer"; set it to "https-only".'],
    },
    {
      policy: "cloudfront-distribution-require-https-origin",
      title: "the ALB origin allows TLS 1.0",
      mutate: cdn((i) => ((origin(i, "alb").customOriginConfig as Inputs).originSslProtocols = ["TLSv1", "TLSv1.2"])),
      messages: ['Origin "alb" allows TLSv1; set originSslProtocols to ["TLSv1.2"].'],
    },
    {
      policy: "cloudfront-distribution-enable-logging",
      title: "the access-log delivery is removed",
      mutate: (f) => f.remove("prod-edge-access-logs-delivery"),
      messages: [
        'Distribution "prod-edge-cdn" delivers no access logs; add an aws.cloudwatch.LogDeliverySource (logType ACCESS_LOGS, resourceArn = the distribution\'s ARN, in us-east-1) with a LogDeliveryDestination and a LogDelivery.',
      ],
    },
    {
      policy: "cloudfront-distribution-require-waf",
      title: "no web ACL is attached",
      mutate: cdn((i) => delete i.webAclId),
      messages: ['Distribution "prod-edge-cdn" has no WAF web ACL; set webAclId to the ARN of a CLOUDFRONT-scope aws.wafv2.WebAcl.'],
    },
    {
      policy: "cloudfront-distribution-require-waf",
      title: "a REGIONAL web ACL is attached",
      mutate: (f) => f.update("prod-edge-waf", (i) => (i.scope = "REGIONAL")),
      messages: ['Distribution "prod-edge-cdn" names WebAcl "prod-edge-waf", whose scope is "REGIONAL"; CloudFront takes only CLOUDFRONT-scope web ACLs (created in us-east-1).'],
    },
    {
      policy: "cloudfront-distribution-require-waf",
      title: "a WAF Classic id is given instead of a WAFv2 ARN",
      mutate: cdn((i) => (i.webAclId = "0f1e2d3c-4b5a-4697-8877-665544332211")),
      messages: ['Distribution "prod-edge-cdn" names web ACL "0f1e2d3c-4b5a-4697-8877-665544332211" by id, which only WAF Classic accepts; use the WAFv2 web ACL\'s ARN.'],
    },
    {
      policy: "cloudfront-distribution-require-private-origin-bucket",
      title: "the assets bucket's public access block lets public policies through",
      mutate: (f) => f.update("prod-edge-assets-bpa", (i) => (i.blockPublicPolicy = false)),
      messages: ['Distribution "prod-edge-cdn" serves Bucket "prod-edge-assets", which does not block all public access; give it a public access block with all four settings true.'],
    },
    {
      policy: "cloudfront-distribution-require-private-origin-bucket",
      title: "the bucket policy lets every distribution read",
      mutate: (f) =>
        f.update("prod-edge-assets-policy", (i: FixtureInputs) => {
          const doc = JSON.parse(i.policy as string) as { Statement: Inputs[] };
          delete doc.Statement[0].Condition;
          i.policy = JSON.stringify(doc);
        }),
      messages: ['Bucket "prod-edge-assets"\'s policy lets every CloudFront distribution read it; add a condition AWS:SourceArn = this distribution\'s ARN.'],
    },
    {
      policy: "wafv2-webacl-enable-logging",
      title: "the web ACL's logging configuration is removed",
      mutate: (f) => f.remove("prod-edge-waf-logging"),
      messages: ['WebAcl "prod-edge-waf" does not log; add an aws.wafv2.WebAclLoggingConfiguration to a log group named aws-waf-logs-* (in us-east-1 for CLOUDFRONT scope).'],
    },
    {
      policy: "wafv2-webacl-require-baseline-rules",
      title: "the known-bad-inputs group is missing",
      mutate: (f) => f.update("prod-edge-waf", (i) => (i.rules = (i.rules as Inputs[]).filter((r) => r.name !== "AWSManagedRulesKnownBadInputsRuleSet") as FixtureInputs[])),
      messages: ["The web ACL lacks the AWS managed rule groups AWSManagedRulesKnownBadInputsRuleSet; add them with overrideAction none."],
    },
    {
      policy: "wafv2-webacl-require-baseline-rules",
      title: "the core rule set only counts",
      mutate: (f) => f.update("prod-edge-waf", (i) => ((i.rules as Inputs[])[1].overrideAction = { count: {} })),
      messages: ['Rule "AWSManagedRulesCommonRuleSet" runs AWSManagedRulesCommonRuleSet in count mode, which blocks nothing; set overrideAction to none.'],
    },
    {
      policy: "wafv2-webacl-require-baseline-rules",
      title: "there is no rate-based rule",
      mutate: (f) => f.update("prod-edge-waf", (i) => (i.rules = (i.rules as Inputs[]).filter((r) => r.name !== "rate-limit") as FixtureInputs[])),
      messages: ["The web ACL has no blocking rate-based rule; add one (aggregateKeyType IP) so one client cannot flood the origin."],
    },
  ],
  edgeFixture,
);

describe("lb-loadbalancer-require-waf behind the edge", function () {
  this.timeout(180000);

  it("passes an ALB without its own web ACL when only CloudFront's prefix list reaches it and the distribution has a web ACL", async () => {
    const f = edgeFixture();
    f.remove("prod-alb-waf");
    expect(violationsOf(await checkFixture(f, { config: "prod" }), "lb-loadbalancer-require-waf")).to.deep.equal([]);
  });

  it("still passes with an office CIDR on the ALB's group (a test listener), which is not the internet", async () => {
    const f = edgeFixture();
    f.remove("prod-alb-waf");
    f.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "prod-alb-in-office", {
      securityGroupId: f.get("prod-alb-sg").id, ipProtocol: "tcp", fromPort: 8443, toPort: 8443, cidrIpv4: "203.0.113.0/24", description: "Test listener from the office",
    });
    expect(violationsOf(await checkFixture(f, { config: "prod" }), "lb-loadbalancer-require-waf")).to.deep.equal([]);
  });

  it("fails it again (advisory) when the ALB's group also admits the internet by CIDR", async () => {
    const f = edgeFixture();
    f.remove("prod-alb-waf");
    f.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "prod-alb-in-443-open", {
      securityGroupId: f.get("prod-alb-sg").id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "HTTPS from the internet",
    });
    const got = violationsOf(await checkFixture(f, { config: "prod" }), "lb-loadbalancer-require-waf");
    expect(got.map((v) => [v.level, v.message])).to.deep.equal([
      ["advisory", 'LoadBalancer "prod-alb" has no WAF web ACL; associate one (aws.wafv2.WebAclAssociation) with the managed Known-Bad-Inputs rules.'],
    ]);
  });
});
