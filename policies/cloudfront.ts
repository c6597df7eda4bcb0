import { Policies } from "@pulumi/policy";
import { resourcePolicy, stackPolicy } from "./lib/define";
import { Resource, StackGraph, describe, prop } from "./lib/graph";
import { list, obj } from "./lib/props";
import { T } from "./lib/types";
import { forEachKnown, peek } from "./lib/unknowns";

/**
 * CloudFront and its CLOUDFRONT-scope WAF (the edge, infra/edge). Distributions are checked from
 * their inputs; what hangs off a distribution (vended access logs, the origin bucket's controls,
 * the web ACL's logging) is joined through property dependencies in stack policies.
 */

/**
 * Viewer TLS policies of TLSv1.2_2021 or newer ("Supported protocols and ciphers between viewers
 * and CloudFront", CloudFront Developer Guide). The older TLSv1.2_2018/2019 still allow CBC ciphers.
 */
export const MODERN_VIEWER_TLS = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];
/** Origin protocols CloudFront may use towards an HTTPS origin: TLS 1.2 only (no SSLv3, TLSv1, TLSv1.1). */
export const MODERN_ORIGIN_TLS = ["TLSv1.2"];

/** The distribution's cache behaviours with a label: the default one and each ordered one by its path. */
function behaviours(props: Readonly<Record<string, unknown>>): { label: string; b: Readonly<Record<string, unknown>> }[] {
  const out: { label: string; b: Readonly<Record<string, unknown>> }[] = [];
  const d = obj(props.defaultCacheBehavior);
  if (d) out.push({ label: "the default cache behaviour", b: d });
  for (const o of list(props.orderedCacheBehaviors)) out.push({ label: `cache behaviour "${String(o.pathPattern)}"`, b: o });
  return out;
}

/** An origin is an S3 REST origin when it names a bucket endpoint or carries an s3OriginConfig. */
function isS3Origin(o: Readonly<Record<string, unknown>>): boolean {
  return obj(o.s3OriginConfig) !== undefined || (typeof o.domainName === "string" && /\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/.test(o.domainName));
}

export const distributionRequireHttpsViewer = resourcePolicy({
  name: "cloudfront-distribution-require-https-viewer",
  description: "Every cache behaviour must redirect viewers to HTTPS or accept HTTPS only.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["E1"],
  types: [T.cloudfrontDistribution],
  validate: (r, report) => {
    for (const { label, b } of behaviours(r.props)) {
      const policy = b.viewerProtocolPolicy;
      if (policy !== "redirect-to-https" && policy !== "https-only") {
        report(`${label[0].toUpperCase()}${label.slice(1)} allows plain HTTP (viewerProtocolPolicy ${JSON.stringify(policy ?? null)}); set it to "redirect-to-https".`);
      }
    }
  },
});

export const distributionConfigureTlsVersion = resourcePolicy({
  name: "cloudfront-distribution-configure-tls-version",
  description: "The distribution must serve its own certificate with viewer TLS policy TLSv1.2_2021 or newer.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["E2"],
  types: [T.cloudfrontDistribution],
  validate: (r, report) => {
    const cert = obj(r.props.viewerCertificate) ?? {};
    if (cert.cloudfrontDefaultCertificate === true) {
      report("The distribution uses the *.cloudfront.net default certificate, which allows TLS 1.0; give it an ACM certificate (us-east-1) and minimumProtocolVersion \"TLSv1.2_2021\".");
      return;
    }
    if (!MODERN_VIEWER_TLS.includes(String(cert.minimumProtocolVersion))) {
      report(`The distribution's minimumProtocolVersion is ${JSON.stringify(cert.minimumProtocolVersion ?? null)}; set it to "TLSv1.2_2021" or newer (${MODERN_VIEWER_TLS.join(", ")}).`);
    }
  },
});

export const distributionRequireOriginAccessControl = resourcePolicy({
  name: "cloudfront-distribution-require-origin-access-control",
  description: "S3 origins must be read through Origin Access Control, never a legacy origin access identity.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["E3"],
  types: [T.cloudfrontDistribution],
  validate: (r, report) => {
    for (const o of list(r.props.origins).filter(isS3Origin)) {
      const oai = obj(o.s3OriginConfig)?.originAccessIdentity;
      if (typeof oai === "string" && oai !== "") {
        report(`Origin "${String(o.originId)}" reads S3 through an origin access identity; replace it with an aws.cloudfront.OriginAccessControl (originAccessControlId) and a bucket policy for cloudfront.amazonaws.com.`);
      } else if (o.originAccessControlId === undefined || o.originAccessControlId === "") {
        report(`Origin "${String(o.originId)}" reads S3 without Origin Access Control, so the bucket must be public; set originAccessControlId.`);
      }
    }
  },
});

