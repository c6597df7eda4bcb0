import { bool, DeploymentGraph, list, num, obj, prop, str } from "../cost/graph";
import type { DeploymentResource } from "../cost/types";
import type { UntypedDeployment } from "../plan/deployment";
import {
  LB_TYPES,
  LISTENER_TYPES,
  nameInStack,
  natDevices,
  SUBNET,
  subnetTier,
  tierRank,
} from "./parity";
import { edgeDiagram } from "./edge";

/**
 * A Mermaid flowchart of the head revision, drawn from the plans (never from config): per stack a
 * VPC subgraph with one subgraph per subnet tier (its AZs and CIDRs), the ALB, ECS services,
 * Aurora clusters, NAT and bastion placed in the tier their subnets belong to, and edges for
 * what may talk to what:
 *
 *  - Internet → internet-facing ALB; NAT → Internet; private tier → NAT (egress).
 *  - ALB → service: the service registers in a target group that a listener of that ALB forwards to.
 *  - A → B for every security-group rule that lets A's group reach B's (ingress on B from A, or
 *    egress on A to B), labelled with the port: service → Aurora, bastion → Aurora, ALB → service.
 *  - VPC ⇠⇢ VPC for each peering connection, matched by VPC id across the stacks' plans.
 *  - Office ⇢ virtual private gateway for each site-to-site VPN connection (two tunnels, BGP or
 *    static), and gateway → the nodes whose groups admit the office ranges, labelled with the port.
 *
 * Pure. Ids are derived from stack and logical names, so the same plans give the same text.
 */

const LISTENER_RULE_TYPES = [
  "aws:lb/listenerRule:ListenerRule",
  "aws:alb/listenerRule:ListenerRule",
];
const TG_TYPES = ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"];

/**
 * A blue/green, canary or linear service's line in its node: the style and its two target groups
 * (blue serves, green receives the next revision; docs/releases.md). Rolling services get none.
 */
export function releaseBadge(g: DeploymentGraph, s: DeploymentResource): string {
  const d = obj(prop(s, "deploymentConfiguration"));
  const strategy = str(d?.strategy);
  const tgs = g.resources.filter((t) => TG_TYPES.includes(t.type) && (s.dependencies ?? []).includes(t.urn)).length;
  const groups = `${tgs} target group${tgs === 1 ? "" : "s"}`;
  if (strategy === "BLUE_GREEN") return `<br/>blue/green · ${groups}`;
  if (strategy === "CANARY") return `<br/>canary ${num(obj(d?.canaryConfiguration)?.canaryPercent) ?? "?"}% · ${groups}`;
  if (strategy === "LINEAR") return `<br/>linear ${num(obj(d?.linearConfiguration)?.stepPercent) ?? "?"}% steps · ${groups}`;
  return "";
}
const SG = "aws:ec2/securityGroup:SecurityGroup";

export interface DiagramStack {
  readonly stack: string;
  readonly head: UntypedDeployment;
}

/** Mermaid node text: quotes and angle brackets as entities (only our own `<br/>` stays markup). */
export function mermaidText(s: string): string {
  return s
    .replace(/&/g, "#amp;")
    .replace(/"/g, "#quot;")
    .replace(/</g, "#lt;")
    .replace(/>/g, "#gt;");
}

/** A node id Mermaid accepts anywhere: letters, digits, underscores. */
export function mermaidId(...parts: string[]): string {
  return parts
    .map((p) => p.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, ""))
    .filter((p) => p !== "")
    .join("_");
}

interface Node {
  readonly id: string;
  readonly stack: string;
  /** Tier subgraph it sits in; undefined = directly in the VPC subgraph. */
  readonly tier?: string;
  /** Full Mermaid node declaration after the id (`["…"]`, `[("…")]`). */
  readonly shape: string;
  /** Security groups (URNs and ids) whose members this node stands for. */
  readonly groups: readonly string[];
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly labels: Set<string>;
  readonly dotted: boolean;
}

