import { expect } from "chai";
import * as fs from "fs";
import { Evaluation, RecordedResource } from "../../../cli/evaluate/harness";
import { MOCK_ACCOUNT_ID } from "../../../cli/evaluate/mocks";
import { isSecretValue } from "../../../cli/evaluate/property-values";
import { resolveProgramPath } from "../../../infra/paths";
import { evaluateVariant, evaluatedStacks, one, ofType } from "../app/evaluated";

/**
 * The edge of the shipped stacks behind it (staging, prod), evaluated under the mocks with their
 * real config files: exact children, names, providers and inputs.
 */

const EDGE_TYPES: Record<string, number> = {
  "pulumi:providers:aws": 1,
  "random:index/randomPassword:RandomPassword": 1,
  "aws:acm/certificate:Certificate": 1,
  "aws:acm/certificateValidation:CertificateValidation": 1,
  // The viewer name's A and AAAA aliases; its validation CNAME is the ALB certificate's.
  "aws:route53/record:Record": 2,
  "aws:s3/bucket:Bucket": 1,
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
  "aws:s3/bucketVersioning:BucketVersioning": 1,
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
  "aws:s3/bucketPolicy:BucketPolicy": 1,
  "aws:cloudfront/originAccessControl:OriginAccessControl": 1,
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": 1,
  "aws:cloudfront/function:Function": 1,
  "aws:kms/key:Key": 1,
  "aws:cloudwatch/logGroup:LogGroup": 2,
  "aws:wafv2/webAcl:WebAcl": 1,
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": 1,
  "aws:cloudfront/distribution:Distribution": 1,
  "aws:cloudwatch/logDeliverySource:LogDeliverySource": 1,
  "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": 1,
  "aws:cloudwatch/logDelivery:LogDelivery": 1,
};

const DOMAIN: Record<string, string> = { staging: "staging.app.example.com", prod: "app.example.com" };

function children(ev: Evaluation, stack: string): RecordedResource[] {
  const edge = one(ev, "platform:edge:Edge", `${stack}-edge`);
  return ev.resources.filter((r) => r.parent === edge.urn);
}

function unwrap(v: unknown): unknown {
  return isSecretValue(v) ? v.value : v;
}

