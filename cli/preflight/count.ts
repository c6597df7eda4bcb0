import { parseTaskSize, splitTasks, strategiesOf, targetsService } from "../cost/rules";
import { DeploymentGraph, bool, list, num, obj, prop, str } from "../cost/graph";
import type { DeploymentDocument, DeploymentResource } from "../cost/types";
import { nameOfUrn } from "../cost/usage";
import { RUN_TASK_ROLES } from "../../policies/lib/ecs";
import { T as TYPES } from "../../policies/lib/types";
import { EDGE_REGION, webAclCapacityOf } from "../../infra/edge/plan";

/**
 * Quota-relevant counts of one deployment document, at the plan's MAXIMUM scale. Pure: no I/O.
 *
 * Every count is a `Contribution` to one quota (by the id of cli/preflight/quotas.json), at the
 * account and Region of the provider that creates the resource, against a subject when the quota
 * is per VPC / security group / route table / … (its id). `check.ts` sums contributions of every
 * stack that land in the same account, Region and subject: the peer-side routes prod writes into
 * the management VPC's route tables count against those tables, in the management account.
 */

/** Where a resource is created: the accounts its provider may use, and its Region. */
export interface Location {
  /** `allowedAccountIds` of the provider (or the stack); undefined when nobody said. */
  readonly accounts?: readonly string[];
  readonly region?: string;
}

export interface Contribution {
  /** Quota id (cli/preflight/quotas.json). */
  readonly quota: string;
  readonly amount: number;
  /** What a per-resource quota counts against: a VPC/SG/ACL/route table/ALB id, an AZ name, … */
  readonly subject?: string;
  readonly stack: string;
  /** Logical name of the resource that contributes. */
  readonly resource: string;
  /** Its type token (the coverage matrix in docs/development.md groups quotas by it). */
  readonly type?: string;
  readonly location: Location;
}

export interface StackCount {
  readonly stack: string;
  /** Where the stack's own provider creates things (the root `aws` provider, else the fallback). */
  readonly location: Location;
  readonly contributions: readonly Contribution[];
  /** Physical id → `stack/logical name`, to name subjects in messages. */
  readonly names: Readonly<Record<string, string>>;
  /** Assumptions made while counting (one line each). */
  readonly notes: readonly string[];
}

/**
 * ECS's default `deploymentMaximumPercent` for a REPLICA service. During a rolling deployment ECS
 * runs up to desiredCount × maximumPercent / 100 tasks (rounded down) at once, old and new, and
 * they all hold Fargate vCPU quota. (Amazon ECS API Reference, DeploymentConfiguration,
 * maximumPercent: "an upper limit on the number of your service's tasks that are allowed in the
 * RUNNING or PENDING state during a deployment … The default maximumPercent value for a service
 * using the REPLICA service scheduler is 200%.")
 */
/** Tasks at the switch of a blue/green-family deployment, in percent of the count: blue and green. */
export const TRAFFIC_SHIFT_PEAK_PERCENT = 200;
export const DEFAULT_MAXIMUM_PERCENT = 200;

