import { Fixture, FixtureResource } from "../support/policy-harness";
import { ACCOUNT, prodFixture } from "./fixtures";

/**
 * The compliant production fixture with the edge in front (as infra/edge builds it): a us-east-1
 * provider, the CLOUDFRONT web ACL with its logging, the private assets bucket read through OAC,
 * the distribution and its vended access logs; the ALB admits HTTPS only from CloudFront's
 * origin-facing prefix list, and no port 80.
 */
export const CLOUDFRONT_PREFIX_LIST = "pl-3b927c52";

export function edgeFixture(options: { preview?: boolean } = {}): Fixture {
  const f = prodFixture(options);
  // The ALB behind CloudFront.
  f.update("prod-alb-in-443", (i) => {
    delete i.cidrIpv4;
    i.prefixListId = CLOUDFRONT_PREFIX_LIST;
    i.description = "HTTPS from CloudFront's origin-facing addresses only";
  });
  f.remove("prod-alb-in-80");

  const east = f.add("pulumi:providers:aws", "prod-edge-us-east-1", {
    region: "us-east-1",
    defaultTags: JSON.stringify({ tags: { Project: "platform", Environment: "prod", ManagedBy: "Pulumi" } }),
  }, { custom: true });
  const inEast = { provider: east };
  const wafVisibility = (metric: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: metric });
  const managed = (name: string, priority: number) => ({
    name, priority, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { vendorName: "AWS", name } }, visibilityConfig: wafVisibility(name),
  });
  const acl = f.add("aws:wafv2/webAcl:WebAcl", "prod-edge-waf", {
    name: "platform-prod-edge",
    scope: "CLOUDFRONT",
    defaultAction: { allow: {} },
    rules: [
      managed("AWSManagedRulesAmazonIpReputationList", 0),
      managed("AWSManagedRulesCommonRuleSet", 1),
      managed("AWSManagedRulesKnownBadInputsRuleSet", 2),
      { name: "rate-limit", priority: 3, action: { block: {} }, statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: "IP", evaluationWindowSec: 300 } }, visibilityConfig: wafVisibility("rate-limit") },
    ],
    visibilityConfig: wafVisibility("web-acl"),
  }, { ...inEast, outputs: { arn: `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/platform-prod-edge/0f1e2d3c-4b5a-4697-8877-665544332211` } });
  const wafLogs = f.add("aws:cloudwatch/logGroup:LogGroup", "prod-edge-waf-logs", {
    name: "aws-waf-logs-platform-prod", retentionInDays: 365, kmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/edge`,
  }, inEast);
  f.add("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "prod-edge-waf-logging", { resourceArn: acl.arn, logDestinationConfigs: [wafLogs.arn] }, inEast);

  const bucket = f.add("aws:s3/bucket:Bucket", "prod-edge-assets", { forceDestroy: false }, {
    outputs: { bucket: "prod-edge-assets-5d03f44", bucketRegionalDomainName: "prod-edge-assets-5d03f44.s3.ap-northeast-2.amazonaws.com" },
  });
  f.add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "prod-edge-assets-bpa", {
    bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
  });
  f.add("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "prod-edge-assets-ownership", { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
  f.add("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "prod-edge-assets-sse", {
    bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
  });
  f.add("aws:s3/bucketVersioning:BucketVersioning", "prod-edge-assets-versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
  f.add("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "prod-edge-assets-lifecycle", {
    bucket: bucket.id, rules: [{ id: "expire-old-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }],
  });
  const oac = f.add("aws:cloudfront/originAccessControl:OriginAccessControl", "prod-edge-assets-oac", {
    name: "platform-prod-assets", originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4",
  });
  const cdn = f.add("aws:cloudfront/distribution:Distribution", "prod-edge-cdn", {
    enabled: true,
    aliases: ["app.example.com"],
    priceClass: "PriceClass_All",
    httpVersion: "http2and3",
    webAclId: acl.arn,
    origins: [
      {
        originId: "alb",
        domainName: "origin.app.example.com",
        customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] },
        customHeaders: [{ name: "X-Origin-Verify", value: "secret" }],
      },
      { originId: "assets", domainName: bucket.attr("bucketRegionalDomainName"), originAccessControlId: oac.id },
    ],
    defaultCacheBehavior: {
      targetOriginId: "alb", viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"], cachedMethods: ["GET", "HEAD"],
      cachePolicyId: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", originRequestPolicyId: "b689b0a8-53d0-40ab-baf2-68738e2966ac", compress: true,
    },
    orderedCacheBehaviors: [
      { pathPattern: "/static/*", targetOriginId: "assets", viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"], cachePolicyId: "658327ea-f89d-4fab-a63d-7e88639e58f6", compress: true },
    ],
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: { acmCertificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/edge`, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
  }, { outputs: { arn: `arn:aws:cloudfront::${ACCOUNT}:distribution/E3D4DVOVFAPW85`, domainName: "d1234abcdefgh.cloudfront.net" } });
  f.add("aws:s3/bucketPolicy:BucketPolicy", "prod-edge-assets-policy", {
    bucket: bucket.id,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AllowCloudFrontServicePrincipalReadOnly", Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject",
          Resource: "arn:aws:s3:::prod-edge-assets-5d03f44/*", Condition: { StringEquals: { "AWS:SourceArn": `arn:aws:cloudfront::${ACCOUNT}:distribution/E3D4DVOVFAPW85` } },
        },
        { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::prod-edge-assets-5d03f44", "arn:aws:s3:::prod-edge-assets-5d03f44/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } },
      ],
    }),
  });
  const accessLogs = f.add("aws:cloudwatch/logGroup:LogGroup", "prod-edge-access-logs", {
    name: "/platform/prod/cloudfront", retentionInDays: 365, kmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/edge`,
  }, inEast);
  const source = f.add("aws:cloudwatch/logDeliverySource:LogDeliverySource", "prod-edge-access-logs-source", {
    name: "platform-prod-cloudfront-source", logType: "ACCESS_LOGS", resourceArn: cdn.arn,
  }, { ...inEast, outputs: { name: "platform-prod-cloudfront-source" } });
  const destination = f.add("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "prod-edge-access-logs-destination", {
    name: "platform-prod-cloudfront-destination", deliveryDestinationConfiguration: { destinationResourceArn: accessLogs.arn },
  }, inEast);
  f.add("aws:cloudwatch/logDelivery:LogDelivery", "prod-edge-access-logs-delivery", { deliverySourceName: source.attr("name"), deliveryDestinationArn: destination.arn }, inEast);
  return f;
}

/** The distribution's inputs, for mutations. */
export function distributionOf(f: Fixture): FixtureResource {
  return f.get("prod-edge-cdn");
}
