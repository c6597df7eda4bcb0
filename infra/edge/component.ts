import * as fs from "fs";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { resolveProgramPath } from "../paths";
import { dnsValidatedCertificate } from "../shared/certificate";
import { customerManagedKeyArgs } from "../shared/kms";
import { logsKeyPolicy } from "../shared/policy-documents";
import { EdgeSettings } from "./config";
import {
  CLOUDFRONT_HOSTED_ZONE_ID,
  EDGE_REGION,
  ORIGIN_IDS,
  ORIGIN_SECRET_HEADER,
  ORIGIN_SECRET_LENGTH,
  PlannedBehaviour,
  SECURITY_HEADERS,
  aliasRecordSuffix,
  assetsBucketPolicy,
  edgePhysicalNames,
  planBehaviours,
  planWafRules,
} from "./plan";

export interface EdgeArgs {
  readonly project: string;
  readonly stack: string;
  readonly settings: EdgeSettings;
  /** The stack provider's default tags: the us-east-1 provider carries the same. */
  readonly defaultTags: Readonly<Record<string, string>>;
  /** The stack provider's allowed accounts: the us-east-1 provider refuses any other too. @default - any */
  readonly allowedAccountIds?: readonly string[];
  /**
   * The component whose `<alb>-alias[-<name>]` records the viewer names had before the edge: the
   * edge's A records take them over by alias, so turning the edge on updates each record in place
   * (the alias target moves from the ALB to CloudFront) instead of deleting and re-creating it.
   */
  readonly previousRecordParent: pulumi.Resource;
  /**
   * The ALB certificate's validation CNAMEs by base name: ACM's CNAME for a name is the same for
   * both certificates, so the edge's certificate uses those records instead of writing them again
   * (infra/shared/certificate.ts). @default {} (every record written here)
   */
  readonly existingValidationRecordFqdns?: Readonly<Record<string, pulumi.Input<string>>>;
  readonly previousRecordBaseName: string;
}

/**
 * The environment's front door: a CloudFront distribution in front of the ALB and a private S3
 * assets bucket, a CLOUDFRONT-scope WAF web ACL, the us-east-1 certificate and the Route 53
 * aliases of the viewer names (docs/edge.md).
 *
 * Invariants: viewers are redirected to HTTPS and negotiate TLS 1.2+ (TLSv1.2_2021); CloudFront
 * reaches the ALB only over HTTPS (TLS 1.2) by the origin name, carrying the origin secret header
 * the ALB's listener rules require; the assets bucket is private (all four public-access blocks,
 * ACLs disabled) and readable only by this distribution through Origin Access Control (SigV4,
 * always signed); the web ACL and both log groups live in us-east-1, encrypted with a us-east-1 key.
 *
 * Children: `<name>-us-east-1` (provider), `<name>-origin-secret`, `<name>-cert`,
 * `<name>-cert-validation[-<dns>]` (only names the ALB's certificate does not validate), `<name>-assets` (bucket and its controls), `<name>-assets-oac`,
 * `<name>-headers`, `<name>-fn-<function>`, `<name>-logs-key`, `<name>-waf-allow|deny`,
 * `<name>-waf`, `<name>-waf-logs`, `<name>-cdn`, `<name>-access-logs`, `<name>-alias[-<dns>]`,
 * `<name>-alias-aaaa[-<dns>]`.
 */
export class Edge extends pulumi.ComponentResource {
  public readonly distributionId: pulumi.Output<string>;
  public readonly distributionArn: pulumi.Output<string>;
  public readonly distributionDomainName: pulumi.Output<string>;
  public readonly assetsBucketName: pulumi.Output<string>;
  public readonly webAclArn: pulumi.Output<string>;
  public readonly certificateArn: pulumi.Output<string>;
  /** The header the ALB's listener rules require (value secret). */
  public readonly originHeader: { readonly name: string; readonly value: pulumi.Output<string> };
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: EdgeArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:edge:Edge", name, {}, opts);
    const s = args.settings;
    const names = edgePhysicalNames(args.project, args.stack);
    const parent = { parent: this };
    // ACM certificates CloudFront uses and CLOUDFRONT-scope web ACLs must be in us-east-1
    // ("Requirements for using SSL/TLS certificates with CloudFront"; WAF API, Scope), hence a
    // second provider. An explicit provider reads no stack config, so it gets the stack provider's
    // tags and account guard explicitly.
    const east = new aws.Provider(
      `${name}-${EDGE_REGION}`,
      {
        region: EDGE_REGION,
        defaultTags: { tags: { ...args.defaultTags } },
        ...(args.allowedAccountIds ? { allowedAccountIds: [...args.allowedAccountIds] } : {}),
      },
      parent,
    );
    const inEast = { parent: this, provider: east };