// Short names for this module; the tokens themselves live once, in the pack's table (policies/lib/types.ts).
const T = {
  eip: TYPES.eip,
  vpc: TYPES.vpc,
  igw: TYPES.internetGateway,
  nat: TYPES.natGateway,
  subnet: TYPES.subnet,
  routeTable: TYPES.routeTable,
  defaultRouteTable: TYPES.defaultRouteTable,
  route: TYPES.route,
  acl: TYPES.networkAcl,
  defaultAcl: TYPES.defaultNetworkAcl,
  aclRule: TYPES.networkAclRule,
  sg: TYPES.securityGroup,
  defaultSg: TYPES.defaultSecurityGroup,
  sgRule: TYPES.securityGroupRule,
  ingress: TYPES.securityGroupIngressRule,
  egress: TYPES.securityGroupEgressRule,
  endpoint: TYPES.vpcEndpoint,
  pcx: TYPES.vpcPeeringConnection,
  instance: TYPES.instance,
  launchTemplate: TYPES.launchTemplate,
  asg: TYPES.autoscalingGroup,
  vgw: TYPES.vpnGateway,
  cgw: TYPES.customerGateway,
  vpn: TYPES.vpnConnection,
  service: TYPES.ecsService,
  taskDef: TYPES.ecsTaskDefinition,
  ecsCluster: TYPES.ecsCluster,
  clusterProviders: TYPES.ecsClusterCapacityProviders,
  scalingTarget: TYPES.appautoscalingTarget,
  lb: TYPES.loadBalancer,
  listener: TYPES.listener,
  listenerRule: TYPES.listenerRule,
  listenerCert: TYPES.listenerCertificate,
  targetGroup: TYPES.targetGroup,
  rdsCluster: TYPES.rdsCluster,
  rdsClusterInstance: TYPES.rdsClusterInstance,
  rdsInstance: TYPES.rdsInstance,
  rdsSubnetGroup: TYPES.rdsSubnetGroup,
  rdsClusterParams: TYPES.rdsClusterParameterGroup,
  kmsKey: TYPES.kmsKey,
  cacheGroup: TYPES.elasticacheReplicationGroup,
  cacheSubnetGroup: TYPES.elasticacheSubnetGroup,
  cacheParams: TYPES.elasticacheParameterGroup,
  distribution: TYPES.cloudfrontDistribution,
  webAcl: TYPES.wafWebAcl,
  certificate: TYPES.acmCertificate,
  alarm: TYPES.metricAlarm,
} as const;

/**
 * What a security group rule that references a managed prefix list counts against "inbound (or
 * outbound) rules per security group": the list's maximum entries, not 1 ("When you reference a
 * prefix list in a resource, the maximum number of entries for the prefix lists counts against
 * the quota for the number of entries for the resource", Amazon VPC quotas; each AWS-managed
 * list's weight is in "AWS-managed prefix lists", Amazon VPC User Guide). The plan holds the list's
 * id only; the platform's rules name the list in their `PrefixList` tag (infra/app/alb.ts).
 */
export const PREFIX_LIST_WEIGHTS: Readonly<Record<string, number>> = {
  "com.amazonaws.global.cloudfront.origin-facing": 55,
  "com.amazonaws.global.ipv6.cloudfront.origin-facing": 55,
};

/** The weight of a standalone rule (1 unless it references a prefix list), with a note when unknown. */
export function ruleWeight(r: DeploymentResource, notes: string[]): number {
  const pl = str(prop(r, "prefixListId"));
  if (!pl) return 1;
  const name = str(obj(prop(r, "tags"))?.PrefixList);
  const weight = name !== undefined ? PREFIX_LIST_WEIGHTS[name] : undefined;
  if (weight !== undefined) return weight;
  notes.push(`${nameOfUrn(r.urn)} references prefix list ${pl}, whose maximum entries the plan does not say: counted as 1 rule; it counts as its max entries.`);
  return 1;
}

const PROVIDER_PREFIX = "pulumi:providers:aws";

/** A list input that older SDKs JSON-encode (provider inputs such as allowedAccountIds). */
function stringList(value: unknown): string[] | undefined {
  let v = value;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;
}

function providerLocation(p: DeploymentResource | undefined, fallback: Location): Location {
  if (!p) return fallback;
  const accounts = stringList(prop(p, "allowedAccountIds")) ?? fallback.accounts;
  const region = str(prop(p, "region")) ?? fallback.region;
  return { ...(accounts && accounts.length > 0 ? { accounts } : {}), ...(region ? { region } : {}) };
}

/** The stack's own provider: the root-level explicit `aws` provider, else the default provider. */
function rootProvider(resources: readonly DeploymentResource[]): DeploymentResource | undefined {
  const providers = resources.filter((r) => r.type === PROVIDER_PREFIX);
  const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
  return (
    providers.find((p) => p.parent === stackUrn && !nameOfUrn(p.urn).startsWith("default")) ??
    providers.find((p) => nameOfUrn(p.urn).startsWith("default")) ??
    providers[0]
  );
}

