import { sanitizeName } from "../app/names";
import { type PolicyDocument, denyInsecureTransport } from "../shared/policy-documents";
import type { CacheMode, EdgeBehaviour, EdgeSettings, ForwardMode } from "./config";

/**
 * Pure planning for the edge (no `new aws.*`): managed policy ids, the ordered cache behaviours,
 * the assets bucket policy, the WAF rules and their capacity, and physical names.
 */

/**
 * CloudFront's managed cache policies, by the ids AWS documents for the API ("Use managed cache
 * policies", https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html).
 * CachingOptimized: 1 day default TTL, no cookies/headers/query in the key, gzip+brotli;
 * CachingDisabled: TTL 0, nothing cached.
 */
export const MANAGED_CACHE_POLICY_IDS: Readonly<Record<CacheMode, string>> = {
  cached: "658327ea-f89d-4fab-a63d-7e88639e58f6",
  uncached: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
};

/**
 * AllViewerExceptHostHeader ("Use managed origin request policies",
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html):
 * every viewer header, cookie and query string except Host. Host must not reach the ALB: CloudFront
 * validates the origin's certificate against the Host header it sends when Host is forwarded, and
 * against the origin domain name otherwise ("Requiring HTTPS for communication between CloudFront
 * and your custom origin"). The viewer's Host (the alias) is not a name the ALB's certificate is
 * meant for; the origin name is, so Host stays out and CloudFront sends `origin.<domain>`.
 */
export const ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY_ID = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

/** Route 53 hosted zone id of every CloudFront distribution, for alias records (Route 53 API, AliasTarget). */
export const CLOUDFRONT_HOSTED_ZONE_ID = "Z2FDTNDATAQYW2";

/** The AWS-managed prefix list of CloudFront's origin-facing addresses (VPC User Guide, "AWS-managed prefix lists"). */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing";

/** The header CloudFront adds to every request to the ALB; listener rules forward only requests carrying it. */
export const ORIGIN_SECRET_HEADER = "X-Origin-Verify";
/** Length of the generated origin secret (letters and digits: header-safe, ~285 bits). */
export const ORIGIN_SECRET_LENGTH = 48;

/** CloudFront origin ids. */
export const ORIGIN_IDS = { alb: "alb", assets: "assets" } as const;

/** ACM certificates used by CloudFront and CLOUDFRONT-scope web ACLs live in us-east-1. */
export const EDGE_REGION = "us-east-1";

const ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"];
const READ_METHODS = ["GET", "HEAD"];
const CACHED_METHODS = ["GET", "HEAD"];

/** One CloudFront cache behaviour, as the distribution's `orderedCacheBehaviors` entry takes it (functions by name). */
export interface PlannedBehaviour {
  readonly pathPattern?: string;
  readonly targetOriginId: string;
  readonly viewerProtocolPolicy: "redirect-to-https";
  readonly allowedMethods: readonly string[];
  readonly cachedMethods: readonly string[];
  readonly cachePolicyId: string;
  readonly originRequestPolicyId?: string;
  readonly compress: true;
  readonly functionName?: string;
}

function originRequestPolicy(forward: ForwardMode): string | undefined {
  return forward === "all" ? ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY_ID : undefined;
}

/**
 * A behaviour as CloudFront takes it. Invariants: viewers are redirected to HTTPS; the assets
 * bucket is read-only (GET/HEAD), the ALB gets every method; responses are compressed.
 */
export function planBehaviour(b: EdgeBehaviour): PlannedBehaviour {
  const orp = originRequestPolicy(b.forward);
  return {
    ...(b.path !== undefined ? { pathPattern: b.path } : {}),
    targetOriginId: ORIGIN_IDS[b.origin],
    viewerProtocolPolicy: "redirect-to-https",
    allowedMethods: b.origin === "alb" ? ALL_METHODS : READ_METHODS,
    cachedMethods: CACHED_METHODS,
    cachePolicyId: MANAGED_CACHE_POLICY_IDS[b.cache],
    ...(orp ? { originRequestPolicyId: orp } : {}),
    compress: true,
    ...(b.functionName !== undefined ? { functionName: b.functionName } : {}),
  };
}

/** The distribution's behaviours: ordered ones in config order (CloudFront matches the first), then the default. */
export function planBehaviours(s: Pick<EdgeSettings, "behaviours" | "defaultBehaviour">): {
  ordered: PlannedBehaviour[];
  default: PlannedBehaviour;
} {
  return { ordered: s.behaviours.map(planBehaviour), default: planBehaviour(s.defaultBehaviour) };
}

/**
 * The assets bucket's policy: CloudFront's service principal may read, only on behalf of this one
 * distribution (`AWS:SourceArn`), which is how Origin Access Control is granted ("Restrict access
 * to an Amazon S3 origin", https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html);
 * and nobody may use the bucket over plain HTTP.
 */
export function assetsBucketPolicy(bucketArn: string, distributionArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowCloudFrontServicePrincipalReadOnly",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: `${bucketArn}/*`,
        Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
      },
      denyInsecureTransport(bucketArn),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// WAF

/**
 * The AWS managed rule groups every edge web ACL runs, with the web ACL capacity units (WCU) AWS
 * documents for each ("AWS Managed Rules rule groups list",
 * https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html:
 * Core rule set 700, Known bad inputs 200, Amazon IP reputation list 25).
 */
