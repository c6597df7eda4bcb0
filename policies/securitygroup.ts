import { Policies } from "@pulumi/policy";
import { resourcePolicy, stackPolicy } from "./lib/define";
import { Resource, StackGraph, describe, prop } from "./lib/graph";
import { coversAnyTcpPort, describeRange, isAllPorts, portsSchema } from "./lib/ports";
import { runTaskSecurityGroups } from "./lib/ecs";
import { SG_RULE_TYPES, SgRule, isPublic, rulesOf } from "./lib/sg";
import { T } from "./lib/types";
import { forEachKnown, peek } from "./lib/unknowns";

/** Security groups: public exposure, rule hygiene, and how rules are managed. */

export const DEFAULT_ADMIN_PORTS = [22, 3389];

/** Security Hub EC2.19's high-risk ports (22 and 3389 have their own policy). */
export const DEFAULT_HIGH_RISK_PORTS = [
  20, 21, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300,
];

function where(rule: SgRule): string {
  return `${rule.direction === "ingress" ? "Ingress from" : "Egress to"} ${rule.cidr ?? "a security group"}`;
}

export const securityGroupDisallowPublicAdminIngress = resourcePolicy<{ ports: number[] }>({
  name: "ec2-securitygroup-disallow-public-admin-ingress",
  description: "Security groups must not admit SSH or RDP from 0.0.0.0/0 or ::/0.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["11"],
  configSchema: { properties: { ports: portsSchema(DEFAULT_ADMIN_PORTS, "Admin ports that must never be open to the internet.") } },
  defaults: { ports: DEFAULT_ADMIN_PORTS },
  types: SG_RULE_TYPES,
  validate: (r, report) => {
    for (const rule of rulesOf(r.type, r.props)) {
      if (rule.direction !== "ingress" || !isPublic(rule)) continue;
      const hit = coversAnyTcpPort(rule.range, r.config.ports);
      if (hit.length > 0) {
        report(
          `${where(rule)} on ${describeRange(rule.range)} opens admin port ${hit.join(", ")} to the internet; ` +
            `restrict the source to known admin CIDRs or use Session Manager instead.`,
        );
      }
    }
  },
});

export const securityGroupDisallowPublicHighRiskIngress = resourcePolicy<{ ports: number[] }>({
  name: "ec2-securitygroup-disallow-public-high-risk-ingress",
  description: "Security groups must not admit high-risk ports (databases, mail, file sharing, admin UIs) from the internet.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["12"],
  configSchema: { properties: { ports: portsSchema(DEFAULT_HIGH_RISK_PORTS, "Ports that must never be open to the internet.") } },
  defaults: { ports: DEFAULT_HIGH_RISK_PORTS },
  types: SG_RULE_TYPES,
  validate: (r, report) => {
    for (const rule of rulesOf(r.type, r.props)) {
      if (rule.direction !== "ingress" || !isPublic(rule) || isAllPorts(rule.range)) continue;
      const hit = coversAnyTcpPort(rule.range, r.config.ports);
      if (hit.length > 0) {
        report(
          `${where(rule)} on ${describeRange(rule.range)} exposes high-risk port ${hit.join(", ")} to the internet; ` +
            `allow only the security groups or CIDRs that need it.`,
        );
      }
    }
  },
});

export const securityGroupDisallowPublicAllPortsIngress = resourcePolicy({
  name: "ec2-securitygroup-disallow-public-all-ports-ingress",
  description: "Security groups must not admit all ports or all protocols from the internet.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["13"],
  types: SG_RULE_TYPES,
  validate: (r, report) => {
    for (const rule of rulesOf(r.type, r.props)) {
      if (rule.direction === "ingress" && isPublic(rule) && isAllPorts(rule.range)) {
        report(`${where(rule)} allows ${describeRange(rule.range)}; open only the ports the service needs, never every port to the internet.`);
      }
    }
  },
});

export const securityGroupDisallowUnrestrictedEgress = resourcePolicy({
  name: "ec2-securitygroup-disallow-unrestricted-egress",
  description: "Security groups should not allow all traffic out to the internet.",
  enforcementLevel: "advisory",
  category: "security",
  severity: "medium",
  catalog: ["14"],
  types: SG_RULE_TYPES,
  validate: (r, report) => {
    for (const rule of rulesOf(r.type, r.props)) {
      if (rule.direction === "egress" && isPublic(rule) && rule.range.protocol === "all") {
        report(`${where(rule)} allows all traffic; allow only the ports and destinations the workload needs (for example tcp/443).`);
      }
    }
  },
});

export const securityGroupRequireDescription = resourcePolicy({
  name: "ec2-securitygroup-require-description",
  description: "Security groups and their rules should say why they exist.",
  enforcementLevel: "advisory",
  category: "operations",
  severity: "low",
  catalog: ["15"],
  types: SG_RULE_TYPES,
  validate: (r, report) => {
    if (r.type === T.securityGroup) {
      const d = r.props.description;
      // "Managed by Pulumi" is the provider's default: it says nothing about the group.
      if (typeof d !== "string" || d.trim() === "" || d === "Managed by Pulumi") {
        report("Give the security group a description that says what it protects and who may reach it.");
      }
    }
    if (r.type === T.securityGroupIngressRule || r.type === T.securityGroupEgressRule || r.type === T.securityGroupRule) {
      if (rulesOf(r.type, r.props).some((rule) => !rule.description)) {
        report("Give the security group rule a description that says which traffic it admits and why.");
      }
    }
  },
});

