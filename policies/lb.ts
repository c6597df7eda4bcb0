import { Policies } from "@pulumi/policy";
import { Props, resourcePolicy, stackPolicy } from "./lib/define";
import { Resource, StackGraph, describe, prop, unique } from "./lib/graph";
import { describeRange, portsSchema } from "./lib/ports";
import { list, obj } from "./lib/props";
import { isPublic } from "./lib/sg";
import { T } from "./lib/types";
import { forEachKnown, isPresent, peek } from "./lib/unknowns";
import { effectiveRules } from "./securitygroup";

/**
 * Application Load Balancer: listeners, TLS, logging, and its place as the single public entry.
 * Every policy matches both the `lb` and `alb` modules' tokens (AWSGuard matched only legacy
 * tokens and silently skipped current programs).
 */

type P = Props;

function isApplication(p: P): boolean {
  return p.loadBalancerType === undefined || p.loadBalancerType === null || p.loadBalancerType === "application";
}

function isInternetFacing(p: P): boolean {
  return p.internal !== true;
}

/** Security Hub ELB.17's accepted policies (TLS 1.2+ with forward secrecy, TLS 1.3, FIPS/PQ variants). */
export const DEFAULT_TLS_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
];

export const loadBalancerEnableAccessLogs = resourcePolicy({
  name: "lb-loadbalancer-enable-access-logs",
  description: "Load balancers must write access logs to the managed log bucket.",
  enforcementLevel: "mandatory",
  category: "operations",
  severity: "medium",
  catalog: ["34"],
  types: T.loadBalancer,
  validate: (r, report) => {
    const logs = obj(r.props.accessLogs);
    if (logs?.enabled !== true || !isPresent(logs, "bucket")) {
      report("Access logs are off; set accessLogs: { enabled: true, bucket: <the access-log bucket> }.");
    }
  },
});

export const loadBalancerEnableDeletionProtection = resourcePolicy({
  name: "lb-loadbalancer-enable-deletion-protection",
  description: "Load balancers must have deletion protection on.",
  enforcementLevel: "mandatory",
  category: "reliability",
  severity: "medium",
  catalog: ["35"],
  types: T.loadBalancer,
  validate: (r, report) => {
    if (r.props.enableDeletionProtection !== true) report("Deletion protection is off; set enableDeletionProtection: true.");
  },
});

export const loadBalancerEnableDropInvalidHeaders = resourcePolicy({
  name: "lb-loadbalancer-enable-drop-invalid-headers",
  description: "Application load balancers must drop HTTP headers with invalid names.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "medium",
  catalog: ["36"],
  types: T.loadBalancer,
  validate: (r, report) => {
    if (isApplication(r.props) && r.props.dropInvalidHeaderFields !== true) {
      report("Invalid header fields are passed to targets (the default); set dropInvalidHeaderFields: true.");
    }
  },
});

export const loadBalancerConfigureDesyncMitigation = resourcePolicy({
  name: "lb-loadbalancer-configure-desync-mitigation",
  description: "Application load balancers must use the defensive or strictest HTTP desync mitigation mode.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "medium",
  catalog: ["37"],
  types: T.loadBalancer,
  validate: (r, report) => {
    const mode = r.props.desyncMitigationMode;
    if (isApplication(r.props) && mode !== undefined && mode !== null && mode !== "defensive" && mode !== "strictest") {
      report(`Desync mitigation mode is "${String(mode)}"; set desyncMitigationMode to "defensive" or "strictest".`);
    }
  },
});

export const listenerRequireHttpsRedirect = resourcePolicy({
  name: "lb-listener-require-https-redirect",
  description: "HTTP listeners must do nothing but redirect to HTTPS.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["40"],
  types: T.listener,
  validate: (r, report) => {
    if (r.props.protocol !== "HTTP") return;
    const actions = Array.isArray(r.props.defaultActions) ? (r.props.defaultActions as P[]) : [];
    const a = actions[0];
    const redirect = obj(a?.redirect);
    if (actions.length !== 1 || a?.type !== "redirect" || redirect?.protocol !== "HTTPS") {
      report('HTTP listener serves traffic; make its only default action { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }.');
    }
  },
});