export const MANAGED_RULE_GROUPS = [
  { name: "AWSManagedRulesAmazonIpReputationList", wcu: 25 },
  { name: "AWSManagedRulesCommonRuleSet", wcu: 700 },
  { name: "AWSManagedRulesKnownBadInputsRuleSet", wcu: 200 },
] as const;

/**
 * WCU of the platform's own rules ("Web ACL capacity units (WCUs) in AWS WAF",
 * https://docs.aws.amazon.com/waf/latest/developerguide/aws-waf-capacity-units.html): an IP set
 * reference costs 1; a rate-based rule 2 (plus its scope-down statement, none here).
 */
export const IP_SET_RULE_WCU = 1;
export const RATE_RULE_WCU = 2;
/** The most WCU one web ACL may use (AWS WAF quotas, "Maximum web ACL capacity units in a web ACL"). */
export const WEB_ACL_WCU_MAX = 5000;

export type WafRuleKind = "allow-list" | "deny-list" | "managed" | "rate-limit";

/** One web ACL rule, in evaluation order (priority). */
export interface PlannedWafRule {
  readonly name: string;
  readonly priority: number;
  readonly kind: WafRuleKind;
  /** The managed group's name for `managed` rules. */
  readonly managedGroup?: string;
  readonly wcu: number;
}

/**
 * The web ACL's rules, in priority order. Invariants: the allow list (the office) comes first so
 * the office is never rate-limited or blocked by a false positive; the deny list next; then IP
 * reputation (cheapest, drops known-bad sources before the costlier inspections), the core rule
 * set, known bad inputs, and the rate limit last. Default action: allow.
 */
export function planWafRules(waf: Pick<EdgeSettings["waf"], "allowCidrs" | "denyCidrs">): PlannedWafRule[] {
  const rules: Omit<PlannedWafRule, "priority">[] = [];
  if (waf.allowCidrs.length > 0) rules.push({ name: "allow-list", kind: "allow-list", wcu: IP_SET_RULE_WCU });
  if (waf.denyCidrs.length > 0) rules.push({ name: "deny-list", kind: "deny-list", wcu: IP_SET_RULE_WCU });
  for (const g of MANAGED_RULE_GROUPS) rules.push({ name: g.name, kind: "managed", managedGroup: g.name, wcu: g.wcu });
  rules.push({ name: "rate-limit", kind: "rate-limit", wcu: RATE_RULE_WCU });
  return rules.map((r, i) => ({ ...r, priority: i }));
}

/** The web ACL's capacity: the sum of its rules' WCU. */
export function webAclCapacity(rules: readonly Pick<PlannedWafRule, "wcu">[]): number {
  return rules.reduce((n, r) => n + r.wcu, 0);
}

/**
 * The capacity AWS computes for a web ACL: the sum of its rules' WCU (managed groups by their
 * documented capacity, an IP set reference 1, a rate-based rule 2). An unknown managed group
 * counts 0 here; infra/edge/plan.ts lists the ones the platform uses.
 */
export function webAclCapacityOf(rules: unknown): number {
  if (!Array.isArray(rules)) return 0;
  let total = 0;
  for (const r of rules as Record<string, unknown>[]) {
    const st = (r.statement ?? {}) as Record<string, Record<string, unknown> | undefined>;
    if (st.managedRuleGroupStatement) total += MANAGED_RULE_GROUPS.find((g) => g.name === st.managedRuleGroupStatement?.name)?.wcu ?? 0;
    else if (st.ipSetReferenceStatement) total += IP_SET_RULE_WCU;
    else if (st.rateBasedStatement) total += RATE_RULE_WCU;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// names

/**
 * Physical names of the edge's resources. WAF log groups must be named `aws-waf-logs-*` ("Sending
 * web ACL traffic logs to an Amazon CloudWatch Logs log group",
 * https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html) and, for a
 * CLOUDFRONT web ACL, live in us-east-1 with it.
 */
export function edgePhysicalNames(project: string, stack: string) {
  const base = sanitizeName(`${project}-${stack}`);
  return {
    webAclName: `${base}-edge`,
    wafLogGroupName: `aws-waf-logs-${base}`,
    accessLogGroupName: `/${project}/${stack}/cloudfront`,
    responseHeadersPolicyName: `${base}-security-headers`,
    originAccessControlName: `${base}-assets`,
    functionName: (fn: string) => `${base}-${fn}`.slice(0, 64),
    ipSetName: (kind: "allow" | "deny") => `${base}-${kind}`,
    logDeliveryName: (kind: "source" | "destination") => `${base}-cloudfront-${kind}`,
    metricName: (rule: string) => `${base}-${rule}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 128),
  };
}

/** Logical-name suffix of an alias's records: none for the first alias (its A record took over the ALB's). */
export function aliasRecordSuffix(alias: string, index: number): string {
  return index === 0 ? "" : `-${sanitizeName(alias)}`;
}

/**
 * The response headers policy's security headers: HSTS for two years with subdomains (the
 * preload list's minimum is one year), nosniff, frames only from the same origin, and the
 * referrer trimmed to the origin across sites. `override: true`: the edge's values win over a
 * service's, so every response carries them.
 */
export const SECURITY_HEADERS = {
  strictTransportSecurity: { accessControlMaxAgeSec: 63_072_000, includeSubdomains: true, preload: false, override: true },
  contentTypeOptions: { override: true },
  frameOptions: { frameOption: "SAMEORIGIN", override: true },
  referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
} as const;