    // ---- origin secret: generated, stored only in state (encrypted as a secret)
    const secret = new random.RandomPassword(`${name}-origin-secret`, { length: ORIGIN_SECRET_LENGTH, special: false }, parent);
    this.originHeader = { name: ORIGIN_SECRET_HEADER, value: pulumi.secret(secret.result) };

    // ---- certificate (us-east-1), validated in the environment's zone
    const zone = aws.route53.getZoneOutput({ name: s.hostedZone, privateZone: false }, parent);
    const [domain, ...alternatives] = s.aliases;
    const { validation } = dnsValidatedCertificate(
      name,
      { domain, alternativeNames: alternatives, zoneId: zone.zoneId, existingRecordFqdns: args.existingValidationRecordFqdns },
      inEast,
      parent,
    );

    // ---- assets bucket (the stack's region; CloudFront reads it through OAC)
    const bucket = new aws.s3.Bucket(`${name}-assets`, { forceDestroy: s.assetsBucketForceDestroy, tags: { Name: `${name}-assets` } }, parent);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-assets`,
      // SSE-S3: OAC reads SSE-KMS objects only if the key policy also admits CloudFront; the assets are public content.
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: false }] },
      parent,
    );
    const block = new aws.s3.BucketPublicAccessBlock(
      `${name}-assets`,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      parent,
    );
    new aws.s3.BucketOwnershipControls(`${name}-assets`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, parent);
    // Versioning: a bad publish is rolled back by restoring the previous versions; old versions expire.
    new aws.s3.BucketVersioning(`${name}-assets`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, parent);
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-assets`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-old-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: 30 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      parent,
    );
    const oac = new aws.cloudfront.OriginAccessControl(
      `${name}-assets-oac`,
      {
        name: names.originAccessControlName,
        description: `${args.project}-${args.stack} assets bucket`,
        originAccessControlOriginType: "s3",
        signingBehavior: "always",
        signingProtocol: "sigv4",
      },
      parent,
    );

    // ---- response headers, functions
    const headers = new aws.cloudfront.ResponseHeadersPolicy(
      `${name}-headers`,
      {
        name: names.responseHeadersPolicyName,
        comment: "HSTS, nosniff, SAMEORIGIN frames, strict-origin-when-cross-origin referrer",
        securityHeadersConfig: {
          strictTransportSecurity: { ...SECURITY_HEADERS.strictTransportSecurity },
          contentTypeOptions: { ...SECURITY_HEADERS.contentTypeOptions },
          frameOptions: { ...SECURITY_HEADERS.frameOptions },
          referrerPolicy: { ...SECURITY_HEADERS.referrerPolicy },
        },
      },
      parent,
    );
    const functionArns = new Map<string, { arn: pulumi.Output<string>; eventType: string }>();
    for (const f of s.functions) {
      const fn = new aws.cloudfront.Function(
        `${name}-fn-${f.name}`,
        {
          name: names.functionName(f.name),
          runtime: "cloudfront-js-2.0",
          comment: f.file,
          // Read from the repository root (infra/paths.ts), never the working directory.
          code: fs.readFileSync(resolveProgramPath(f.file), "utf8"),
          publish: true,
        },
        parent,
      );
      functionArns.set(f.name, { arn: fn.arn, eventType: f.eventType });
    }

    // ---- WAF (CLOUDFRONT scope, us-east-1)
    const wafRules = planWafRules(s.waf);
    const ipSets: Partial<Record<"allow" | "deny", aws.wafv2.IpSet>> = {};
    for (const kind of ["allow", "deny"] as const) {
      const cidrs = kind === "allow" ? s.waf.allowCidrs : s.waf.denyCidrs;
      if (cidrs.length === 0) continue;
      ipSets[kind] = new aws.wafv2.IpSet(
        `${name}-waf-${kind}`,
        { name: names.ipSetName(kind), scope: "CLOUDFRONT", ipAddressVersion: "IPV4", addresses: [...cidrs], description: `${kind} list from platform:edge.waf` },
        inEast,
      );
    }
    const visibility = (rule: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: names.metricName(rule) });
    const acl = new aws.wafv2.WebAcl(
      `${name}-waf`,
      {
        name: names.webAclName,
        description: `${args.project}-${args.stack} CloudFront`,
        scope: "CLOUDFRONT",
        defaultAction: { allow: {} },
        rules: wafRules.map((r) => {
          const base = { name: r.name, priority: r.priority, visibilityConfig: visibility(r.name) };
          switch (r.kind) {
            case "allow-list":
            case "deny-list": {
              const set = ipSets[r.kind === "allow-list" ? "allow" : "deny"] as aws.wafv2.IpSet;
              return { ...base, action: r.kind === "allow-list" ? { allow: {} } : { block: {} }, statement: { ipSetReferenceStatement: { arn: set.arn } } };
            }
            case "managed":
              return { ...base, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { vendorName: "AWS", name: r.managedGroup as string } } };
            case "rate-limit":
              return { ...base, action: { block: {} }, statement: { rateBasedStatement: { limit: s.waf.rateLimit, aggregateKeyType: "IP", evaluationWindowSec: 300 } } };
          }
        }),
        visibilityConfig: visibility("web-acl"),
        tags: { Name: names.webAclName },
      },
      inEast,
    );

    // ---- logs (us-east-1): WAF's and CloudFront's, one key
    const account = aws.getCallerIdentityOutput({}, parent).accountId;
    const logsKey = new aws.kms.Key(
      `${name}-logs-key`,
      customerManagedKeyArgs({ description: `CloudWatch Logs of ${names.wafLogGroupName} and ${names.accessLogGroupName} (${EDGE_REGION})`, policy: account.apply((acct) => JSON.stringify(logsKeyPolicy(acct, EDGE_REGION, [names.wafLogGroupName, names.accessLogGroupName]))), name: `${name}-logs-key` }),
      inEast,
    );
    const wafLogs = new aws.cloudwatch.LogGroup(
      `${name}-waf-logs`,
      { name: names.wafLogGroupName, retentionInDays: s.logRetentionDays, kmsKeyId: logsKey.arn, tags: { Name: names.wafLogGroupName } },
      inEast,
    );
    new aws.wafv2.WebAclLoggingConfiguration(
      `${name}-waf-logs`,
      {
        resourceArn: acl.arn,
        logDestinationConfigs: [wafLogs.arn],
        // The origin secret travels CloudFront → ALB only, but viewers' credentials would land in the logs.
        redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
      },
      inEast,
    );

    // ---- distribution
    const planned = planBehaviours(s);
    const functionAssociation = (fn: string) => {
      const f = functionArns.get(fn);
      if (!f) throw new Error(`platform:edge: no function ${fn} (config validation should have refused this)`);
      return { eventType: f.eventType, functionArn: f.arn };
    };
    const behaviour = (b: PlannedBehaviour) => ({
      targetOriginId: b.targetOriginId,
      viewerProtocolPolicy: b.viewerProtocolPolicy,
      allowedMethods: [...b.allowedMethods],
      cachedMethods: [...b.cachedMethods],
      cachePolicyId: b.cachePolicyId,
      originRequestPolicyId: b.originRequestPolicyId,
      responseHeadersPolicyId: headers.id,
      compress: b.compress,
      functionAssociations: b.functionName !== undefined ? [functionAssociation(b.functionName)] : undefined,
    });
    const cdn = new aws.cloudfront.Distribution(
      `${name}-cdn`,
      {
        enabled: true,
        comment: `${args.project}-${args.stack}`,
        aliases: [...s.aliases],
        priceClass: s.priceClass,
        httpVersion: "http2and3",
        isIpv6Enabled: true,
        webAclId: acl.arn,
        origins: [
          {
            originId: ORIGIN_IDS.alb,
            domainName: s.originDomain,
            customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"], originReadTimeout: 30, originKeepaliveTimeout: 5 },
            customHeaders: [{ name: ORIGIN_SECRET_HEADER, value: this.originHeader.value }],
          },
          { originId: ORIGIN_IDS.assets, domainName: bucket.bucketRegionalDomainName, originAccessControlId: oac.id },
        ],
        defaultCacheBehavior: behaviour(planned.default),
        orderedCacheBehaviors: planned.ordered.map((b) => ({ ...behaviour(b), pathPattern: b.pathPattern as string })),
        restrictions: { geoRestriction: { restrictionType: "none" } },
        viewerCertificate: { acmCertificateArn: validation.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
        tags: { Name: `${name}-cdn` },
      },
      parent,
    );

    new aws.s3.BucketPolicy(
      `${name}-assets`,
      { bucket: bucket.id, policy: pulumi.all([bucket.arn, cdn.arn]).apply(([b, d]) => JSON.stringify(assetsBucketPolicy(b, d))) },
      // S3 refuses a bucket policy while the public access block is being applied concurrently.
      { parent: this, dependsOn: [block] },
    );

    // Standard logging v2: CloudWatch Logs vended delivery (source, destination and delivery all in
    // us-east-1 for CloudFront). Legacy S3 logging needs a bucket with ACLs enabled, which the
    // platform's buckets refuse (docs/edge.md, "Logging").
    const accessLogs = new aws.cloudwatch.LogGroup(
      `${name}-access-logs`,
      { name: names.accessLogGroupName, retentionInDays: s.logRetentionDays, kmsKeyId: logsKey.arn, tags: { Name: names.accessLogGroupName } },
      inEast,
    );
    const source = new aws.cloudwatch.LogDeliverySource(
      `${name}-access-logs`,
      { name: names.logDeliveryName("source"), logType: "ACCESS_LOGS", resourceArn: cdn.arn },
      inEast,
    );
    const destination = new aws.cloudwatch.LogDeliveryDestination(
      `${name}-access-logs`,
      { name: names.logDeliveryName("destination"), outputFormat: "json", deliveryDestinationConfiguration: { destinationResourceArn: accessLogs.arn } },
      inEast,
    );
    new aws.cloudwatch.LogDelivery(`${name}-access-logs`, { deliverySourceName: source.name, deliveryDestinationArn: destination.arn }, inEast);

    // ---- DNS: every viewer name → the distribution (IPv4 and IPv6)
    s.aliases.forEach((alias, i) => {
      const suffix = aliasRecordSuffix(alias, i);
      const target = [{ name: cdn.domainName, zoneId: CLOUDFRONT_HOSTED_ZONE_ID, evaluateTargetHealth: false }];
      new aws.route53.Record(
        `${name}-alias${suffix}`,
        { zoneId: zone.zoneId, name: alias, type: "A", aliases: target },
        { parent: this, aliases: [{ name: `${args.previousRecordBaseName}${suffix}`, parent: args.previousRecordParent }] },
      );
      new aws.route53.Record(`${name}-alias-aaaa${suffix}`, { zoneId: zone.zoneId, name: alias, type: "AAAA", aliases: target }, parent);
    });

    this.distributionId = cdn.id;
    this.distributionArn = cdn.arn;
    this.distributionDomainName = cdn.domainName;
    this.assetsBucketName = bucket.bucket;
    this.webAclArn = acl.arn;
    this.certificateArn = validation.certificateArn;
    this.url = pulumi.output(`https://${domain}`);
    this.registerOutputs({
      distributionId: this.distributionId,
      distributionArn: this.distributionArn,
      distributionDomainName: this.distributionDomainName,
      assetsBucketName: this.assetsBucketName,
      webAclArn: this.webAclArn,
      certificateArn: this.certificateArn,
      url: this.url,
    });
  }
}