export const defaultSecurityGroupDisallowRules = resourcePolicy({
  name: "ec2-defaultsecuritygroup-disallow-rules",
  description: "The VPC default security group must have no rules.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["3"],
  types: [T.defaultSecurityGroup],
  validate: (r, report) => {
    const n = rulesOf(r.type, r.props).length;
    if (n > 0) {
      report(`The default security group has ${n} rule(s); set ingress: [] and egress: [] so nothing can fall back to it.`);
    }
  },
});

// --- stack-wide -------------------------------------------------------------------------------

/** A rule with the resource that declares it and the group it belongs to. */
export interface EffectiveRule {
  readonly rule: SgRule;
  readonly source: Resource;
  readonly group: Resource;
  /** Security groups the rule's peer came from (propertyDependencies). */
  readonly peers: readonly Resource[];
}

function ruleKey(rule: SgRule): string {
  return `${rule.direction}|${describeRange(rule.range)}|${rule.cidr ?? ""}|${rule.groupPeer}|${rule.prefixList}`;
}

/**
 * The group's inline `dir` rules that are not just its standalone rules (`readBack`, by ruleKey)
 * read back from AWS: after a deployment the group's `ingress`/`egress` outputs list every rule.
 * In a preview, a group declared without inline rules has them unknown, which reads as none: the
 * standalone rules are checked on their own.
 */
function ownInlineRules(sg: Resource, dir: SgRule["direction"], readBack: ReadonlySet<string>): SgRule[] {
  return rulesOf(T.securityGroup, { [dir]: peek(() => prop(sg, dir)) }).filter((rule) => !readBack.has(ruleKey(rule)));
}

/** The rules in force on a group: its standalone rule resources, plus its own inline rules. */
export function effectiveRules(graph: StackGraph, sg: Resource): EffectiveRule[] {
  const standalone = graph.rulesOf(sg).flatMap((res) =>
    rulesOf(res.type, res.props).map((rule) => ({
      rule,
      source: res,
      group: sg,
      peers: graph.refs(res, res.type === T.securityGroupRule ? "sourceSecurityGroupId" : "referencedSecurityGroupId", [T.securityGroup]),
    })),
  );
  const seen = new Set(standalone.map((e) => ruleKey(e.rule)));
  const inline = (["ingress", "egress"] as const).flatMap((dir) => ownInlineRules(sg, dir, seen));
  return [
    ...standalone,
    ...inline.map((rule) => ({ rule, source: sg, group: sg, peers: graph.refs(sg, rule.direction, [T.securityGroup]) })),
  ];
}

export const securityGroupDisallowMixedRuleManagement = stackPolicy({
  name: "ec2-securitygroup-disallow-mixed-rule-management",
  description: "A security group's rules must be managed either inline or as standalone rule resources, never both.",
  enforcementLevel: "mandatory",
  category: "operations",
  severity: "medium",
  catalog: ["16", "X11"],
  appliesTo: [T.securityGroup],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.securityGroup), (sg) => {
      const standalone = graph.rulesOf(sg);
      if (standalone.length === 0) return;
      const readBack = new Set(standalone.flatMap((res) => rulesOf(res.type, res.props).map(ruleKey)));
      for (const dir of ["ingress", "egress"] as const) {
        if (ownInlineRules(sg, dir, readBack).length > 0) {
          report(
            `${describe(sg)} declares inline ${dir} rules and is also targeted by standalone rule resources; ` +
              `move every rule to aws.vpc.SecurityGroupIngressRule/SecurityGroupEgressRule resources, or Pulumi will keep removing one set.`,
            sg.urn,
          );
        }
      }
    });
  },
});

function attachedGroups(graph: StackGraph): Set<Resource> {
  const holders = graph.ofType(
    T.loadBalancer,
    T.ecsService,
    T.ecsTaskSet,
    T.rdsCluster,
    T.rdsInstance,
    T.instance,
    T.launchTemplate,
    T.vpcEndpoint,
    T.elasticacheReplicationGroup,
  );
  // One-off tasks' groups are attached by `aws ecs run-task`, outside the stack.
  return new Set([...holders.flatMap((h) => graph.securityGroupsOf(h)), ...runTaskSecurityGroups(graph)]);
}

export const securityGroupRequireAttachment = stackPolicy({
  name: "ec2-securitygroup-require-attachment",
  description: "Every security group should be attached to something (load balancer, service, database, instance or endpoint).",
  enforcementLevel: "advisory",
  category: "operations",
  severity: "low",
  catalog: ["17", "X16"],
  appliesTo: [T.securityGroup],
  validate: ({ graph }, report) => {
    const attached = attachedGroups(graph);
    for (const sg of graph.ofType(T.securityGroup)) {
      if (!attached.has(sg)) {
        report(`${describe(sg)} is not attached to any resource in the stack; attach it or delete it.`, sg.urn);
      }
    }
  },
});

export const policies: Policies = [
  securityGroupDisallowPublicAdminIngress,
  securityGroupDisallowPublicHighRiskIngress,
  securityGroupDisallowPublicAllPortsIngress,
  securityGroupDisallowUnrestrictedEgress,
  securityGroupRequireDescription,
  defaultSecurityGroupDisallowRules,
  securityGroupDisallowMixedRuleManagement,
  securityGroupRequireAttachment,
];