describe("edge component in the shipped stacks", function () {
  this.timeout(300_000);
  let stacks: ReadonlyMap<string, Evaluation>;
  before(async () => {
    stacks = await evaluatedStacks();
  });

  it("dev and shared have no edge: no CloudFront, WAF or second provider", () => {
    for (const stack of ["shared", "dev"]) {
      const ev = stacks.get(stack)!;
      expect(ofType(ev, "platform:edge:Edge"), stack).to.have.length(0);
      expect(ofType(ev, "aws:cloudfront/distribution:Distribution"), stack).to.have.length(0);
      expect(ev.outputs, stack).to.not.have.any.keys("edgeDistributionId", "edgeAssetsBucket");
    }
  });

  for (const stack of ["staging", "prod"]) {
    describe(`with ${stack}`, () => {
      let ev: Evaluation;
      const r = (type: string, name: string) => one(ev, type, name);
      const n = `${stack}-edge`;
      before(() => {
        ev = stacks.get(stack)!;
      });

      it("creates exactly these children under the component, named after it", () => {
        const counts: Record<string, number> = {};
        for (const c of children(ev, stack)) counts[c.type] = (counts[c.type] ?? 0) + 1;
        expect(counts).to.deep.equal(EDGE_TYPES);
        for (const c of children(ev, stack)) expect(c.name.startsWith(n), c.name).to.equal(true);
      });

      it("adds a us-east-1 provider with the stack provider's default tags and allowed accounts, used by the certificate, the WAF and the logs", () => {
        const east = r("pulumi:providers:aws", `${n}-us-east-1`);
        const root = r("pulumi:providers:aws", "aws");
        expect(east.inputs.region).to.equal("us-east-1");
        expect(east.inputs.defaultTags).to.deep.equal(root.inputs.defaultTags);
        expect(east.inputs.allowedAccountIds).to.deep.equal(root.inputs.allowedAccountIds).and.to.not.equal(undefined);
        const ref = (x: RecordedResource) => x.provider?.split("::").slice(0, 4).join("::");
        for (const [type, name] of [
          ["aws:acm/certificate:Certificate", `${n}-cert`],
          ["aws:wafv2/webAcl:WebAcl", `${n}-waf`],
          ["aws:cloudwatch/logGroup:LogGroup", `${n}-waf-logs`],
          ["aws:cloudwatch/logDeliverySource:LogDeliverySource", `${n}-access-logs`],
          ["aws:kms/key:Key", `${n}-logs-key`],
        ]) {
          expect(ref(r(type, name)), name).to.equal(east.urn);
        }
        expect(ref(r("aws:cloudfront/distribution:Distribution", `${n}-cdn`))).to.equal(root.urn);
        expect(r("aws:acm/certificate:Certificate", `${n}-cert`).outputs.arn).to.match(/^arn:aws:acm:us-east-1:/);
        // ACM's validation CNAME for a name is the same for every certificate of the account, so
        // the us-east-1 certificate validates through the ALB's record instead of a second copy
        // (whose deletion would take the ALB certificate's renewal record with it).
        expect(children(ev, stack).filter((c) => c.name.startsWith(`${n}-cert-validation`))).to.deep.equal([]);
        expect(r("aws:acm/certificateValidation:CertificateValidation", `${n}-cert`).inputs.validationRecordFqdns).to.deep.equal([
          r("aws:route53/record:Record", `${stack}-alb-cert-validation`).outputs.fqdn,
        ]);
      });

      it("keeps the assets bucket private: all four public-access blocks, owner-enforced, SSE-S3, versioned, readable only by this distribution", () => {
        const bucket = r("aws:s3/bucket:Bucket", `${n}-assets`);
        const cdn = r("aws:cloudfront/distribution:Distribution", `${n}-cdn`);
        expect(r("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${n}-assets`).inputs).to.deep.include({
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        });
        expect(r("aws:s3/bucketOwnershipControls:BucketOwnershipControls", `${n}-assets`).inputs.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
        expect(r("aws:s3/bucketVersioning:BucketVersioning", `${n}-assets`).inputs.versioningConfiguration).to.deep.equal({ status: "Enabled" });
        const policy = JSON.parse(r("aws:s3/bucketPolicy:BucketPolicy", `${n}-assets`).inputs.policy as string) as { Statement: Array<Record<string, unknown>> };
        expect(policy.Statement[0].Condition).to.deep.equal({ StringEquals: { "AWS:SourceArn": cdn.outputs.arn } });
        expect(cdn.outputs.arn).to.match(new RegExp(`^arn:aws:cloudfront::${MOCK_ACCOUNT_ID}:distribution/E[A-Z0-9]{13}$`));
        expect(r("aws:cloudfront/originAccessControl:OriginAccessControl", `${n}-assets-oac`).inputs).to.deep.include({
          originAccessControlOriginType: "s3",
          signingBehavior: "always",
          signingProtocol: "sigv4",
        });
        expect(ev.outputs.edgeAssetsBucket).to.equal(bucket.outputs.bucket);
      });

      it("serves the domain over HTTP/2 and 3 with TLSv1.2_2021, its us-east-1 certificate, the web ACL by ARN, and HTTPS-only origins", () => {
        const cdn = r("aws:cloudfront/distribution:Distribution", `${n}-cdn`);
        const acl = r("aws:wafv2/webAcl:WebAcl", `${n}-waf`);
        const validation = r("aws:acm/certificateValidation:CertificateValidation", `${n}-cert`);
        expect(cdn.inputs).to.deep.include({
          aliases: [DOMAIN[stack]],
          httpVersion: "http2and3",
          isIpv6Enabled: true,
          priceClass: stack === "prod" ? "PriceClass_All" : "PriceClass_200",
          webAclId: acl.outputs.arn,
          viewerCertificate: { acmCertificateArn: validation.outputs.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
        });
        expect(validation.outputs.certificateArn).to.equal(r("aws:acm/certificate:Certificate", `${n}-cert`).outputs.arn);
        expect(acl.outputs.arn).to.match(new RegExp(`^arn:aws:wafv2:us-east-1:${MOCK_ACCOUNT_ID}:global/webacl/platform-${stack}-edge/`));
        // The origins carry the secret header, so Pulumi keeps the whole list secret.
        expect(isSecretValue(cdn.inputs.origins)).to.equal(true);
        const origins = unwrap(cdn.inputs.origins) as Array<Record<string, unknown>>;
        expect(origins.map((o) => [o.originId, o.domainName])).to.deep.equal([
          ["alb", `origin.${DOMAIN[stack]}`],
          ["assets", r("aws:s3/bucket:Bucket", `${n}-assets`).outputs.bucketRegionalDomainName],
        ]);
        expect(origins[0].customOriginConfig).to.deep.equal({ httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"], originReadTimeout: 30, originKeepaliveTimeout: 5 });
        const secret = r("random:index/randomPassword:RandomPassword", `${n}-origin-secret`);
        expect(secret.inputs).to.deep.include({ length: 48, special: false });
        expect(unwrap(origins[0].customHeaders)).to.deep.equal([{ name: "X-Origin-Verify", value: secret.outputs.result }]);
        expect(origins[1].originAccessControlId).to.equal(r("aws:cloudfront/originAccessControl:OriginAccessControl", `${n}-assets-oac`).id);
        const behaviours = (cdn.inputs.orderedCacheBehaviors as Array<Record<string, unknown>>).map((b) => [b.pathPattern, b.targetOriginId, b.cachePolicyId, b.originRequestPolicyId]);
        expect(behaviours).to.deep.equal([
          ["/api/*", "alb", "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "b689b0a8-53d0-40ab-baf2-68738e2966ac"],
          ["/static/*", "assets", "658327ea-f89d-4fab-a63d-7e88639e58f6", undefined],
          ["/app/*", "assets", "658327ea-f89d-4fab-a63d-7e88639e58f6", undefined],
        ]);
        const fn = r("aws:cloudfront/function:Function", `${n}-fn-spa-rewrite`);
        expect(fn.inputs).to.deep.include({ name: `platform-${stack}-spa-rewrite`, runtime: "cloudfront-js-2.0", publish: true, code: fs.readFileSync(resolveProgramPath("edge/functions/spa-rewrite.js"), "utf8") });
        expect((cdn.inputs.orderedCacheBehaviors as Array<Record<string, unknown>>)[2].functionAssociations).to.deep.equal([{ eventType: "viewer-request", functionArn: fn.outputs.arn }]);
        expect(ev.outputs.edgeDistributionId).to.equal(cdn.id);
        expect(ev.outputs.edgeDistributionDomainName).to.equal(cdn.outputs.domainName).and.to.match(/^d[a-z]{13}\.cloudfront\.net$/);
      });

      it("sends security headers on every response: HSTS two years, nosniff, SAMEORIGIN, strict-origin-when-cross-origin", () => {
        const headers = r("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", `${n}-headers`);
        expect(headers.inputs.securityHeadersConfig).to.deep.equal({
          strictTransportSecurity: { accessControlMaxAgeSec: 63072000, includeSubdomains: true, preload: false, override: true },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: "SAMEORIGIN", override: true },
          referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
        });
        const cdn = r("aws:cloudfront/distribution:Distribution", `${n}-cdn`);
        const all = [cdn.inputs.defaultCacheBehavior, ...(cdn.inputs.orderedCacheBehaviors as unknown[])] as Array<Record<string, unknown>>;
        expect(all.map((b) => [b.responseHeadersPolicyId, b.viewerProtocolPolicy, b.compress])).to.deep.equal(all.map(() => [headers.id, "redirect-to-https", true]));
      });

      it("runs the WAF with the managed groups and a rate limit (927 WCU), logging to an encrypted aws-waf-logs-* group in us-east-1", () => {
        const acl = r("aws:wafv2/webAcl:WebAcl", `${n}-waf`);
        expect(acl.inputs).to.deep.include({ name: `platform-${stack}-edge`, scope: "CLOUDFRONT", defaultAction: { allow: {} } });
        const rules = acl.inputs.rules as Array<Record<string, unknown>>;
        expect(rules.map((x) => [x.priority, x.name])).to.deep.equal([
          [0, "AWSManagedRulesAmazonIpReputationList"],
          [1, "AWSManagedRulesCommonRuleSet"],
          [2, "AWSManagedRulesKnownBadInputsRuleSet"],
          [3, "rate-limit"],
        ]);
        expect(rules[3].statement).to.deep.equal({ rateBasedStatement: { limit: 2000, aggregateKeyType: "IP", evaluationWindowSec: 300 } });
        expect(acl.outputs.capacity).to.equal(927);
        const logs = r("aws:cloudwatch/logGroup:LogGroup", `${n}-waf-logs`);
        const key = r("aws:kms/key:Key", `${n}-logs-key`);
        expect(logs.inputs).to.deep.include({ name: `aws-waf-logs-platform-${stack}`, kmsKeyId: key.outputs.arn, retentionInDays: stack === "prod" ? 365 : 30 });
        expect(logs.outputs.arn).to.match(/^arn:aws:logs:us-east-1:/);
        expect(r("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", `${n}-waf-logs`).inputs).to.deep.include({ resourceArn: acl.outputs.arn, logDestinationConfigs: [logs.outputs.arn] });
        const policy = JSON.parse(key.inputs.policy as string) as { Statement: Array<{ Principal: unknown; Condition?: Record<string, Record<string, unknown>> }> };
        expect(policy.Statement[1].Principal).to.deep.equal({ Service: "logs.us-east-1.amazonaws.com" });
        expect(policy.Statement[1].Condition?.ArnLike["kms:EncryptionContext:aws:logs:arn"]).to.deep.equal([
          `arn:aws:logs:us-east-1:${MOCK_ACCOUNT_ID}:log-group:aws-waf-logs-platform-${stack}`,
          `arn:aws:logs:us-east-1:${MOCK_ACCOUNT_ID}:log-group:/platform/${stack}/cloudfront`,
        ]);
      });

      it("delivers access logs (standard logging v2) to a CloudWatch Logs group in us-east-1", () => {
        const cdn = r("aws:cloudfront/distribution:Distribution", `${n}-cdn`);
        const source = r("aws:cloudwatch/logDeliverySource:LogDeliverySource", `${n}-access-logs`);
        const destination = r("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", `${n}-access-logs`);
        const group = r("aws:cloudwatch/logGroup:LogGroup", `${n}-access-logs`);
        expect(source.inputs).to.deep.include({ logType: "ACCESS_LOGS", resourceArn: cdn.outputs.arn });
        expect(destination.inputs.deliveryDestinationConfiguration).to.deep.equal({ destinationResourceArn: group.outputs.arn });
        expect(r("aws:cloudwatch/logDelivery:LogDelivery", `${n}-access-logs`).inputs).to.deep.include({ deliverySourceName: source.outputs.name, deliveryDestinationArn: destination.outputs.arn });
        expect(cdn.inputs.loggingConfig).to.equal(undefined);
      });

      it("points the domain's A and AAAA records at the distribution (zone Z2FDTNDATAQYW2), the A record taking over the ALB's by alias", () => {
        const cdn = r("aws:cloudfront/distribution:Distribution", `${n}-cdn`);
        const a = r("aws:route53/record:Record", `${n}-alias`);
        const aaaa = r("aws:route53/record:Record", `${n}-alias-aaaa`);
        const target = [{ name: cdn.outputs.domainName, zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }];
        expect([a.inputs.name, a.inputs.type, a.inputs.aliases]).to.deep.equal([DOMAIN[stack], "A", target]);
        expect([aaaa.inputs.name, aaaa.inputs.type, aaaa.inputs.aliases]).to.deep.equal([DOMAIN[stack], "AAAA", target]);
        expect(a.aliases).to.deep.equal([`urn:pulumi:${stack}::platform::platform:app:LoadBalancer$aws:route53/record:Record::${stack}-alb-alias`]);
        expect(ofType(ev, "aws:route53/record:Record").filter((x) => x.name === `${stack}-alb-alias`)).to.have.length(0);
      });
    });
  }
});

describe("edge component variants", function () {
  this.timeout(300_000);

  it("with office allow and deny lists, adds two us-east-1 IP sets and their rules before the managed groups (929 WCU)", async () => {
    const ev = await evaluateVariant("staging", (c) => {
      c["platform:edge"] = { ...(c["platform:edge"] as Record<string, unknown>), waf: { rateLimit: 500, allowCidrs: ["203.0.113.0/24"], denyCidrs: ["198.51.100.0/24"] } };
    });
    const allow = one(ev, "aws:wafv2/ipSet:IpSet", "staging-edge-waf-allow");
    const deny = one(ev, "aws:wafv2/ipSet:IpSet", "staging-edge-waf-deny");
    expect(allow.inputs).to.deep.include({ name: "platform-staging-allow", scope: "CLOUDFRONT", ipAddressVersion: "IPV4", addresses: ["203.0.113.0/24"] });
    expect(deny.inputs.addresses).to.deep.equal(["198.51.100.0/24"]);
    const acl = one(ev, "aws:wafv2/webAcl:WebAcl", "staging-edge-waf");
    const rules = acl.inputs.rules as Array<Record<string, unknown>>;
    expect(rules.slice(0, 2)).to.deep.equal([
      { name: "allow-list", priority: 0, visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: "platform-staging-allow-list" }, action: { allow: {} }, statement: { ipSetReferenceStatement: { arn: allow.outputs.arn } } },
      { name: "deny-list", priority: 1, visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: "platform-staging-deny-list" }, action: { block: {} }, statement: { ipSetReferenceStatement: { arn: deny.outputs.arn } } },
    ]);
    expect((rules[5].statement as Record<string, Record<string, unknown>>).rateBasedStatement.limit).to.equal(500);
    expect(acl.outputs.capacity).to.equal(929);
  });
});

describe("edge component: turning the edge off", function () {
  this.timeout(300_000);

  it("the ALB's viewer A records take the edge's back by alias (updated in place, not created beside the edge's, which Route 53 would refuse)", async () => {
    const ev = await evaluateVariant("staging", (c) => {
      delete c["platform:edge"];
      c["platform:alb"] = { ...(c["platform:alb"] as Record<string, unknown>), alternativeNames: ["www.staging.app.example.com"] };
    });
    expect(ofType(ev, "platform:edge:Edge")).to.have.length(0);
    const edgeRecord = (name: string) => `urn:pulumi:staging::platform::platform:edge:Edge$aws:route53/record:Record::${name}`;
    const apex = one(ev, "aws:route53/record:Record", "staging-alb-alias");
    const www = one(ev, "aws:route53/record:Record", "staging-alb-alias-www-staging-app-example-com");
    expect([apex.inputs.name, apex.inputs.type]).to.deep.equal(["staging.app.example.com", "A"]);
    expect(apex.aliases).to.deep.equal([edgeRecord("staging-edge-alias")]);
    expect(www.aliases).to.deep.equal([edgeRecord("staging-edge-alias-www-staging-app-example-com")]);
    // The validation records are the ALB's own and keep no alias.
    expect(one(ev, "aws:route53/record:Record", "staging-alb-cert-validation").aliases).to.deep.equal([]);
  });

  it("with the edge on, the ALB's only alias record (the origin name) takes nothing over", async () => {
    const staging = (await evaluatedStacks()).get("staging") as Evaluation;
    const origin = one(staging, "aws:route53/record:Record", "staging-alb-alias-origin-staging-app-example-com");
    expect(origin.aliases).to.deep.equal([]);
  });
});