/** URNs of resources of `types` named by `key` (propertyDependencies), plus plain string ids. */
function refs(r: DeploymentResource, key: string): string[] {
  const out = [...(r.propertyDependencies?.[key] ?? [])];
  const v = prop(r, key);
  for (const x of Array.isArray(v) ? v : [v]) if (typeof x === "string" && x !== "") out.push(x);
  return out;
}

/** Security groups of a resource: the inputs each resource type names them in. */
function securityGroupsOf(r: DeploymentResource): string[] {
  const out = [...refs(r, "vpcSecurityGroupIds"), ...refs(r, "securityGroups")];
  const net = obj(prop(r, "networkConfiguration"));
  if (net) {
    for (const x of list(net.securityGroups) ?? []) if (typeof x === "string") out.push(x);
    out.push(...(r.propertyDependencies?.networkConfiguration ?? []));
  }
  for (const ni of list(prop(r, "networkInterfaces")) ?? []) {
    for (const x of list(obj(ni)?.securityGroups) ?? []) if (typeof x === "string") out.push(x);
  }
  if (r.type.startsWith("aws:ec2/launchTemplate") || r.type.startsWith("aws:ec2/instance")) {
    out.push(...(r.propertyDependencies?.networkInterfaces ?? []));
  }
  return out;
}

function tierOf(
  g: DeploymentGraph,
  r: DeploymentResource,
  fallback: string,
  via: readonly string[] = [],
): string {
  const seen = new Set<string>();
  const tiers = new Set<string>();
  const visit = (x: DeploymentResource, depth: number) => {
    if (seen.has(x.urn) || depth > 2) return;
    seen.add(x.urn);
    for (const u of x.dependencies ?? []) {
      const d = g.get(u);
      if (!d) continue;
      if (d.type === SUBNET) {
        const t = subnetTier(d);
        if (t) tiers.add(t);
      } else if (via.includes(d.type)) visit(d, depth + 1);
    }
  };
  visit(r, 0);
  if (tiers.size === 1) return [...tiers][0];
  return tiers.has(fallback) || tiers.size === 0 ? fallback : [...tiers].sort()[0];
}

/** Name parts that only repeat the kind ("ALB alb-lb", "ECS svc-hello-service") are left off labels. */
const GENERIC_PARTS = new Set([
  "alb",
  "lb",
  "db",
  "database",
  "aurora",
  "cluster",
  "svc",
  "service",
  "ecs",
]);

function titled(kind: string, name: string): string {
  const rest = name
    .split("-")
    .filter((p) => !GENERIC_PARTS.has(p))
    .join("-");
  return rest === "" ? kind : `${kind} ${mermaidText(rest)}`;
}

function az(zone: string): string {
  // ap-northeast-2a → 2a: the region is in the VPC label already.
  const m = /(\d+[a-z])$/.exec(zone);
  return m ? m[1] : zone;
}