/** Is this an IPv6 rule or route (AWS counts IPv4 and IPv6 entries against separate quotas)? */
function family(r: Record<string, unknown>, v6keys: readonly string[]): "IPv4" | "IPv6" {
  return v6keys.some((k) => typeof r[k] === "string" && r[k] !== "") ? "IPv6" : "IPv4";
}

/**
 * Counts one stack. `fallback` is the stack's account/Region from its config file, used when the
 * plan's provider does not say (plans made before aws:allowedAccountIds existed).
 */
export function countStack(doc: DeploymentDocument, stack: string, fallback: Location = {}): StackCount {
  const graph = new DeploymentGraph(doc);
  const rs = graph.resources;
  const notes: string[] = [];
  const out: Contribution[] = [];
  const names: Record<string, string> = {};
  for (const r of rs) if (r.id && r.custom !== false) names[r.id] = `${stack}/${nameOfUrn(r.urn)}`;

  const providers = new Map<string, DeploymentResource>();
  for (const p of rs.filter((r) => r.type.startsWith(PROVIDER_PREFIX))) providers.set(`${p.urn}::${p.id ?? ""}`, p);
  const own = providerLocation(rootProvider(rs), fallback);
  const locationOf = (r: DeploymentResource): Location => (r.provider ? providerLocation(providers.get(r.provider), own) : own);

  const add = (quota: string, r: DeploymentResource, amount = 1, subject?: string, location?: Location) => {
    if (amount <= 0) return;
    out.push({ quota, amount, stack, resource: nameOfUrn(r.urn), type: r.type, location: location ?? locationOf(r), ...(subject !== undefined ? { subject } : {}) });
  };
  const ofType = (...types: string[]) => rs.filter((r) => types.includes(r.type));

  // --- VPC and its defaults: every VPC comes with a main route table, a default network ACL and
  // a default security group (Amazon VPC User Guide, "VPC basics"), which count against the
  // per-VPC and per-Region quotas. aws:ec2/default* resources adopt these, so they add nothing.
  for (const v of ofType(T.vpc)) {
    add("vpcs", v);
    add("route-tables-per-vpc", v, 1, v.id);
    add("network-acls-per-vpc", v, 1, v.id);
    add("security-groups", v);
  }
  for (const r of ofType(T.eip)) add("eips", r);
  for (const r of ofType(T.igw)) add("internet-gateways", r);
  for (const r of ofType(T.subnet)) add("subnets-per-vpc", r, 1, str(prop(r, "vpcId")));
  for (const r of ofType(T.routeTable)) add("route-tables-per-vpc", r, 1, str(prop(r, "vpcId")));
  for (const r of ofType(T.acl)) add("network-acls-per-vpc", r, 1, str(prop(r, "vpcId")));
  for (const r of ofType(T.sg)) add("security-groups", r);
  for (const r of ofType(T.kmsKey)) add("kms-keys", r);

  // --- The edge. CloudFront is global: its quotas are per account, counted in us-east-1 (where
  // its API and Service Quotas live) whatever provider created the distribution. CLOUDFRONT-scope
  // web ACLs are created in us-east-1 by their provider.
  for (const d of ofType(T.distribution)) {
    const global = { ...locationOf(d), region: EDGE_REGION };
    add("cloudfront-distributions", d, 1, undefined, global);
    add("cache-behaviors-per-distribution", d, 1 + (list(prop(d, "orderedCacheBehaviors"))?.length ?? 0), `${stack}/${nameOfUrn(d.urn)}`, global);
    add("origins-per-distribution", d, list(prop(d, "origins"))?.length ?? 0, `${stack}/${nameOfUrn(d.urn)}`, global);
  }
  for (const a of ofType(T.webAcl)) {
    add("waf-web-acls", a);
    add("waf-wcu-per-web-acl", a, webAclCapacityOf(prop(a, "rules")), `${stack}/${nameOfUrn(a.urn)}`);
  }
  for (const r of ofType(T.vgw)) add("virtual-private-gateways", r);
  for (const r of ofType(T.cgw)) add("customer-gateways", r);
  for (const r of ofType(T.vpn)) {
    add("vpn-connections", r);
    // Per virtual private gateway too (a transit gateway attachment counts elsewhere).
    const vgw = str(prop(r, "vpnGatewayId"));
    if (vgw !== undefined) add("vpn-connections-per-vgw", r, 1, vgw);
  }

  // --- NAT gateways per AZ: the AZ is the subnet's.
  const subnets = new Map(ofType(T.subnet).map((s) => [s.id, s]));
  for (const r of ofType(T.nat)) {
    const subnet = subnets.get(str(prop(r, "subnetId")));
    const az = subnet ? (str(prop(subnet, "availabilityZone")) ?? str(prop(subnet, "availabilityZoneId"))) : undefined;
    add("nat-gateways-per-az", r, 1, az ?? `unknown AZ (${nameOfUrn(r.urn)})`);
    add("network-interfaces", r);
  }

  // --- Endpoints: interface and GWLB endpoints count per VPC (one ENI per subnet); gateway
  // endpoints (the provider's default type) per Region.
  for (const r of ofType(T.endpoint)) {
    const type = str(prop(r, "vpcEndpointType")) ?? "Gateway";
    if (type === "Interface" || type === "GatewayLoadBalancer") {
      add("interface-endpoints-per-vpc", r, 1, str(prop(r, "vpcId")));
      add("network-interfaces", r, list(prop(r, "subnetIds"))?.length ?? 1);
      add("security-groups-per-eni", r, list(prop(r, "securityGroupIds"))?.length ?? 0, `${stack}/${nameOfUrn(r.urn)}`);
    } else if (type === "Gateway") add("gateway-endpoints", r);
  }

  // --- Routes per route table (IPv4 and IPv6 separately; the local route is not counted).
  for (const t of ofType(T.routeTable, T.defaultRouteTable)) {
    for (const route of list(prop(t, "routes")) ?? []) {
      const o = obj(route) ?? {};
      add("routes-per-route-table", t, 1, `${t.id}:${family(o, ["ipv6CidrBlock"])}`);
    }
  }
  for (const r of ofType(T.route)) {
    add("routes-per-route-table", r, 1, `${str(prop(r, "routeTableId"))}:${family(r.inputs ?? {}, ["destinationIpv6CidrBlock"])}`);
  }

  // --- Rules per network ACL, per direction and family. Each direction also holds the default
  // deny rule ("*"), which counts (Amazon VPC quotas: "This quota includes the default rule").
  for (const a of ofType(T.acl, T.defaultAcl)) {
    for (const dir of ["inbound", "outbound"] as const) {
      add("rules-per-network-acl", a, 1, `${a.id}:IPv4 ${dir}`);
      for (const e of list(prop(a, dir === "inbound" ? "ingress" : "egress")) ?? []) {
        add("rules-per-network-acl", a, 1, `${a.id}:${family(obj(e) ?? {}, ["ipv6CidrBlock"])} ${dir}`);
      }
    }
  }
  for (const r of ofType(T.aclRule)) {
    const dir = bool(prop(r, "egress")) ? "outbound" : "inbound";
    add("rules-per-network-acl", r, 1, `${str(prop(r, "networkAclId"))}:${family(r.inputs ?? {}, ["ipv6CidrBlock"])} ${dir}`);
  }

  // --- Rules per security group, per direction and family. AWS counts one rule per source or
  // destination: an inline entry with three CIDRs is three rules.
  for (const g of ofType(T.sg, T.defaultSg)) {
    for (const dir of ["inbound", "outbound"] as const) {
      for (const e of list(prop(g, dir === "inbound" ? "ingress" : "egress")) ?? []) {
        const o = obj(e) ?? {};
        const v4 = (list(o.cidrBlocks)?.length ?? 0) + (list(o.securityGroups)?.length ?? 0) + (list(o.prefixListIds)?.length ?? 0) + (o.self === true ? 1 : 0);
        const v6 = list(o.ipv6CidrBlocks)?.length ?? 0;
        add("rules-per-security-group", g, v4, `${g.id}:IPv4 ${dir}`);
        add("rules-per-security-group", g, v6, `${g.id}:IPv6 ${dir}`);
      }
    }
  }
  for (const r of ofType(T.ingress, T.egress)) {
    const dir = r.type === T.ingress ? "inbound" : "outbound";
    add("rules-per-security-group", r, ruleWeight(r, notes), `${str(prop(r, "securityGroupId"))}:${family(r.inputs ?? {}, ["cidrIpv6"])} ${dir}`);
  }
  for (const r of ofType(T.sgRule)) {
    const dir = str(prop(r, "type")) === "egress" ? "outbound" : "inbound";
    const sg = str(prop(r, "securityGroupId"));
    const v4 = (list(prop(r, "cidrBlocks"))?.length ?? 0) + (list(prop(r, "prefixListIds"))?.length ?? 0) + (str(prop(r, "sourceSecurityGroupId")) || bool(prop(r, "self")) ? 1 : 0);
    add("rules-per-security-group", r, v4, `${sg}:IPv4 ${dir}`);
    add("rules-per-security-group", r, list(prop(r, "ipv6CidrBlocks"))?.length ?? 0, `${sg}:IPv6 ${dir}`);
  }

  // --- Peering connections per VPC: both ends count, each in its owner's account and Region.
  for (const r of ofType(T.pcx)) {
    const here = locationOf(r);
    add("peering-per-vpc", r, 1, str(prop(r, "vpcId")));
    const ownerId = str(prop(r, "peerOwnerId"));
    const peerRegion = str(prop(r, "peerRegion"));
    add("peering-per-vpc", r, 1, str(prop(r, "peerVpcId")), {
      ...(ownerId ? { accounts: [ownerId] } : here.accounts ? { accounts: here.accounts } : {}),
      ...((peerRegion ?? here.region) ? { region: peerRegion ?? here.region } : {}),
    });
  }

  // --- Instances: one ENI each; security groups on it. Auto Scaling groups at maxSize.
  for (const r of ofType(T.instance)) {
    add("network-interfaces", r);
    const groups = (list(prop(r, "vpcSecurityGroupIds"))?.length ?? 0) || (list(prop(r, "securityGroups"))?.length ?? 0);
    add("security-groups-per-eni", r, groups, `${stack}/${nameOfUrn(r.urn)}`);
  }
  for (const r of ofType(T.launchTemplate)) {
    const direct = list(prop(r, "vpcSecurityGroupIds"))?.length ?? 0;
    const viaEni = Math.max(0, ...(list(prop(r, "networkInterfaces")) ?? []).map((n) => list(obj(n)?.securityGroups)?.length ?? 0));
    add("security-groups-per-eni", r, Math.max(direct, viaEni), `${stack}/${nameOfUrn(r.urn)}`);
  }
  for (const r of ofType(T.asg)) add("network-interfaces", r, num(prop(r, "maxSize")) ?? 0);

  // --- Load balancers, listeners, rules, target groups, certificates.
  const lbs = ofType(...T.lb).filter((r) => (str(prop(r, "loadBalancerType")) ?? "application") === "application");
  for (const r of lbs) {
    add("albs", r);
    add("security-groups-per-eni", r, list(prop(r, "securityGroups"))?.length ?? 0, `${stack}/${nameOfUrn(r.urn)}`);
    // An ALB has at least one node (ENI) per enabled subnet.
    add("network-interfaces", r, list(prop(r, "subnets"))?.length ?? list(prop(r, "subnetMappings"))?.length ?? 1);
  }
  const lbOfListener = new Map<DeploymentResource, DeploymentResource | undefined>();
  const listeners = ofType(...T.listener);
  for (const l of listeners) {
    const lb = graph.follow(l, "loadBalancerArn", [...T.lb]);
    lbOfListener.set(l, lb);
    if (lb && lbs.includes(lb)) add("listeners-per-alb", l, 1, lb.id);
  }
  const tgsOf = new Map<string, Set<string>>();
  const useTargetGroups = (lb: DeploymentResource | undefined, actions: unknown) => {
    if (!lb?.id || !lbs.includes(lb)) return;
    const set = tgsOf.get(lb.id) ?? new Set<string>();
    for (const a of list(actions) ?? []) {
      const o = obj(a) ?? {};
      const direct = str(o.targetGroupArn);
      if (direct) set.add(direct);
      for (const tg of list(obj(o.forward)?.targetGroups) ?? []) {
        const arn = str(obj(tg)?.arn);
        if (arn) set.add(arn);
      }
    }
    tgsOf.set(lb.id, set);
  };
  for (const l of listeners) useTargetGroups(lbOfListener.get(l), prop(l, "defaultActions"));
  const listenerOf = (r: DeploymentResource) => graph.follow(r, "listenerArn", [...T.listener]);
  for (const r of ofType(...T.listenerRule)) {
    const lb = lbOfListener.get(listenerOf(r) as DeploymentResource);
    if (lb && lbs.includes(lb)) add("rules-per-alb", r, 1, lb.id);
    useTargetGroups(lb, prop(r, "actions"));
  }
  for (const r of ofType(...T.listenerCert)) {
    const lb = lbOfListener.get(listenerOf(r) as DeploymentResource);
    if (lb && lbs.includes(lb)) add("certificates-per-alb", r, 1, lb.id);
  }
  for (const lb of lbs) add("target-groups-per-alb", lb, tgsOf.get(lb.id ?? "")?.size ?? 0, lb.id);
  for (const r of ofType(...T.targetGroup)) add("target-groups", r);

  // --- Fargate vCPU at maximum scale, including the rolling-deployment surge.
  countFargate(graph, stack, add, notes);

  // --- Aurora / RDS.
  for (const r of ofType(T.rdsSubnetGroup)) add("db-subnet-groups", r);
  for (const r of ofType(T.rdsClusterParams)) add("db-cluster-parameter-groups", r);
  for (const r of ofType(T.rdsInstance)) {
    add("db-instances", r);
    add("network-interfaces", r);
  }
  for (const c of ofType(T.rdsCluster)) {
    add("db-clusters", c);
    add("security-groups-per-eni", c, list(prop(c, "vpcSecurityGroupIds"))?.length ?? 0, `${stack}/${nameOfUrn(c.urn)}`);
    const ident = str(prop(c, "clusterIdentifier")) ?? c.id;
    const declared = ofType(T.rdsClusterInstance).filter((i) => str(prop(i, "clusterIdentifier")) === ident || (i.propertyDependencies?.clusterIdentifier ?? []).includes(c.urn));
    const target = ofType(T.scalingTarget).find((t) => str(prop(t, "serviceNamespace")) === "rds" && str(prop(t, "resourceId")) === `cluster:${ident}`);
    // Aurora Auto Scaling keeps the cluster's replica count between minCapacity and maxCapacity
    // (dimension rds:cluster:ReadReplicaCount); at most maxCapacity replicas, or the declared
    // ones if there are more. The writer is not a replica.
    const declaredReplicas = Math.max(0, declared.length - 1);
    const replicas = target ? Math.max(declaredReplicas, num(prop(target, "maxCapacity")) ?? 0) : declaredReplicas;
    const instances = declared.length === 0 ? 0 : replicas + 1;
    if (target && instances > declared.length) {
      notes.push(`${nameOfUrn(c.urn)}: ${instances} instances at maximum scale (writer + maxCapacity ${num(prop(target, "maxCapacity"))} readers of ${nameOfUrn(target.urn)}), ${declared.length} declared`);
    }
    if (declared.length > 0) {
      add("db-instances", declared[0], instances);
      add("network-interfaces", declared[0], instances);
    }
    add("read-replicas-per-cluster", c, replicas, c.id);
  }
  countElastiCache(ofType, stack, add);
  countCertificatesAndAlarms(ofType, stack, add);
  return { stack, location: own, contributions: out, names, notes };
}