export const distributionRequireHttpsOrigin = resourcePolicy({
  name: "cloudfront-distribution-require-https-origin",
  description: "Custom origins must be reached over HTTPS only, with TLS 1.2.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["E4"],
  types: [T.cloudfrontDistribution],
  validate: (r, report) => {
    for (const o of list(r.props.origins)) {
      const custom = obj(o.customOriginConfig);
      if (!custom) continue;
      if (custom.originProtocolPolicy !== "https-only") {
        report(`Origin "${String(o.originId)}" is reached with originProtocolPolicy ${JSON.stringify(custom.originProtocolPolicy ?? null)}; set it to "https-only".`);
      }
      const protocols = Array.isArray(custom.originSslProtocols) ? custom.originSslProtocols.map(String) : [];
      const old = protocols.filter((p) => !MODERN_ORIGIN_TLS.includes(p));
      if (old.length > 0 || protocols.length === 0) {
        report(`Origin "${String(o.originId)}" allows ${old.length > 0 ? old.join(", ") : "no TLS version"}; set originSslProtocols to ["TLSv1.2"].`);
      }
    }
  },
});

/** The vended-log sources (ACCESS_LOGS) whose resourceArn is `dist`, and whether a delivery uses one. */
function accessLogDelivery(graph: StackGraph, dist: Resource): boolean {
  const sources = graph.referrers(dist, T.logDeliverySource, "resourceArn").filter((s) => prop(s, "logType") === "ACCESS_LOGS");
  return sources.some((s) => graph.referrers(s, T.logDelivery, "deliverySourceName").length > 0);
}

export const distributionEnableLogging = stackPolicy({
  name: "cloudfront-distribution-enable-logging",
  description: "Every distribution must deliver access logs (standard logging v2 through CloudWatch Logs delivery, or legacy S3 logging).",
  enforcementLevel: "mandatory",
  category: "operations",
  severity: "medium",
  catalog: ["E5"],
  appliesTo: [T.cloudfrontDistribution],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.cloudfrontDistribution), (dist) => {
      const legacy = obj(peek(() => prop(dist, "loggingConfig")));
      if (legacy && typeof legacy.bucket === "string" && legacy.bucket !== "") return;
      if (!accessLogDelivery(graph, dist)) {
        report(
          `${describe(dist)} delivers no access logs; add an aws.cloudwatch.LogDeliverySource (logType ACCESS_LOGS, resourceArn = the distribution's ARN, in us-east-1) with a LogDeliveryDestination and a LogDelivery.`,
          dist.urn,
        );
      }
    });
  },
});

export const distributionRequireWaf = stackPolicy({
  name: "cloudfront-distribution-require-waf",
  description: "Every distribution must be protected by a WAFv2 web ACL (webAclId = the CLOUDFRONT-scope ACL's ARN).",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["E6"],
  appliesTo: [T.cloudfrontDistribution],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.cloudfrontDistribution), (dist) => {
      const acls = graph.refs(dist, "webAclId", [T.wafWebAcl]);
      const raw = peek(() => prop(dist, "webAclId"));
      if (acls.length === 0 && (typeof raw !== "string" || raw === "")) {
        report(`${describe(dist)} has no WAF web ACL; set webAclId to the ARN of a CLOUDFRONT-scope aws.wafv2.WebAcl.`, dist.urn);
        return;
      }
      for (const acl of acls) {
        if (prop(acl, "scope") !== "CLOUDFRONT") {
          report(`${describe(dist)} names ${describe(acl)}, whose scope is ${JSON.stringify(prop(acl, "scope"))}; CloudFront takes only CLOUDFRONT-scope web ACLs (created in us-east-1).`, dist.urn);
        }
      }
      // WAF Classic ids are bare UUIDs; WAFv2 ACLs are attached by ARN (CloudFront API, DistributionConfig.WebACLId).
      if (acls.length === 0 && typeof raw === "string" && !raw.startsWith("arn:")) {
        report(`${describe(dist)} names web ACL "${raw}" by id, which only WAF Classic accepts; use the WAFv2 web ACL's ARN.`, dist.urn);
      }
    });
  },
});

