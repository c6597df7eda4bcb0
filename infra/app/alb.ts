import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST } from "../edge/plan";
import { DEFAULT_ALB_IDLE_TIMEOUT_SECONDS } from "./config";
import { sanitizeName } from "./names";
import { dnsValidatedCertificate } from "../shared/certificate";
import { accessLogBucketPolicy } from "./plan";

/**
 * Where the HTTPS listener's certificate comes from (config guarantees exactly one):
 *
 * | kind     | created here                                                               |
 * |----------|----------------------------------------------------------------------------|
 * | `domain` | ACM certificate, DNS validation records, validation, alias A record(s)     |
 * | `arn`    | nothing; the certificate and DNS are managed elsewhere                    |
 */
export type AlbCertificate =
  | { readonly kind: "domain"; readonly domain: string; readonly hostedZone: string; readonly alternativeNames: readonly string[] }
  | { readonly kind: "arn"; readonly certificateArn: string };

export interface LoadBalancerArgs {
  /** Physical ALB name (<= 32 characters; see names.ts). */
  readonly loadBalancerName: string;
  readonly vpcId: pulumi.Input<string>;
  /** Public subnets, one per AZ: the ALB spans every AZ of the VPC. */
  readonly publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  readonly region: string;
  readonly certificate: AlbCertificate;
  /** A TLS 1.2+/1.3 policy (config restricts it to the Security Hub ELB.17 list). */
  readonly sslPolicy: string;
  readonly deletionProtection: boolean;
  /** Days before access-log objects expire. */
  readonly accessLogRetentionDays: number;
  /** @default false */
  readonly accessLogBucketForceDestroy?: boolean;
  /** @default - no WAF association */
  readonly wafWebAclArn?: string;
  /** @default 60 */
  readonly idleTimeoutSeconds?: number;
  /**
   * CloudFront in front (platform:edge, docs/edge.md): the security group admits HTTPS only from
   * CloudFront's origin-facing prefix list (no port 80), the HTTPS listener answers 403 unless a
   * listener rule (which requires the origin secret header) matches, the certificate also covers
   * `originDomain`, and the ALB's only alias record is `originDomain` (the viewer names point at
   * CloudFront). @default - none: the internet reaches the ALB directly
   */
  readonly cloudFront?: { readonly originDomain: string };
  /**
   * The Edge component (name and URN) whose `<edge>-alias[-<dns>]` A records held the viewer names
   * while the edge was on. Without CloudFront the ALB's records take them back by alias, so turning
   * the edge off updates each record in place (target back to the ALB) instead of creating a second
   * record of the same name and type, which Route 53 refuses while the edge's still exists (the
   * provider creates with CREATE unless allowOverwrite; the edge's record is deleted only at the end
   * of the update). @default - none
   */
  readonly previousEdge?: { readonly name: string; readonly urn: pulumi.Input<string> };
}

/** Objects land under `<bucket>/<prefix>/AWSLogs/<account>/elasticloadbalancing/<region>/...`. */
export const ACCESS_LOG_PREFIX = "alb";
/** Listener rules without a match fall through to this; it reveals nothing about the services behind. */
export const DEFAULT_RESPONSE = { contentType: "text/plain", messageBody: "Not Found", statusCode: "404" } as const;
/** Behind CloudFront: a request no rule matched either lacks the origin secret or has no route; both get this. */
export const FORBIDDEN_RESPONSE = { contentType: "text/plain", messageBody: "Forbidden", statusCode: "403" } as const;

/**
 * The environment's one internet-facing Application Load Balancer, shared by all services (each
 * ALB is a fixed ~16 USD/month plus its public IPv4 addresses, so one per environment, not one per
 * service). Services attach through listener rules and target groups they create themselves.
 *
 * Invariants: the only listeners are HTTPS (modern TLS policy, 404 by default) and HTTP, whose one
 * action redirects to HTTPS; the security group admits only 443 and 80 from the internet, and its
 * egress rules are added by the services, one per service security group; access logs go to a
 * locked-down bucket this component owns.
 *
 * Children: `<name>-sg`, `<name>-https-in`, `<name>-http-in`, `<name>-logs` (bucket + its controls),
 * `<name>-lb`, `<name>-cert`, `<name>-cert-validation[-<dns name>]`, `<name>-alias[-<dns name>]`,
 * `<name>-https`, `<name>-http`, `<name>-waf`.
 */
