import { expect } from "chai";
import * as fc from "fast-check";
import * as fs from "fs";
import * as vm from "vm";
import { resolveProgramPath } from "../../../infra/paths";
import {
  ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY_ID,
  MANAGED_CACHE_POLICY_IDS,
  WEB_ACL_WCU_MAX,
  aliasRecordSuffix,
  assetsBucketPolicy,
  edgePhysicalNames,
  planBehaviour,
  planBehaviours,
  planWafRules,
  webAclCapacityOf,
  webAclCapacity,
} from "../../../infra/edge/plan";
import { EdgeBehaviour } from "../../../infra/edge/config";

describe("edge/plan: cache behaviours", () => {
  const cases: Array<[string, EdgeBehaviour, Record<string, unknown>]> = [
    [
      "the ALB uncached, every viewer header but Host forwarded, every method",
      { path: "/api/*", origin: "alb", cache: "uncached", forward: "all" },
      {
        pathPattern: "/api/*",
        targetOriginId: "alb",
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
        cachedMethods: ["GET", "HEAD"],
        cachePolicyId: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        originRequestPolicyId: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
        compress: true,
      },
    ],
    [
      "the assets bucket cached, read-only, nothing forwarded, with its function",
      { path: "/app/*", origin: "assets", cache: "cached", forward: "none", functionName: "spa-rewrite" },
      {
        pathPattern: "/app/*",
        targetOriginId: "assets",
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD"],
        cachedMethods: ["GET", "HEAD"],
        cachePolicyId: "658327ea-f89d-4fab-a63d-7e88639e58f6",
        compress: true,
        functionName: "spa-rewrite",
      },
    ],
  ];
  for (const [what, b, want] of cases) it(`plans ${what}`, () => expect(planBehaviour(b)).to.deep.equal(want));

  it("uses AWS's documented managed policy ids", () => {
    expect(MANAGED_CACHE_POLICY_IDS).to.deep.equal({ cached: "658327ea-f89d-4fab-a63d-7e88639e58f6", uncached: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" });
    expect(ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY_ID).to.equal("b689b0a8-53d0-40ab-baf2-68738e2966ac");
  });

  it("keeps behaviours in config order and always redirects viewers to HTTPS (property)", () => {
    const behaviour = fc.record({
      path: fc.stringMatching(/^\/[a-z]{1,8}\/\*$/),
      origin: fc.constantFrom("alb" as const, "assets" as const),
      cache: fc.constantFrom("cached" as const, "uncached" as const),
      forward: fc.constantFrom("all" as const, "none" as const),
    });
    fc.assert(
      fc.property(fc.array(behaviour, { maxLength: 10 }), (bs) => {
        const planned = planBehaviours({ behaviours: bs, defaultBehaviour: { origin: "alb", cache: "uncached", forward: "all" } });
        expect(planned.ordered.map((b) => b.pathPattern)).to.deep.equal(bs.map((b) => b.path));
        for (const b of [...planned.ordered, planned.default]) expect(b.viewerProtocolPolicy).to.equal("redirect-to-https");
        expect(planned.default.pathPattern).to.equal(undefined);
      }),
    );
  });
});

describe("edge/plan: the assets bucket policy", () => {
  it("lets CloudFront read only for this distribution (OAC), and denies plain HTTP", () => {
    expect(assetsBucketPolicy("arn:aws:s3:::assets", "arn:aws:cloudfront::123456789012:distribution/E1")).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AllowCloudFrontServicePrincipalReadOnly",
          Effect: "Allow",
          Principal: { Service: "cloudfront.amazonaws.com" },
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::assets/*",
          Condition: { StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E1" } },
        },
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: ["arn:aws:s3:::assets", "arn:aws:s3:::assets/*"],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });
});

describe("edge/plan: WAF rules and capacity", () => {
  it("without lists: IP reputation, core rule set, known bad inputs, then the rate limit; 927 WCU", () => {
    const rules = planWafRules({ allowCidrs: [], denyCidrs: [] });
    expect(rules.map((r) => [r.priority, r.name, r.wcu])).to.deep.equal([
      [0, "AWSManagedRulesAmazonIpReputationList", 25],
      [1, "AWSManagedRulesCommonRuleSet", 700],
      [2, "AWSManagedRulesKnownBadInputsRuleSet", 200],
      [3, "rate-limit", 2],
    ]);
    expect(webAclCapacity(rules)).to.equal(927);
  });

  it("with office allow and deny lists: allow first, deny second; 929 WCU, within the 5,000 limit", () => {
    const rules = planWafRules({ allowCidrs: ["203.0.113.0/24"], denyCidrs: ["198.51.100.0/24"] });
    expect(rules.slice(0, 2).map((r) => [r.priority, r.kind])).to.deep.equal([
      [0, "allow-list"],
      [1, "deny-list"],
    ]);
    expect(webAclCapacity(rules)).to.equal(929).and.to.be.below(WEB_ACL_WCU_MAX);
  });

  it("computes the same capacity from a web ACL's rules as written", () => {
    const written = [
      { statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" } } },
      { statement: { ipSetReferenceStatement: { arn: "arn" } } },
      { statement: { rateBasedStatement: { limit: 100, aggregateKeyType: "IP" } } },
    ];
    expect(webAclCapacityOf(written)).to.equal(703);
    expect(webAclCapacityOf(undefined)).to.equal(0);
  });
});

describe("edge/plan: names", () => {
  it("names the WAF log group aws-waf-logs-* (WAF's rule) and the rest after the project and stack", () => {
    const n = edgePhysicalNames("platform", "prod");
    expect([n.webAclName, n.wafLogGroupName, n.accessLogGroupName, n.functionName("spa-rewrite"), n.ipSetName("allow")]).to.deep.equal([
      "platform-prod-edge",
      "aws-waf-logs-platform-prod",
      "/platform/prod/cloudfront",
      "platform-prod-spa-rewrite",
      "platform-prod-allow",
    ]);
  });

  it("gives the first alias's records the names the ALB's record had, the others a suffix", () => {
    expect([aliasRecordSuffix("app.example.com", 0), aliasRecordSuffix("www.app.example.com", 1)]).to.deep.equal(["", "-www-app-example-com"]);
  });
});

describe("edge/functions/spa-rewrite.js (cloudfront-js-2.0)", () => {
  const code = fs.readFileSync(resolveProgramPath("edge/functions/spa-rewrite.js"), "utf8");
  const sandbox: { handler?: (e: { request: { uri: string } }) => { uri: string } } = {};
  vm.createContext(sandbox);
  vm.runInContext(code, sandbox);
  const rewrite = (uri: string) => sandbox.handler!({ request: { uri } }).uri;

  const cases: Array<[string, string]> = [
    ["/app/settings/profile", "/app/index.html"],
    ["/app/", "/app/index.html"],
    ["/app", "/app/index.html"],
    ["/", "/index.html"],
    ["/app/main.3f2a9c.js", "/app/main.3f2a9c.js"],
    ["/app/img/logo.svg", "/app/img/logo.svg"],
  ];
  for (const [from, to] of cases) it(`rewrites ${from} to ${to}`, () => expect(rewrite(from)).to.equal(to));

  it("fits CloudFront Functions' 10 KB code limit", () => expect(Buffer.byteLength(code)).to.be.below(10_240));
});