/**
 * ElastiCache (the session store): every node of a replication group (numCacheClusters: the
 * primary and its replicas, one shard) counts toward the Region's nodes and has a network
 * interface; a shard holds at most 6 nodes; subnet and parameter groups count per Region.
 */
function countElastiCache(
  ofType: (...types: string[]) => DeploymentResource[],
  stack: string,
  add: (quota: string, r: DeploymentResource, amount?: number, subject?: string) => void,
): void {
  for (const r of ofType(T.cacheSubnetGroup)) add("elasticache-subnet-groups", r);
  for (const r of ofType(T.cacheParams)) add("elasticache-parameter-groups", r);
  for (const rg of ofType(T.cacheGroup)) {
    const nodes = num(prop(rg, "numCacheClusters")) ?? 1;
    add("elasticache-nodes", rg, nodes);
    add("network-interfaces", rg, nodes);
    add("elasticache-nodes-per-shard", rg, nodes, rg.id);
    add("security-groups-per-eni", rg, list(prop(rg, "securityGroupIds"))?.length ?? 0, `${stack}/${nameOfUrn(rg.urn)}`);
  }
}

/**
 * ACM certificates count per Region of their provider (the edge's CloudFront certificate in
 * us-east-1, the ALB's in the stack's Region); a certificate's domain names are its domainName
 * plus its subjectAlternativeNames, which ACM caps at 10 by default ("Quotas - AWS Certificate
 * Manager"). A CloudWatch alarm holds at most 5 actions in each of its action lists, fixed
 * ("CloudWatch service quotas", alarm actions); the number of alarms itself is not limited.
 */