export const listenerRequireHttps = resourcePolicy({
  name: "lb-listener-require-https",
  description: "Every listener that serves traffic must use HTTPS (or TLS) with a certificate.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["41"],
  types: T.listener,
  validate: (r, report) => {
    const protocol = r.props.protocol;
    if (protocol === "HTTP") return; // the redirect policy owns HTTP listeners
    if (protocol !== "HTTPS" && protocol !== "TLS") {
      report(`Listener uses ${String(protocol ?? "an unset protocol")}; use HTTPS (TLS for network load balancers).`);
    } else if (!isPresent(r.props, "certificateArn")) {
      report(`${String(protocol)} listener has no certificate; set certificateArn to an ACM certificate.`);
    }
  },
});

export const listenerConfigureTlsPolicy = resourcePolicy<{ allowedPolicies: string[] }>({
  name: "lb-listener-configure-tls-policy",
  description: "HTTPS and TLS listeners must use a TLS 1.2+ security policy with forward secrecy.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["42"],
  configSchema: {
    properties: {
      allowedPolicies: { type: "array", items: { type: "string" }, minItems: 1, default: DEFAULT_TLS_POLICIES, description: "Accepted ELB security policies." },
    },
  },
  defaults: { allowedPolicies: DEFAULT_TLS_POLICIES },
  types: T.listener,
  validate: (r, report) => {
    if (r.props.protocol !== "HTTPS" && r.props.protocol !== "TLS") return;
    const policy = r.props.sslPolicy;
    if (typeof policy !== "string" || !r.config.allowedPolicies.includes(policy)) {
      report(
        `Listener uses TLS policy ${typeof policy === "string" ? `"${policy}"` : "ELBSecurityPolicy-2016-08 (the default)"}; ` +
          `set sslPolicy to "ELBSecurityPolicy-TLS13-1-2-Res-2021-06" or another accepted policy.`,
      );
    }
  },
});

export const listenerRequireAcmCertificate = resourcePolicy({
  name: "lb-listener-require-acm-certificate",
  description: "Listener certificates should come from ACM, which renews them.",
  enforcementLevel: "advisory",
  category: "operations",
  severity: "low",
  catalog: ["43"],
  types: T.listener,
  validate: (r, report) => {
    const arn = peek(() => r.props.certificateArn);
    if (typeof arn === "string" && arn !== "" && !arn.startsWith("arn:aws:acm:")) {
      report("Listener certificate is not from ACM; issue it with aws.acm.Certificate so it renews automatically.");
    }
  },
});

export const targetGroupConfigureHealthCheck = resourcePolicy<{ targetType: string }>({
  name: "lb-targetgroup-configure-health-check",
  description: "Target groups must health-check a path with an explicit matcher, and register Fargate tasks by IP.",
  enforcementLevel: "mandatory",
  category: "reliability",
  severity: "medium",
  catalog: ["44"],
  configSchema: { properties: { targetType: { type: "string", default: "ip", description: "Required target type (ip for Fargate)." } } },
  defaults: { targetType: "ip" },
  types: T.targetGroup,
  validate: (r, report) => {
    const hc = obj(r.props.healthCheck);
    if (hc?.enabled === false) {
      report("Health checks are disabled; enable them so failed tasks are replaced.");
    } else if ((r.props.protocol === "HTTP" || r.props.protocol === "HTTPS") && (!isPresent(hc, "path") || !isPresent(hc, "matcher"))) {
      report('Health check has no explicit path and matcher; set healthCheck.path (e.g. "/healthz") and healthCheck.matcher (e.g. "200").');
    }
    const targetType = r.props.targetType ?? "instance";
    if (targetType !== r.config.targetType) {
      report(`Target type is "${String(targetType)}"; Fargate tasks register by IP, so set targetType: "${r.config.targetType}".`);
    }
  },
});

// --- stack-wide -------------------------------------------------------------------------------

function subnetsOf(graph: StackGraph, lb: Resource): Resource[] {
  return unique([...graph.refs(lb, "subnets", [T.subnet]), ...graph.refs(lb, "subnetMappings", [T.subnet])]);
}