export class LoadBalancer extends pulumi.ComponentResource {
  public readonly arn: pulumi.Output<string>;
  public readonly arnSuffix: pulumi.Output<string>;
  public readonly dnsName: pulumi.Output<string>;
  public readonly zoneId: pulumi.Output<string>;
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly httpsListenerArn: pulumi.Output<string>;
  public readonly httpListenerArn: pulumi.Output<string>;
  public readonly certificateArn: pulumi.Output<string>;
  /**
   * The certificate's validation CNAMEs by base name, when this component writes them (a
   * `domain` certificate): the edge's us-east-1 certificate for the same names reuses them
   * (infra/shared/certificate.ts). @default {} (an `arn` certificate)
   */
  public readonly validationRecordFqdns: Readonly<Record<string, pulumi.Output<string>>>;
  public readonly accessLogBucket: pulumi.Output<string>;
  /** `https://<domain>` when the ALB owns its DNS name, else `https://<ALB DNS name>`. */
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: LoadBalancerArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:app:LoadBalancer", name, {}, opts);
    const parent = { parent: this };

    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.vpcId,
        description: `ALB ${args.loadBalancerName}: HTTPS and the HTTP redirect from the internet; egress only to service security groups`,
        tags: { Name: `${name}-sg` },
      },
      parent,
    );
    // Behind CloudFront the source is its origin-facing prefix list. A prefix list reference counts
    // against "inbound rules per security group" (default 60) with the list's max entries, not as
    // one rule ("Prefix list quotas", Amazon VPC User Guide), so the CloudFront list (55) fits once.
    const cloudFrontList = args.cloudFront
      ? aws.ec2.getManagedPrefixListOutput({ name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST }, parent)
      : undefined;
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-https-in`,
      cloudFrontList
        ? {
            securityGroupId: sg.id,
            ipProtocol: "tcp",
            fromPort: 443,
            toPort: 443,
            prefixListId: cloudFrontList.id,
            description: "HTTPS from CloudFront's origin-facing addresses only",
            // The list's name, for reading plans (reach): its id differs per region.
            tags: { Name: `${name}-https-in`, PrefixList: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST },
          }
        : { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "HTTPS from the internet", tags: { Name: `${name}-https-in` } },
      parent,
    );
    if (!args.cloudFront) new aws.vpc.SecurityGroupIngressRule(
      `${name}-http-in`,
      {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: 80,
        toPort: 80,
        cidrIpv4: "0.0.0.0/0",
        description: "HTTP from the internet, answered only with a redirect to HTTPS",
        tags: { Name: `${name}-http-in` },
      },
      parent,
    );

    const logBucket = this.createLogBucket(name, args);

    const lb = new aws.lb.LoadBalancer(
      `${name}-lb`,
      {
        name: args.loadBalancerName,
        loadBalancerType: "application",
        internal: false,
        ipAddressType: "ipv4",
        securityGroups: [sg.id],
        subnets: args.publicSubnetIds,
        // Request smuggling defences: drop headers that are not valid HTTP, and keep the
        // desync mitigation at AWS's recommended mode rather than relying on the default.
        dropInvalidHeaderFields: true,
        desyncMitigationMode: "defensive",
        enableDeletionProtection: args.deletionProtection,
        enableWafFailOpen: false,
        idleTimeout: args.idleTimeoutSeconds ?? DEFAULT_ALB_IDLE_TIMEOUT_SECONDS,
        xffHeaderProcessingMode: "append",
        accessLogs: { enabled: true, bucket: logBucket.bucket.bucket, prefix: ACCESS_LOG_PREFIX },
        tags: { Name: args.loadBalancerName },
      },
      // ALB checks it may write to the bucket when logging is enabled, so the policy comes first.
      { parent: this, dependsOn: [logBucket.policy] },
    );

    const { certificateArn, recordFqdns } = this.certificate(name, args, lb);
    this.validationRecordFqdns = recordFqdns;

    const https = new aws.lb.Listener(
      `${name}-https`,
      {
        loadBalancerArn: lb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: args.sslPolicy,
        certificateArn,
        defaultActions: [{ type: "fixed-response", fixedResponse: { ...(args.cloudFront ? FORBIDDEN_RESPONSE : DEFAULT_RESPONSE) } }],
        tags: { Name: `${name}-https` },
      },
      parent,
    );
    const http = new aws.lb.Listener(
      `${name}-http`,
      {
        loadBalancerArn: lb.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
        tags: { Name: `${name}-http` },
      },
      parent,
    );

    if (args.wafWebAclArn) {
      new aws.wafv2.WebAclAssociation(`${name}-waf`, { resourceArn: lb.arn, webAclArn: args.wafWebAclArn }, parent);
    }

    this.arn = lb.arn;
    this.arnSuffix = lb.arnSuffix;
    this.dnsName = lb.dnsName;
    this.zoneId = lb.zoneId;
    this.securityGroupId = sg.id;
    this.httpsListenerArn = https.arn;
    this.httpListenerArn = http.arn;
    this.certificateArn = certificateArn;
    this.accessLogBucket = logBucket.bucket.bucket;
    this.url = args.certificate.kind === "domain" ? pulumi.output(`https://${args.certificate.domain}`) : pulumi.interpolate`https://${lb.dnsName}`;
    this.registerOutputs({
      arn: this.arn,
      arnSuffix: this.arnSuffix,
      dnsName: this.dnsName,
      zoneId: this.zoneId,
      securityGroupId: this.securityGroupId,
      httpsListenerArn: this.httpsListenerArn,
      httpListenerArn: this.httpListenerArn,
      certificateArn: this.certificateArn,
      accessLogBucket: this.accessLogBucket,
      url: this.url,
    });
  }

  /**
   * The access-log bucket. ALB log delivery supports only SSE-S3 (not KMS), so AES256 it is; all
   * public access blocked, ACLs disabled (bucket owner owns every object, so log delivery cannot
   * leave objects the account cannot read), objects expire, and only the regional log-delivery
   * principal may write, under this account's prefix.
   */
  private createLogBucket(name: string, args: LoadBalancerArgs): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
    const parent = { parent: this };
    const logical = `${name}-logs`;
    const bucket = new aws.s3.Bucket(logical, { forceDestroy: args.accessLogBucketForceDestroy ?? false, tags: { Name: logical } }, parent);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      logical,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: false }] },
      parent,
    );
    const block = new aws.s3.BucketPublicAccessBlock(
      logical,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      parent,
    );
    new aws.s3.BucketOwnershipControls(logical, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, parent);
    new aws.s3.BucketLifecycleConfiguration(
      logical,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-access-logs",
            status: "Enabled",
            filter: { prefix: `${ACCESS_LOG_PREFIX}/` },
            expiration: { days: args.accessLogRetentionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      parent,
    );
    const account = aws.getCallerIdentityOutput({}, parent).accountId;
    const policy = new aws.s3.BucketPolicy(
      logical,
      {
        bucket: bucket.id,
        policy: pulumi
          .all([bucket.arn, account])
          .apply(([arn, acct]) => JSON.stringify(accessLogBucketPolicy(arn, ACCESS_LOG_PREFIX, acct, args.region))),
      },
      // S3 rejects a bucket policy while the public access block is being applied concurrently.
      { parent: this, dependsOn: [block] },
    );
    return { bucket, policy };
  }

  /** The listener's certificate ARN (validated before the listener uses it) and the validation CNAMEs written here. */
  private certificate(
    name: string,
    args: LoadBalancerArgs,
    lb: aws.lb.LoadBalancer,
  ): { certificateArn: pulumi.Output<string>; recordFqdns: Readonly<Record<string, pulumi.Output<string>>> } {
    const c = args.certificate;
    if (c.kind === "arn") return { certificateArn: pulumi.output(c.certificateArn), recordFqdns: {} };
    const parent = { parent: this };
    const zone = aws.route53.getZoneOutput({ name: c.hostedZone, privateZone: false }, parent);
    // Behind CloudFront the certificate also covers the origin name CloudFront connects to.
    const alternativeNames = args.cloudFront ? [...c.alternativeNames, args.cloudFront.originDomain] : [...c.alternativeNames];
    const { validation, recordFqdns } = dnsValidatedCertificate(name, { domain: c.domain, alternativeNames, zoneId: zone.zoneId }, parent, parent);
    // Alias records (not A records to addresses: ALB addresses change), for the domain and
    // every non-wildcard alternative name.
    // Behind CloudFront the viewer names' records belong to the edge (which takes these over by
    // alias) and the ALB keeps only its origin name.
    const aliasNames = args.cloudFront ? [args.cloudFront.originDomain] : [c.domain, ...c.alternativeNames.filter((n) => !n.startsWith("*."))];
    aliasNames.forEach((dns, i) => {
      // The edge names its viewer records the same way (aliasRecordSuffix in infra/edge/plan.ts).
      const suffix = i === 0 ? "" : `-${sanitizeName(dns)}`;
      const edge = args.cloudFront ? undefined : args.previousEdge;
      new aws.route53.Record(
        i === 0 && !args.cloudFront ? `${name}-alias` : `${name}-alias-${sanitizeName(dns)}`,
        {
          zoneId: zone.zoneId,
          name: dns,
          type: "A",
          aliases: [{ name: lb.dnsName, zoneId: lb.zoneId, evaluateTargetHealth: true }],
        },
        edge ? { parent: this, aliases: [{ name: `${edge.name}-alias${suffix}`, parent: edge.urn }] } : parent,
      );
    });
    return { certificateArn: validation.certificateArn, recordFqdns };
  }
}