function countCertificatesAndAlarms(
  ofType: (...types: string[]) => DeploymentResource[],
  stack: string,
  add: (quota: string, r: DeploymentResource, amount?: number, subject?: string) => void,
): void {
  for (const c of ofType(T.certificate)) {
    add("acm-certificates", c);
    const sans = (list(prop(c, "subjectAlternativeNames")) ?? []).filter((n) => n !== str(prop(c, "domainName")));
    add("acm-domains-per-certificate", c, 1 + sans.length, `${stack}/${nameOfUrn(c.urn)}`);
  }
  for (const a of ofType(T.alarm)) {
    for (const key of ["alarmActions", "okActions", "insufficientDataActions"]) {
      add("alarm-actions-per-alarm", a, list(prop(a, key))?.length ?? 0, `${stack}/${nameOfUrn(a.urn)}:${key}`);
    }
  }
}

/**
 * Fargate tasks at maximum scale: the autoscaling target's maxCapacity (Application Auto Scaling
 * owns desiredCount once a target exists), else desiredCount; times maximumPercent / 100 rounded
 * down, the most ECS runs during a rolling deployment; split across the capacity provider
 * strategy as ECS places them (base first, then by weight, rounded up per provider so neither
 * quota is under-counted); times the task's vCPU (cpu units / 1024).
 */