export const loadBalancerRequireMultiAz = stackPolicy<{ minimumAzs: number }>({
  name: "lb-loadbalancer-require-multi-az",
  description: "Load balancers must span at least two availability zones.",
  enforcementLevel: "mandatory",
  category: "reliability",
  severity: "medium",
  catalog: ["38", "X14"],
  configSchema: { properties: { minimumAzs: { type: "integer", minimum: 1, default: 2 } } },
  defaults: { minimumAzs: 2 },
  appliesTo: T.loadBalancer,
  validate: ({ graph, config }, report) => {
    forEachKnown(graph.ofType(T.loadBalancer), (lb) => {
      const azs = graph.availabilityZonesOf(subnetsOf(graph, lb));
      if (azs.size < config.minimumAzs) {
        report(`${describe(lb)} spans ${azs.size} availability zone(s); place it in subnets of at least ${config.minimumAzs} AZs.`, lb.urn);
      }
    });
  },
});

export const loadBalancerRequireTierSubnets = stackPolicy({
  name: "lb-loadbalancer-require-tier-subnets",
  description: "An internet-facing load balancer must sit only in public subnets, an internal one only in private subnets.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["X3"],
  appliesTo: T.loadBalancer,
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.loadBalancer), (lb) => {
      const want = isInternetFacing(lb.props) ? "public" : "private";
      for (const s of subnetsOf(graph, lb)) {
        const tier = graph.tierOf(s);
        if (tier !== want) {
          report(
            `${describe(lb)} is ${want === "public" ? "internet-facing" : "internal"} but sits in ${describe(s)} (tier ${tier ?? "unknown"}); ` +
              `place it only in ${want} subnets.`,
            lb.urn,
          );
        }
      }
    });
  },
});

export const DEFAULT_PUBLIC_PORTS = [443, 80];

export const loadBalancerRequireSolePublicEntry = stackPolicy<{ publicPorts: number[] }>({
  name: "lb-loadbalancer-require-sole-public-entry",
  description:
    "The internet-facing load balancer must be the only public entry: only its security groups admit the internet, on 443 (80 for the redirect), and tasks admit traffic only from it.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["13", "X2"],
  configSchema: { properties: { publicPorts: portsSchema(DEFAULT_PUBLIC_PORTS) } },
  defaults: { publicPorts: DEFAULT_PUBLIC_PORTS },
  appliesTo: [T.securityGroup],
  validate: ({ graph, config }, report) => {
    const publicLbs = graph.ofType(T.loadBalancer).filter((lb) => peek(() => isInternetFacing(lb.props)) !== false);
    const albGroups = new Set(publicLbs.flatMap((lb) => graph.securityGroupsOf(lb)));
    forEachKnown(graph.ofType(T.securityGroup), (sg) => {
      for (const e of effectiveRules(graph, sg)) {
        if (e.rule.direction !== "ingress" || !isPublic(e.rule)) continue;
        const okPort = e.rule.range.protocol === "tcp" && e.rule.range.from === e.rule.range.to && config.publicPorts.includes(e.rule.range.from);
        if (!albGroups.has(sg)) {
          report(
            `${describe(sg)} admits ${e.rule.cidr} on ${describeRange(e.rule.range)} but is not a security group of an internet-facing load balancer; ` +
              `only the load balancer may be reachable from the internet.`,
            e.source.urn,
          );
        } else if (!okPort) {
          report(
            `${describe(sg)} of the load balancer admits ${e.rule.cidr} on ${describeRange(e.rule.range)}; ` +
              `open only tcp/${config.publicPorts.join(" and tcp/")} to the internet.`,
            e.source.urn,
          );
        }
      }
    });
    // Tasks: ingress only from the load balancer's groups, only on the port the target group uses.
    forEachKnown(graph.ofType(T.ecsService), (svc) => {
      const lbs = list(peek(() => prop(svc, "loadBalancers")));
      const ports = new Set(lbs.map((l) => l.containerPort).filter((p): p is number => typeof p === "number"));
      for (const sg of graph.securityGroupsOf(svc)) {
        if (albGroups.has(sg)) continue;
        for (const e of effectiveRules(graph, sg)) {
          if (e.rule.direction !== "ingress") continue;
          const fromAlb = e.rule.groupPeer && e.peers.length > 0 && e.peers.every((p) => albGroups.has(p));
          const portOk = e.rule.range.protocol === "tcp" && e.rule.range.from === e.rule.range.to && (ports.size === 0 || ports.has(e.rule.range.from));
          if (!fromAlb || !portOk) {
            report(
              `${describe(sg)} of ${describe(svc)} admits ${e.rule.cidr ?? "another security group"} on ${describeRange(e.rule.range)}; ` +
                `tasks may admit only the load balancer's security group, on the container port.`,
              e.source.urn,
            );
          }
        }
      }
    });
  },
});

