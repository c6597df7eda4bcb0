import { DeploymentGraph, list, obj, prop, str } from "../cost/graph";
import type { DeploymentResource } from "../cost/types";
import { MANAGED_CACHE_POLICY_IDS } from "../../infra/edge/plan";

/**
 * The edge's rows of the parity table (group "Edge"), read from the plan: whether CloudFront is in
 * front of the ALB, and per distribution its price class, WAF, viewer TLS minimum, logging and
 * behaviours. Pure.
 */

export interface EdgeSetting {
  readonly label: string;
  readonly resource: string;
  readonly value: string;
  readonly strength?: number;
}

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const WEB_ACL = "aws:wafv2/webAcl:WebAcl";
const LB_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];

function cacheMode(id: string | undefined): string {
  if (id === MANAGED_CACHE_POLICY_IDS.cached) return "cached";
  if (id === MANAGED_CACHE_POLICY_IDS.uncached) return "uncached";
  return id ?? "?";
}

function behaviour(b: Readonly<Record<string, unknown>>): string {
  const path = str(b.pathPattern) ?? "default";
  return `${path} → ${str(b.targetOriginId) ?? "?"} ${cacheMode(str(b.cachePolicyId))}`;
}

function logging(g: DeploymentGraph, d: DeploymentResource): string {
  const legacy = obj(prop(d, "loggingConfig"));
  if (legacy && str(legacy.bucket)) return "S3 (legacy)";
  const arn = str(prop(d, "arn"));
  const v2 = g.ofType("aws:cloudwatch/logDeliverySource:LogDeliverySource").some((s) => str(prop(s, "logType")) === "ACCESS_LOGS" && (arn === undefined || str(prop(s, "resourceArn")) === arn));
  return v2 ? "CloudWatch Logs (v2)" : "off";
}

export function edgeSettings(g: DeploymentGraph, nameInStack: (r: DeploymentResource) => string): EdgeSetting[] {
  const out: EdgeSetting[] = [];
  const distributions = g.ofType(DISTRIBUTION);
  // Only stacks with a load balancer have something to put CloudFront in front of.
  if (g.ofType(...LB_TYPES).length > 0) {
    out.push({ label: "CloudFront in front of the ALB", resource: "", value: distributions.length > 0 ? "on" : "off", strength: distributions.length > 0 ? 1 : 0 });
  }
  for (const d of distributions) {
    const name = nameInStack(d);
    out.push({ label: "Price class", resource: name, value: str(prop(d, "priceClass")) ?? "PriceClass_All" });
    const aclArn = str(prop(d, "webAclId"));
    const acl = g.ofType(WEB_ACL).find((a) => str(prop(a, "arn")) === aclArn);
    const rules = acl ? (list(prop(acl, "rules")) ?? []).length : 0;
    out.push({ label: "WAF web ACL", resource: name, value: aclArn ? `on${acl ? ` (${rules} rules)` : ""}` : "off", strength: aclArn ? 1 : 0 });
    const cert = obj(prop(d, "viewerCertificate"));
    out.push({ label: "Viewer TLS minimum", resource: name, value: cert?.cloudfrontDefaultCertificate === true ? "TLSv1 (default certificate)" : (str(cert?.minimumProtocolVersion) ?? "?") });
    const log = logging(g, d);
    out.push({ label: "Access logging", resource: name, value: log, strength: log === "off" ? 0 : 1 });
    const all = [...(list(prop(d, "orderedCacheBehaviors")) ?? []), prop(d, "defaultCacheBehavior")].map((b) => obj(b)).filter((b): b is Readonly<Record<string, unknown>> => b !== undefined);
    out.push({ label: "Behaviours", resource: name, value: all.map(behaviour).join("; ") });
  }
  return out;
}

/** The edge's part of the review diagram for one stack: nodes outside the VPC, and their edges. */
export interface EdgeDiagram {
  /** Mermaid node lines (top level, outside the VPC subgraphs). */
  readonly nodes: string[];
  readonly edges: Array<{ readonly from: string; readonly to: string; readonly label: string }>;
  /** No ALB group admits the internet: CloudFront is the ALB's only client, so no Internet → ALB edge. */
  readonly albBehindEdge: boolean;
}

const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

/**
 * Internet → CloudFront (+ WAF) → the ALB (origin, HTTPS) and → the S3 assets bucket (OAC). Ids
 * come from `id(...parts)` (the diagram's mermaidId), `albId` names the stack's ALB node.
 */
export function edgeDiagram(
  g: DeploymentGraph,
  stack: string,
  nameInStack: (r: DeploymentResource) => string,
  id: (...parts: string[]) => string,
  albId: string | undefined,
  albGroups: readonly string[],
): EdgeDiagram {
  const distributions = g.ofType(DISTRIBUTION);
  const open = g
    .ofType(INGRESS)
    .some((r) => albGroups.some((sg) => (r.propertyDependencies?.securityGroupId ?? []).includes(sg) || str(prop(r, "securityGroupId")) === sg) && (str(prop(r, "cidrIpv4")) === "0.0.0.0/0" || str(prop(r, "cidrIpv6")) === "::/0"));
  const nodes: string[] = [];
  const edges: EdgeDiagram["edges"] = [];
  for (const d of distributions) {
    const cdn = id(stack, "cdn", nameInStack(d));
    const waf = str(prop(d, "webAclId")) ? "<br/>+ WAF" : "";
    nodes.push(`  ${cdn}{{"CloudFront ${nameInStack(d)}${waf}<br/>${str(prop(d, "priceClass")) ?? "PriceClass_All"}"}}`);
    edges.push({ from: "internet", to: cdn, label: "443" });
    const origins = (list(prop(d, "origins")) ?? []).map((o) => obj(o)).filter((o): o is Readonly<Record<string, unknown>> => o !== undefined);
    for (const o of origins) {
      if (obj(o.customOriginConfig) && albId) edges.push({ from: cdn, to: albId, label: "443 origin" });
      else if (str(o.originAccessControlId) !== undefined || /\.s3[.-]/.test(str(o.domainName) ?? "")) {
        const s3 = id(stack, "assets", str(o.originId) ?? "s3");
        nodes.push(`  ${s3}[("S3 ${str(o.originId) ?? "assets"}<br/>private, OAC")]`);
        edges.push({ from: cdn, to: s3, label: "OAC" });
      }
    }
  }
  return { nodes, edges, albBehindEdge: distributions.length > 0 && !open };
}