function countFargate(
  graph: DeploymentGraph,
  stack: string,
  add: (quota: string, r: DeploymentResource, amount?: number, subject?: string) => void,
  notes: string[],
): void {
  for (const svc of graph.ofType(T.service)) {
    const launchType = str(prop(svc, "launchType"));
    if (launchType === "EC2" || launchType === "EXTERNAL") continue;
    const name = nameOfUrn(svc.urn);
    const taskDef = graph.follow(svc, "taskDefinition", [T.taskDef]);
    const { vcpu } = taskDef ? parseTaskSize(prop(taskDef, "cpu"), prop(taskDef, "memory")) : { vcpu: undefined };
    if (vcpu === undefined) {
      notes.push(`${name}: task definition or its task-level cpu not found; its Fargate vCPU is not counted`);
      continue;
    }
    const target = graph
      .ofType(T.scalingTarget)
      .find((t) => str(prop(t, "serviceNamespace")) === "ecs" && targetsService(t, svc, graph));
    const steady = target ? (num(prop(target, "maxCapacity")) ?? 0) : (num(prop(svc, "desiredCount")) ?? 0);
    // Blue/green, canary and linear start the whole green revision beside blue (ECS Developer
    // Guide, "Amazon ECS blue/green service deployments workflow"), whatever maximumPercent says:
    // 200% of the count at the switch (docs/releases.md).
    const strategy = str(obj(prop(svc, "deploymentConfiguration"))?.strategy);
    const trafficShift = strategy === "BLUE_GREEN" || strategy === "CANARY" || strategy === "LINEAR";
    const maxPercent = trafficShift
      ? TRAFFIC_SHIFT_PEAK_PERCENT
      : (num(obj(prop(svc, "deploymentConfiguration"))?.maximumPercent) ?? num(prop(svc, "deploymentMaximumPercent")) ?? DEFAULT_MAXIMUM_PERCENT);
    const peak = Math.max(steady, Math.floor((steady * maxPercent) / 100));
    let strategies = strategiesOf(prop(svc, "capacityProviderStrategies"));
    if (!strategies && !launchType) {
      const cluster = graph.follow(svc, "cluster", [T.ecsCluster]);
      const defaults = cluster ? graph.referrers(cluster, "clusterName", [T.clusterProviders])[0] : undefined;
      strategies = defaults ? strategiesOf(prop(defaults, "defaultCapacityProviderStrategies")) : undefined;
    }
    strategies ??= [{ provider: "FARGATE", weight: 1, base: 0 }];
    const split = splitTasks(peak, strategies);
    const parts: string[] = [];
    for (const [provider, share] of split) {
      const tasks = Math.ceil(share - 1e-9);
      const quota = provider === "FARGATE" ? "fargate-on-demand-vcpu" : provider === "FARGATE_SPOT" ? "fargate-spot-vcpu" : undefined;
      if (!quota || tasks <= 0) continue;
      add(quota, svc, tasks * vcpu);
      add("network-interfaces", svc, tasks);
      parts.push(`${tasks} on ${provider}`);
    }
    const groups = list(obj(prop(svc, "networkConfiguration"))?.securityGroups)?.length ?? 0;
    add("security-groups-per-eni", svc, groups, `${stack}/${name}`);
    notes.push(
      `${name}: ${steady} task(s) at maximum scale (${target ? `maxCapacity of ${nameOfUrn(target.urn)}` : "desiredCount"}), up to ${peak} during a deployment (maximumPercent ${maxPercent}): ${parts.join(", ") || "none"}, ${vcpu} vCPU each`,
    );
  }
  // One-off tasks: a task definition with a RUN_TASK_ROLES Role tag that no service runs (the
  // policy pack's test, policies/lib/ecs.ts) is the database bootstrap task, which every deploy
  // starts once with `aws ecs run-task --launch-type FARGATE` (.github/scripts/db-bootstrap.sh):
  // on-demand Fargate whatever the cluster's strategy, and while the services may still be in
  // their rolling-deployment surge, so it counts on top of their peak.
  for (const td of graph.ofType(T.taskDef)) {
    const role = str(obj(prop(td, "tags"))?.Role);
    if (role === undefined || !RUN_TASK_ROLES.includes(role) || graph.referrers(td, "taskDefinition", [T.service]).length > 0) continue;
    const name = nameOfUrn(td.urn);
    const { vcpu } = parseTaskSize(prop(td, "cpu"), prop(td, "memory"));
    if (vcpu === undefined) {
      notes.push(`${name}: task-level cpu not found; its Fargate vCPU is not counted`);
      continue;
    }
    add("fargate-on-demand-vcpu", td, vcpu);
    add("network-interfaces", td);
    notes.push(`${name}: 1 one-off task (${role}, aws ecs run-task once per deploy, during the services' deployments): 1 on FARGATE, ${vcpu} vCPU`);
  }
}