export function buildDiagram(stacks: readonly DiagramStack[]): string {
  const graphs = stacks.map((s) => ({ stack: s.stack, g: new DeploymentGraph(s.head) }));
  const nodes: Node[] = [];
  const edges = new Map<string, Edge>();
  const edge = (from: string, to: string, label?: string, dotted = false) => {
    if (from === to) return;
    const key = `${from}>${to}`;
    const e = edges.get(key) ?? { from, to, labels: new Set<string>(), dotted };
    if (label) e.labels.add(label);
    edges.set(key, e);
  };
  const lines: string[] = ["flowchart LR"];
  let internetUsed = false;
  const internet = "internet";
  /** VPC id → subgraph id, for peering edges across stacks. */
  const vpcById = new Map<string, string>();
  const peerings: { from: string; peerVpcId: string; label: string }[] = [];
  /** Office VPN: declarations outside the VPC subgraphs, and which gateway admits which ranges. */
  const vpnLines: string[] = [];
  const officeRanges: { gateway: string; stack: string; cidrs: string[] }[] = [];
  /** CloudFront and its S3 origin: outside every VPC (cli/review/edge.ts). */
  const edgeLines: string[] = [];

  for (const { stack, g } of graphs) {
    const vpcs = g.ofType("aws:ec2/vpc:Vpc");
    const subnets = g.ofType(SUBNET);
    const zones = new Set(subnets.map((s) => str(prop(s, "availabilityZone")) ?? "?"));
    const vpcNodes = vpcs.map((vpc) => mermaidId("vpc", stack, nameInStack(vpc, stack)));
    vpcs.forEach((vpc, i) => {
      for (const id of [vpc.id, str(vpc.outputs?.id)]) if (id) vpcById.set(id, vpcNodes[i]);
    });
    const vpcNode = vpcNodes[0] ?? mermaidId("vpc", stack);
    const name = (r: DeploymentResource) => nameInStack(r, stack) || stack;
    const stackNodes: Node[] = [];
    const add = (n: Node) => {
      stackNodes.push(n);
      nodes.push(n);
    };

    // ALBs; behind the edge, CloudFront (not the internet) reaches them.
    const lbs = g.ofType(...LB_TYPES);
    const front = edgeDiagram(g, stack, name, mermaidId, lbs[0] ? mermaidId(stack, "alb", name(lbs[0])) : undefined, lbs.flatMap(securityGroupsOf));
    edgeLines.push(...front.nodes);
    for (const e of front.edges) {
      internetUsed = true;
      edge(e.from, e.to, e.label);
    }
    for (const lb of lbs) {
      const id = mermaidId(stack, "alb", name(lb));
      const internal = bool(prop(lb, "internal")) ?? false;
      add({
        id,
        stack,
        tier: tierOf(g, lb, internal ? "private" : "public"),
        shape: `["${titled("ALB", name(lb))}${internal ? "<br/>internal" : ""}"]`,
        groups: securityGroupsOf(lb),
      });
      if (!internal && !front.albBehindEdge) {
        internetUsed = true;
        edge(internet, id, "443");
      }
    }
    // NAT.
    const { gateways, natInstances } = natDevices(g);
    if (gateways.length + natInstances.length > 0) {
      const id = mermaidId(stack, "nat");
      const label =
        gateways.length > 0
          ? `NAT gateway${gateways.length > 1 ? ` ×${gateways.length}` : ""}`
          : `NAT instance${natInstances.length > 1 ? ` ×${natInstances.length}` : ""}<br/>${mermaidText(str(prop(natInstances[0], "instanceType")) ?? "?")}`;
      add({
        id,
        stack,
        tier: "public",
        shape: `["${label}"]`,
        groups: natInstances.flatMap(securityGroupsOf),
      });
      internetUsed = true;
      edge(id, internet, undefined, true);
      if (subnets.some((s) => subnetTier(s) === "private"))
        edge(mermaidId(vpcNode, "private"), id, "egress", true);
    }
    // Bastion: its launch template or instance carries the security groups; the group (or the
    // instance) decides the subnets.
    const bastionParts = g
      .ofType(
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:ec2/instance:Instance",
        "aws:autoscaling/group:Group",
      )
      .filter((r) => /bastion/i.test(r.urn));
    if (bastionParts.length > 0) {
      const host = bastionParts.find((r) => str(prop(r, "instanceType"))) ?? bastionParts[0];
      const placed = bastionParts.find((r) => r.type === "aws:autoscaling/group:Group") ?? host;
      add({
        id: mermaidId(stack, "bastion"),
        stack,
        tier: tierOf(g, placed, "private", ["aws:ec2/launchTemplate:LaunchTemplate"]),
        shape: `["Bastion<br/>${mermaidText(str(prop(host, "instanceType")) ?? "?")}"]`,
        groups: bastionParts.flatMap(securityGroupsOf),
      });
    }
    // ECS services.
    const services = g.ofType("aws:ecs/service:Service");
    for (const s of services) {
      const desired = num(prop(s, "desiredCount")) ?? 0;
      add({
        id: mermaidId(stack, "svc", name(s)),
        stack,
        tier: tierOf(g, s, "private"),
        shape: `["${titled("ECS", name(s))}<br/>${desired} task${desired === 1 ? "" : "s"}${releaseBadge(g, s)}"]`,
        groups: securityGroupsOf(s),
      });
    }
    // Aurora clusters.
    const instances = g.ofType("aws:rds/clusterInstance:ClusterInstance");
    for (const c of g.ofType("aws:rds/cluster:Cluster")) {
      const mine = instances.filter(
        (i) => g.follow(i, "clusterIdentifier", ["aws:rds/cluster:Cluster"])?.urn === c.urn,
      );
      const classes = [...new Set(mine.map((i) => str(prop(i, "instanceClass")) ?? "?"))].join(
        ", ",
      );
      const engine = str(prop(c, "engine")) ?? "aurora";
      add({
        id: mermaidId(stack, "db", name(c)),
        stack,
        tier: tierOf(g, c, "isolated", ["aws:rds/subnetGroup:SubnetGroup"]),
        shape: `[("${titled("Aurora", name(c))}<br/>${mermaidText(engine)}${mine.length > 0 ? `<br/>${mine.length} × ${mermaidText(classes)}` : ""}")]`,
        groups: securityGroupsOf(c),
      });
    }

    // ElastiCache replication groups (the session store): a cylinder in the isolated tier; the
    // service → cache edge comes from the security-group rules below, like the database's.
    for (const rg of g.ofType("aws:elasticache/replicationGroup:ReplicationGroup")) {
      const nodeCount = num(prop(rg, "numCacheClusters")) ?? 1;
      const rest = name(rg)
        .split("-")
        .filter((p) => p !== "cache" && p !== "group")
        .join("-");
      add({
        id: mermaidId(stack, "cache", name(rg)),
        stack,
        tier: tierOf(g, rg, "isolated", ["aws:elasticache/subnetGroup:SubnetGroup"]),
        shape: `[("${rest === "" ? "ElastiCache" : `ElastiCache ${mermaidText(rest)}`}<br/>${mermaidText([str(prop(rg, "engine")), str(prop(rg, "engineVersion"))].filter((x) => !!x).join(" "))}<br/>${nodeCount} × ${mermaidText(str(prop(rg, "nodeType")) ?? "?")}")]`,
        groups: refs(rg, "securityGroupIds"),
      });
    }

    // ALB → service through target groups: service.loadBalancers[].targetGroupArn ← listener
    // (or listener rule) of the ALB forwards to that target group.
    for (const s of services) {
      const tgs = g.resources.filter(
        (t) => TG_TYPES.includes(t.type) && (s.dependencies ?? []).includes(t.urn),
      );
      for (const tg of tgs) {
        const forwarders = g.resources.filter(
          (l) =>
            (LISTENER_TYPES.includes(l.type) || LISTENER_RULE_TYPES.includes(l.type)) &&
            (l.dependencies ?? []).includes(tg.urn),
        );
        for (const l of forwarders) {
          const listener = LISTENER_RULE_TYPES.includes(l.type)
            ? g.follow(l, "listenerArn", LISTENER_TYPES)
            : l;
          const lb = listener ? g.follow(listener, "loadBalancerArn", LB_TYPES) : undefined;
          if (lb)
            edge(
              mermaidId(stack, "alb", name(lb)),
              mermaidId(stack, "svc", name(s)),
              portLabel(num(prop(tg, "port"))),
            );
        }
      }
    }

    for (const p of g.ofType("aws:ec2/vpcPeeringConnection:VpcPeeringConnection")) {
      const peer = str(prop(p, "peerVpcId"));
      if (peer) peerings.push({ from: vpcNode, peerVpcId: peer, label: "peering" });
    }

    // Office VPN: the office, its connection's two tunnels, the gateway on this VPC.
    for (const gw of g.ofType("aws:ec2/vpnGateway:VpnGateway")) {
      const gwId = mermaidId(stack, "vgw", name(gw));
      const asn = str(prop(gw, "amazonSideAsn"));
      vpnLines.push(`  ${gwId}["VPN gateway ${mermaidText(name(gw))}${asn ? `<br/>ASN ${mermaidText(asn)}` : ""}"]`);
      vpnLines.push(`  ${gwId} --- ${vpcNode}`);
      const conns = g.ofType("aws:ec2/vpnConnection:VpnConnection").filter((c) => g.follow(c, "vpnGatewayId", ["aws:ec2/vpnGateway:VpnGateway"])?.urn === gw.urn);
      for (const c of conns) {
        const tags = obj(prop(c, "tags")) ?? {};
        const office = typeof tags.Office === "string" ? tags.Office : name(c);
        const cidrs = typeof tags.OfficeCidrs === "string" ? tags.OfficeCidrs.split(/\s+/).filter((x) => x !== "") : [];
        const cgw = g.follow(c, "customerGatewayId", ["aws:ec2/customerGateway:CustomerGateway"]);
        const ip = cgw ? str(prop(cgw, "ipAddress")) : undefined;
        const officeId = mermaidId(stack, "office", office);
        vpnLines.push(`  ${officeId}(["Office ${mermaidText(office)}${cidrs.length > 0 ? `<br/>${cidrs.map(mermaidText).join("<br/>")}` : ""}${ip ? `<br/>device ${mermaidText(ip)}` : ""}"])`);
        const routing = bool(prop(c, "staticRoutesOnly")) ? "static" : "BGP";
        edge(officeId, gwId, `IPsec, 2 tunnels, ${routing}`, true);
        officeRanges.push({ gateway: gwId, stack, cidrs });
      }
    }

    // Render this stack's subgraph.
    const cidr = vpcs.length > 0 ? str(prop(vpcs[0], "cidrBlock")) : undefined;
    if (vpcs.length === 0 && stackNodes.length === 0) continue;
    lines.push(
      `  subgraph ${vpcNode}["${mermaidText(stack)}${cidr ? ` · VPC ${mermaidText(cidr)}` : ""} · ${zones.size} AZ${zones.size === 1 ? "" : "s"}"]`,
    );
    lines.push("    direction LR");
    const tiers = [
      ...new Set([
        ...subnets.map((s) => subnetTier(s) ?? "other"),
        ...stackNodes.map((n) => n.tier ?? "other"),
      ]),
    ].sort((a, b) => tierRank(a) - tierRank(b) || a.localeCompare(b));
    for (const tier of tiers) {
      const tid = mermaidId(vpcNode, tier);
      lines.push(`    subgraph ${tid}["${mermaidText(tier)}"]`);
      const inTier = subnets
        .filter((s) => (subnetTier(s) ?? "other") === tier)
        .map(
          (s) =>
            `${az(str(prop(s, "availabilityZone")) ?? "?")} ${str(prop(s, "cidrBlock")) ?? "?"}`,
        )
        .sort();
      if (inTier.length > 0)
        lines.push(
          `      ${mermaidId(tid, "subnets")}["${inTier.map(mermaidText).join("<br/>")}"]`,
        );
      for (const n of stackNodes.filter((x) => (x.tier ?? "other") === tier))
        lines.push(`      ${n.id}${n.shape}`);
      lines.push("    end");
    }
    lines.push("  end");
  }

  // Security-group reachability, across stacks (a bastion in shared reaching an env database).
  // A group is named by URN inside its own stack (propertyDependencies) and by id elsewhere (a
  // value read through a StackReference), so both are mapped to the URN.
  const canonical = new Map<string, string>();
  for (const { g } of graphs) {
    for (const sg of g.ofType(SG))
      for (const id of [sg.id, str(sg.outputs?.id)]) if (id) canonical.set(id, sg.urn);
  }
  const canon = (ref: string) => canonical.get(ref) ?? ref;
  const sgOwner = new Map<string, string[]>();
  for (const n of nodes) {
    for (const ref of new Set(n.groups.map(canon)))
      sgOwner.set(ref, [...(sgOwner.get(ref) ?? []), n.id]);
  }
  const ownersOf = (ref: readonly string[]) => [
    ...new Set(ref.flatMap((x) => sgOwner.get(canon(x)) ?? [])),
  ];
  for (const { g } of graphs) {
    for (const r of g.resources) {
      let src: string[] = [];
      let dst: string[] = [];
      let port = num(prop(r, "fromPort"));
      if (r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
        dst = refs(r, "securityGroupId");
        src = refs(r, "referencedSecurityGroupId");
      } else if (r.type === "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule") {
        src = refs(r, "securityGroupId");
        dst = refs(r, "referencedSecurityGroupId");
      } else if (r.type === "aws:ec2/securityGroupRule:SecurityGroupRule") {
        const ingress = str(prop(r, "type")) !== "egress";
        const self = refs(r, "securityGroupId");
        const other = refs(r, "sourceSecurityGroupId");
        [src, dst] = ingress ? [other, self] : [self, other];
      } else if (r.type === SG) {
        for (const rule of list(prop(r, "ingress")) ?? []) {
          const o = obj(rule);
          const from = (list(o?.securityGroups) ?? []).filter(
            (x): x is string => typeof x === "string",
          );
          for (const a of ownersOf(from))
            for (const b of ownersOf([r.urn])) edge(a, b, portLabel(num(o?.fromPort)));
        }
        continue;
      } else continue;
      if (src.length === 0 || dst.length === 0) continue;
      if (port === -1) port = undefined;
      for (const a of ownersOf(src)) for (const b of ownersOf(dst)) edge(a, b, portLabel(port));
    }
  }

  // The gateway delivers the office ranges to whatever admits them: SG rules with an office CIDR.
  for (const o of officeRanges) {
    const g = graphs.find((x) => x.stack === o.stack)?.g;
    for (const r of g?.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") ?? []) {
      const cidr = str(prop(r, "cidrIpv4"));
      if (!cidr || !o.cidrs.includes(cidr)) continue;
      for (const b of ownersOf(refs(r, "securityGroupId"))) edge(o.gateway, b, portLabel(num(prop(r, "fromPort"))));
    }
  }
  lines.push(...vpnLines);

  const peerDone = new Set<string>();
  for (const p of peerings) {
    const to = vpcById.get(p.peerVpcId) ?? mermaidId("peer", p.peerVpcId);
    if (!vpcById.has(p.peerVpcId)) lines.push(`  ${to}["peer VPC ${mermaidText(p.peerVpcId)}"]`);
    const key = [p.from, to].sort().join("~");
    if (peerDone.has(key)) continue;
    peerDone.add(key);
    lines.push(`  ${to} <-. peering .-> ${p.from}`);
  }
  lines.push(...edgeLines);
  if (internetUsed) lines.push(`  ${internet}(("Internet"))`);
  for (const e of [...edges.values()].sort((a, b) => (a.from + a.to < b.from + b.to ? -1 : 1))) {
    const label = [...e.labels]
      .filter((l) => l !== "")
      .sort()
      .join(", ");
    const arrow = e.dotted
      ? label
        ? `-. ${mermaidText(label)} .->`
        : "-.->"
      : label
        ? `-->|"${mermaidText(label)}"|`
        : "-->";
    lines.push(`  ${e.from} ${arrow} ${e.to}`);
  }
  return lines.join("\n") + "\n";
}

function portLabel(port: number | undefined): string | undefined {
  return port === undefined ? undefined : String(port);
}