export const distributionRequirePrivateOriginBucket = stackPolicy({
  name: "cloudfront-distribution-require-private-origin-bucket",
  description: "An S3 origin bucket in the stack must block all public access and grant CloudFront no more than this distribution's reads.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["E3", "95"],
  appliesTo: [T.cloudfrontDistribution],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.cloudfrontDistribution), (dist) => {
      const buckets = graph.refs(dist, "origins", T.s3Bucket);
      for (const bucket of buckets) {
        const blocks = graph.referrers(bucket, T.s3PublicAccessBlock, "bucket");
        const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
        if (!blocks.some((b) => flags.every((f) => prop(b, f) === true))) {
          report(`${describe(dist)} serves ${describe(bucket)}, which does not block all public access; give it a public access block with all four settings true.`, bucket.urn);
        }
        for (const policy of graph.referrers(bucket, T.s3BucketPolicy, "bucket")) {
          const doc = peek(() => prop(policy, "policy"));
          if (typeof doc !== "string") continue;
          let parsed: { Statement?: unknown } | undefined;
          try {
            parsed = JSON.parse(doc) as { Statement?: unknown };
          } catch {
            continue; // s3-bucketpolicy-disallow-public-principals reports malformed documents
          }
          const statements = Array.isArray(parsed?.Statement) ? (parsed?.Statement as Record<string, unknown>[]) : [];
          for (const st of statements) {
            const service = obj(st.Principal)?.Service;
            const services = Array.isArray(service) ? service : [service];
            if (st.Effect !== "Allow" || !services.includes("cloudfront.amazonaws.com")) continue;
            const source = obj(obj(st.Condition)?.StringEquals)?.["AWS:SourceArn"] ?? obj(obj(st.Condition)?.ArnLike)?.["AWS:SourceArn"];
            if (source === undefined) {
              report(`${describe(bucket)}'s policy lets every CloudFront distribution read it; add a condition AWS:SourceArn = this distribution's ARN.`, policy.urn);
            }
          }
        }
      }
    });
  },
});

export const webAclEnableLogging = stackPolicy({
  name: "wafv2-webacl-enable-logging",
  description: "Every web ACL must log to an aws-waf-logs-* destination.",
  enforcementLevel: "mandatory",
  category: "operations",
  severity: "medium",
  catalog: ["E7"],
  appliesTo: [T.wafWebAcl],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.wafWebAcl), (acl) => {
      if (graph.referrers(acl, T.wafLoggingConfiguration, "resourceArn").length === 0) {
        report(`${describe(acl)} does not log; add an aws.wafv2.WebAclLoggingConfiguration to a log group named aws-waf-logs-* (in us-east-1 for CLOUDFRONT scope).`, acl.urn);
      }
    });
  },
});

/** The managed rule groups every web ACL runs ("AWS Managed Rules rule groups list", AWS WAF Developer Guide). */
export const REQUIRED_MANAGED_RULE_GROUPS = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"];

export const webAclRequireBaselineRules = resourcePolicy({
  name: "wafv2-webacl-require-baseline-rules",
  description: "Every web ACL must run the AWS core, known-bad-inputs and IP-reputation rule groups and a rate-based rule.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["E6"],
  types: [T.wafWebAcl],
  validate: (r, report) => {
    const rules = list(r.props.rules);
    const groups = rules.map((x) => obj(obj(x.statement)?.managedRuleGroupStatement)).filter((g) => g?.vendorName === "AWS").map((g) => String(g?.name));
    const missing = REQUIRED_MANAGED_RULE_GROUPS.filter((g) => !groups.includes(g));
    if (missing.length > 0) report(`The web ACL lacks the AWS managed rule groups ${missing.join(", ")}; add them with overrideAction none.`);
    for (const x of rules) {
      const g = obj(obj(x.statement)?.managedRuleGroupStatement);
      if (g && obj(x.overrideAction)?.count !== undefined) report(`Rule "${String(x.name)}" runs ${String(g.name)} in count mode, which blocks nothing; set overrideAction to none.`);
    }
    if (!rules.some((x) => obj(obj(x.statement)?.rateBasedStatement) !== undefined && obj(x.action)?.block !== undefined)) {
      report("The web ACL has no blocking rate-based rule; add one (aggregateKeyType IP) so one client cannot flood the origin.");
    }
  },
});

export const policies: Policies = [
  distributionRequireHttpsViewer,
  distributionConfigureTlsVersion,
  distributionRequireOriginAccessControl,
  distributionRequireHttpsOrigin,
  distributionEnableLogging,
  distributionRequireWaf,
  distributionRequirePrivateOriginBucket,
  webAclEnableLogging,
  webAclRequireBaselineRules,
];