export const loadBalancerRequireValidLogBucket = stackPolicy({
  name: "lb-loadbalancer-require-valid-log-bucket",
  description: "The access-log bucket of a load balancer must use SSE-S3 (the only encryption ALB log delivery supports).",
  enforcementLevel: "mandatory",
  category: "operations",
  severity: "medium",
  catalog: ["X9", "97"],
  appliesTo: T.loadBalancer,
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.loadBalancer), (lb) => {
      for (const bucket of graph.refs(lb, "accessLogs", [T.s3Bucket])) {
        for (const sse of graph.referrers(bucket, T.s3Encryption, "bucket")) {
          const algos = list(prop(sse, "rules")).map((rule) => obj(rule.applyServerSideEncryptionByDefault)?.sseAlgorithm);
          if (algos.some((a) => a !== "AES256")) {
            report(
              `${describe(bucket)} receives access logs of ${describe(lb)} but is not encrypted with SSE-S3; ` +
                `set sseAlgorithm: "AES256" (load balancers cannot write to KMS-encrypted buckets).`,
              bucket.urn,
            );
          }
        }
      }
    });
  },
});

/**
 * Behind the edge (infra/edge) the ALB's web ACL is CloudFront's: a distribution in the stack has a
 * web ACL attached, some ingress rule of the ALB's groups names a prefix list (CloudFront's
 * origin-facing one), and none admits the whole internet (0.0.0.0/0 or ::/0). Narrower CIDR rules
 * (an office or the VPC on a test listener) do not expose the ALB to the internet.
 */
function behindEdgeWaf(graph: StackGraph, lb: Resource): boolean {
  const protectedEdge = graph.ofType(T.cloudfrontDistribution).some((d) => {
    const acl = peek(() => prop(d, "webAclId"));
    return typeof acl === "string" && acl !== "";
  });
  if (!protectedEdge) return false;
  const groups = graph.refs(lb, "securityGroups", [T.securityGroup]);
  if (groups.length === 0) return false;
  const rules = groups.flatMap((sg) => graph.referrers(sg, T.securityGroupIngressRule, "securityGroupId"));
  const world = rules.some((r) => peek(() => prop(r, "cidrIpv4")) === "0.0.0.0/0" || peek(() => prop(r, "cidrIpv6")) === "::/0");
  return !world && rules.some((r) => typeof peek(() => prop(r, "prefixListId")) === "string");
}

export const loadBalancerRequireWaf = stackPolicy({
  name: "lb-loadbalancer-require-waf",
  description: "Internet-facing application load balancers should be protected by a WAFv2 web ACL.",
  enforcementLevel: "advisory",
  category: "security",
  severity: "medium",
  catalog: ["39", "X18"],
  appliesTo: T.loadBalancer,
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.loadBalancer), (lb) => {
      if (!isInternetFacing(lb.props) || !isApplication(lb.props)) return;
      if (behindEdgeWaf(graph, lb)) return;
      if (graph.referrers(lb, T.webAclAssociation, "resourceArn").length === 0) {
        report(`${describe(lb)} has no WAF web ACL; associate one (aws.wafv2.WebAclAssociation) with the managed Known-Bad-Inputs rules.`, lb.urn);
      }
    });
  },
});

export const policies: Policies = [
  loadBalancerEnableAccessLogs,
  loadBalancerEnableDeletionProtection,
  loadBalancerEnableDropInvalidHeaders,
  loadBalancerConfigureDesyncMitigation,
  listenerRequireHttpsRedirect,
  listenerRequireHttps,
  listenerConfigureTlsPolicy,
  listenerRequireAcmCertificate,
  targetGroupConfigureHealthCheck,
  loadBalancerRequireMultiAz,
  loadBalancerRequireTierSubnets,
  loadBalancerRequireSolePublicEntry,
  loadBalancerRequireValidLogBucket,
  loadBalancerRequireWaf,
];
