import { referencedGroupId } from "../sg";
import { T as TYPES } from "../types";

/**
 * The network of one or more deployment documents as AWS evaluates it: VPCs, subnets, route tables
 * (+ associations and routes), network ACLs (+ entries and associations), security groups (+ every
 * way of writing their rules), peering connections, gateway endpoints, and the network interfaces
 * of what sends and receives traffic (ALB, ECS services, one-off ECS tasks such as the database
 * bootstrap, Aurora, ElastiCache replication groups, interface endpoints, bastion ASG, NAT gateways and instances). Pure: resources in, model out; no I/O.
 *
 * Documents are merged by resource id, which is how the environment stack's peering children
 * (routes and NACL entries written into the management VPC's tables) meet the management stack's
 * own resources. Any value still unknown (a preview of resources not created yet) is kept as
 * `UNKNOWN` so the evaluator can answer "unknown", never "allow".
 */

/** The marker for a value the plan cannot know yet. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export type Unknown = typeof UNKNOWN;

/** One resource as the engine reads it: its URN, type, id and merged properties. */
export interface ReachResource {
  readonly urn: string;
  readonly type: string;
  readonly id?: string;
  readonly props: Readonly<Record<string, unknown>>;
}

// ---------------------------------------------------------------------------------------------
// Addresses

/** An inclusive IPv4 address range (a CIDR block, or the whole internet). */
export interface AddrRange {
  readonly lo: number;
  readonly hi: number;
  /** False for IPv6 blocks: they never match the IPv4 addresses of this model. */
  readonly v4: boolean;
  readonly text: string;
}

export function parseRange(text: string): AddrRange | undefined {
  if (text.includes(":")) {
    // IPv6: kept, so rules written for it are visible, but they never match an IPv4 flow.
    return { lo: 0, hi: -1, v4: false, text };
  }
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  const prefix = m[5] === undefined ? 32 : Number(m[5]);
  if (prefix > 32) return undefined;
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const lo = Math.floor(addr / size) * size;
  return { lo, hi: lo + size - 1, v4: true, text };
}

export function rangeContains(outer: AddrRange, inner: AddrRange): boolean {
  return outer.v4 && inner.v4 && outer.lo <= inner.lo && inner.hi <= outer.hi;
}

export function rangeOverlaps(a: AddrRange, b: AddrRange): boolean {
  return a.v4 && b.v4 && a.lo <= b.hi && b.lo <= a.hi;
}

export function prefixLength(r: AddrRange): number {
  return 32 - Math.log2(r.hi - r.lo + 1);
}

/** The whole IPv4 internet: only a rule for 0.0.0.0/0 covers "any internet address". */
export const INTERNET = parseRange("0.0.0.0/0") as AddrRange;

const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((c) => parseRange(c) as AddrRange);
/** RFC 1918: not routable on the internet, so an internet gateway or NAT never delivers it. */
export function isPrivateRange(r: AddrRange): boolean {
  return PRIVATE.some((p) => rangeContains(p, r));
}

// ---------------------------------------------------------------------------------------------
// Model types

export interface Vpc {
  readonly id: string;
  readonly urn: string;
  readonly name: string;
  readonly cidr: AddrRange | Unknown;
  readonly defaultNaclId?: string;
  readonly mainRouteTableId?: string;
}

export interface Subnet {
  readonly id: string;
  readonly urn: string;
  readonly name: string;
  readonly vpcId: string | Unknown;
  readonly cidr: AddrRange | Unknown;
  readonly az: string | Unknown;
  /** Explicit association, else the VPC's default NACL. */
  naclId?: string | Unknown;
  /** Explicit association, else the VPC's main route table. */
  routeTableId?: string | Unknown;
}

export type RouteTargetKind = "local" | "igw" | "nat-gateway" | "eni" | "instance" | "pcx" | "gateway-endpoint" | "vgw" | "other";

export interface Route {
  readonly urn: string;
  /** A CIDR, a prefix list (gateway endpoints), or unknown. */
  readonly destination: { readonly cidr: AddrRange } | { readonly prefixList: string } | Unknown;
  readonly target: { readonly kind: RouteTargetKind; readonly id: string | Unknown };
  /** Written by a virtual private gateway's route propagation (loses a tie to a static route). */
  readonly propagated?: boolean;
}

export interface RouteTable {
  readonly id: string;
  readonly urn: string;
  readonly name: string;
  readonly vpcId: string | Unknown;
  readonly routes: Route[];
}

export interface NaclEntry {
  readonly urn: string;
  readonly ruleNumber: number;
  readonly egress: boolean;
  /** IANA number; -1 all protocols. */
  readonly protocol: number | Unknown;
  readonly action: "allow" | "deny";
  readonly cidr: AddrRange | Unknown;
  readonly fromPort: number;
  readonly toPort: number;
}

export interface Nacl {
  readonly id: string;
  readonly urn: string;
  readonly name: string;
  readonly entries: NaclEntry[];
  /** The VPC's default NACL, never managed: AWS's default rules admit everything. */
  readonly implicitDefault?: boolean;
}

export type SgPeer = { readonly cidr: AddrRange } | { readonly group: string } | { readonly prefixList: string } | Unknown;

export interface SgRule {
  readonly urn: string;
  readonly direction: "ingress" | "egress";
  readonly protocol: number | Unknown;
  readonly fromPort: number;
  readonly toPort: number;
  readonly peer: SgPeer;
  readonly label: string;
}

export interface SecurityGroup {
  readonly id: string;
  readonly urn: string;
  readonly name: string;
  readonly vpcId: string | Unknown;
  readonly rules: SgRule[];
}

export interface PeeringConnection {
  readonly id: string;
  readonly urn: string;
  readonly name: string;
  readonly vpcId: string | Unknown;
  readonly peerVpcId: string | Unknown;
  /** Security groups can be referenced across a peering only within one region. */
  readonly crossRegion: boolean;
}

export type NodeKind = "alb" | "service" | "task" | "database" | "cache" | "endpoint" | "bastion" | "nat-gateway" | "nat-instance" | "instance";

/** Something with network interfaces: one placement per subnet it may have an interface in. */
export interface NetNode {
  readonly key: string;
  readonly kind: NodeKind;
  readonly label: string;
  readonly urn: string;
  readonly subnetIds: ReadonlyArray<string | Unknown>;
  readonly securityGroupIds: ReadonlyArray<string | Unknown>;
  /** Whether its interfaces have a public IPv4 address (public IP or Elastic IP). */
  readonly publicIp: boolean | Unknown;
  /** Ports it listens on (ALB listeners, container ports, database port, 443 for endpoints). */
  readonly ports: ReadonlyArray<number>;
  /** Instances forward for others only with the source/destination check off. */
  readonly sourceDestCheck?: boolean | Unknown;
  /** Ids routes use to point at it (NAT gateway id, ENI id, instance id). */
  readonly routeIds: readonly string[];
  /** For endpoints: the service name; for services and one-off tasks: their name. */
  readonly service?: string;
  /** The resource URNs that decide its placement and groups (for mutation reports). */
  readonly parts: readonly string[];
}

export interface GatewayEndpoint {
  readonly id: string;
  readonly urn: string;
  readonly name: string;
  readonly service: string;
  readonly prefixList: string;
  readonly routeTableIds: ReadonlyArray<string | Unknown>;
}

/** A virtual private gateway and the VPC it is attached to. */
export interface VpnGateway {
  readonly id: string;
  readonly urn: string;
  readonly name: string;
  readonly vpcId: string | Unknown;
}

/**
 * A site-to-site VPN connection on a virtual private gateway. `routes` are what the gateway learns
 * for it: its static routes (`staticRoutesOnly`), or, with BGP, the ranges the office advertises,
 * which the platform records on the connection as the `OfficeCidrs` tag (infra/vpn/component.ts).
 */
export interface VpnConnectionModel {
  readonly id: string;
  readonly urn: string;
  readonly name: string;
  readonly vpnGatewayId: string | Unknown;
  readonly staticRoutesOnly: boolean;
  /** The `Office` tag (the config's office name). */
  readonly office?: string;
  readonly officeCidrs: AddrRange[];
  readonly routes: AddrRange[];
}

/**
 * A CloudFront distribution (the edge, infra/edge): not in a VPC. The internet reaches it on 443
 * (80 only redirects); it reaches its origins from the addresses of the CloudFront origin-facing
 * managed prefix list, which is how a security group admits it.
 */
export interface CdnDistribution {
  readonly urn: string;
  readonly name: string;
  readonly enabled: boolean | Unknown;
  /** The web ACL's ARN; undefined when none is attached. */
  readonly webAclId?: string | Unknown;
}

export interface NetworkModel {
  readonly vpcs: Map<string, Vpc>;
  readonly subnets: Map<string, Subnet>;
  readonly routeTables: Map<string, RouteTable>;
  readonly nacls: Map<string, Nacl>;
  readonly securityGroups: Map<string, SecurityGroup>;
  readonly peerings: Map<string, PeeringConnection>;
  readonly gatewayEndpoints: GatewayEndpoint[];
  readonly nodes: NetNode[];
  readonly igws: Map<string, { readonly urn: string; readonly vpcId: string | Unknown }>;
  /** Virtual private gateways and their VPN connections (the office VPN). */
  readonly vpnGateways: Map<string, VpnGateway>;
  readonly vpnConnections: Map<string, VpnConnectionModel>;
  /** Every resource by URN (for labels). */
  readonly byUrn: Map<string, ReachResource>;
  /** CloudFront distributions (the edge). @default [] */
  readonly distributions?: CdnDistribution[];
  /**
   * Managed prefix lists by id → name, as the security group rules that reference them declare it
   * (tag `PrefixList`, infra/app/alb.ts): an id differs per region and the plan holds no lookup
   * result, so the rule says which list it means. @default - none known
   */
  readonly prefixListNames?: Map<string, string>;
}

/** The name of the managed prefix list of CloudFront's origin-facing servers (VPC User Guide, "AWS-managed prefix lists"). */
export const CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing";

/** The ids of the CloudFront origin-facing prefix list that the model's rules reference. */
export function cloudFrontPrefixLists(m: NetworkModel): string[] {
  return [...(m.prefixListNames ?? new Map<string, string>()).entries()].filter(([, n]) => n === CLOUDFRONT_ORIGIN_FACING).map(([id]) => id);
}

// ---------------------------------------------------------------------------------------------
// Reading properties

type Props = Readonly<Record<string, unknown>>;

function isUnknown(v: unknown): v is Unknown {
  return v === UNKNOWN;
}

function str(p: Props, key: string): string | Unknown | undefined {
  const v = p[key];
  if (isUnknown(v)) return UNKNOWN;
  return typeof v === "string" && v !== "" ? v : undefined;
}

function num(p: Props, key: string): number | Unknown | undefined {
  const v = p[key];
  if (isUnknown(v)) return UNKNOWN;
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

function bool(p: Props, key: string): boolean | Unknown | undefined {
  const v = p[key];
  if (isUnknown(v)) return UNKNOWN;
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  return undefined;
}

function strings(p: Props, key: string): Array<string | Unknown> {
  const v = p[key];
  if (isUnknown(v)) return [UNKNOWN];
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is string => typeof x === "string" && x !== "");
}

function cidrOf(v: string | Unknown | undefined): AddrRange | Unknown | undefined {
  if (v === undefined) return undefined;
  if (isUnknown(v)) return UNKNOWN;
  return parseRange(v);
}

export function nameOfUrn(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/** IANA protocol number of "tcp" / "udp" / "icmp" / "-1" / "all" / a number. */
export function protocolNumber(v: unknown): number | Unknown {
  if (isUnknown(v)) return UNKNOWN;
  const s = String(v).toLowerCase();
  if (s === "-1" || s === "all") return -1;
  if (s === "tcp") return 6;
  if (s === "udp") return 17;
  if (s === "icmp") return 1;
  if (s === "icmpv6") return 58;
  return /^\d+$/.test(s) ? Number(s) : UNKNOWN;
}

/**
 * Ports of a rule. With protocol -1 (all traffic) AWS ignores the ports and the rule covers every
 * port (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html).
 */
function portsOf(protocol: number | Unknown, from: unknown, to: unknown): { fromPort: number; toPort: number } {
  if (protocol === -1 || (typeof protocol === "number" && protocol !== 6 && protocol !== 17)) return { fromPort: 0, toPort: 65535 };
  const f = typeof from === "number" ? from : Number(from);
  const t = typeof to === "number" ? to : Number(to);
  return { fromPort: Number.isFinite(f) ? f : 0, toPort: Number.isFinite(t) ? t : 65535 };
}

// ---------------------------------------------------------------------------------------------
// Building

// Short names for this module; the tokens themselves live once, in the pack's table (policies/lib/types.ts).
const T = {
  vpc: TYPES.vpc,
  subnet: TYPES.subnet,
  routeTable: TYPES.routeTable,
  defaultRouteTable: TYPES.defaultRouteTable,
  route: TYPES.route,
  rtAssoc: TYPES.routeTableAssociation,
  mainRtAssoc: TYPES.mainRouteTableAssociation,
  nacl: TYPES.networkAcl,
  defaultNacl: TYPES.defaultNetworkAcl,
  naclRule: TYPES.networkAclRule,
  naclAssoc: TYPES.networkAclAssociation,
  sg: TYPES.securityGroup,
  defaultSg: TYPES.defaultSecurityGroup,
  sgRule: TYPES.securityGroupRule,
  sgIngress: TYPES.securityGroupIngressRule,
  sgEgress: TYPES.securityGroupEgressRule,
  igw: TYPES.internetGateway,
  nat: TYPES.natGateway,
  instance: TYPES.instance,
  pcx: TYPES.vpcPeeringConnection,
  endpoint: TYPES.vpcEndpoint,
  lb: TYPES.loadBalancer,
  listener: TYPES.listener,
  ecsService: TYPES.ecsService,
  ecsTaskDefinition: TYPES.ecsTaskDefinition,
  stack: "pulumi:pulumi:Stack",
  rdsCluster: TYPES.rdsCluster,
  rdsInstance: TYPES.rdsClusterInstance,
  subnetGroup: TYPES.rdsSubnetGroup,
  asg: TYPES.autoscalingGroup,
  launchTemplate: TYPES.launchTemplate,
  vgw: TYPES.vpnGateway,
  vgwAttachment: TYPES.vpnGatewayAttachment,
  vpn: TYPES.vpnConnection,
  vpnRoute: TYPES.vpnConnectionRoute,
  vgwPropagation: TYPES.vpnGatewayRoutePropagation,
  cacheGroup: TYPES.elasticacheReplicationGroup,
  cacheSubnetGroup: TYPES.elasticacheSubnetGroup,
  cdn: TYPES.cloudfrontDistribution,
} as const;

export const REACH_TYPES = T;

/**
 * One-off tasks the engine places: the `Role` tag their task definition and security group carry
 * (policies/lib/ecs.ts RUN_TASK_ROLES) and the prefix of the stack outputs naming their subnets.
 */
export const RUN_TASKS: ReadonlyArray<{ readonly role: string; readonly outputPrefix: string }> = [{ role: "db-bootstrap", outputPrefix: "dbBootstrap" }];

function stackOfUrn(urn: string): string {
  return urn.split("::")[0].replace(/^urn:pulumi:/, "");
}

/** The rules of one inline block or `aws.ec2.SecurityGroupRule` (one per CIDR / group / prefix list). */
function blockRules(urn: string, label: string, direction: SgRule["direction"], p: Props, groupKey: string, selfId: string): SgRule[] {
  const protocol = protocolNumber(p.protocol);
  const { fromPort, toPort } = portsOf(protocol, p.fromPort, p.toPort);
  const base = { urn, direction, protocol, fromPort, toPort, label };
  const out: SgRule[] = [];
  for (const key of ["cidrBlocks", "ipv6CidrBlocks"]) {
    for (const c of strings(p, key)) {
      const range = cidrOf(c);
      if (range) out.push({ ...base, peer: range === UNKNOWN ? UNKNOWN : { cidr: range } });
    }
  }
  const groups = groupKey === "securityGroups" ? strings(p, groupKey) : ([str(p, groupKey)].filter((g) => g !== undefined) as Array<string | Unknown>);
  for (const g of groups) out.push({ ...base, peer: isUnknown(g) ? UNKNOWN : { group: g } });
  if (p.self === true) out.push({ ...base, peer: { group: selfId } });
  const pl = strings(p, "prefixListIds");
  for (const l of pl) out.push({ ...base, peer: isUnknown(l) ? UNKNOWN : { prefixList: l } });
  return out;
}

function idOf(r: ReachResource): string {
  return r.id ?? (typeof r.props.id === "string" ? r.props.id : r.urn);
}

/**
 * Builds the model from the resources of one or more documents. When a resource appears in two
 * documents (it should not), the first wins.
 */
export function buildModel(resources: readonly ReachResource[]): NetworkModel {
  const m: NetworkModel = {
    vpcs: new Map(),
    subnets: new Map(),
    routeTables: new Map(),
    nacls: new Map(),
    securityGroups: new Map(),
    peerings: new Map(),
    gatewayEndpoints: [],
    nodes: [],
    igws: new Map(),
    vpnGateways: new Map(),
    vpnConnections: new Map(),
    byUrn: new Map(),
    distributions: [],
    prefixListNames: new Map(),
  };
  const of = (...types: string[]) => resources.filter((r) => types.includes(r.type));
  for (const r of resources) if (!m.byUrn.has(r.urn)) m.byUrn.set(r.urn, r);

  for (const r of of(T.vpc)) {
    const p = r.props;
    const defaultNaclId = str(p, "defaultNetworkAclId");
    const mainRouteTableId = str(p, "mainRouteTableId") ?? str(p, "defaultRouteTableId");
    m.vpcs.set(idOf(r), {
      id: idOf(r),
      urn: r.urn,
      name: nameOfUrn(r.urn),
      cidr: cidrOf(str(p, "cidrBlock")) ?? UNKNOWN,
      ...(defaultNaclId && !isUnknown(defaultNaclId) ? { defaultNaclId } : {}),
      ...(mainRouteTableId && !isUnknown(mainRouteTableId) ? { mainRouteTableId } : {}),
    });
  }
  for (const r of of(T.igw)) m.igws.set(idOf(r), { urn: r.urn, vpcId: str(r.props, "vpcId") ?? UNKNOWN });

  for (const r of of(T.subnet)) {
    const p = r.props;
    m.subnets.set(idOf(r), {
      id: idOf(r),
      urn: r.urn,
      name: nameOfUrn(r.urn),
      vpcId: str(p, "vpcId") ?? UNKNOWN,
      cidr: cidrOf(str(p, "cidrBlock")) ?? UNKNOWN,
      az: str(p, "availabilityZone") ?? UNKNOWN,
    });
  }

  // Route tables, with their inline routes (`routes` of RouteTable / DefaultRouteTable).
  for (const r of of(T.routeTable, T.defaultRouteTable)) {
    const id = r.type === T.defaultRouteTable ? (str(r.props, "defaultRouteTableId") ?? idOf(r)) : idOf(r);
    const table: RouteTable = { id: id as string, urn: r.urn, name: nameOfUrn(r.urn), vpcId: str(r.props, "vpcId") ?? UNKNOWN, routes: [] };
    const inline = r.props.routes;
    if (Array.isArray(inline)) for (const route of inline) table.routes.push(routeOf(r.urn, route as Props));
    m.routeTables.set(table.id, table);
  }
  // The VPC's main route table, when no resource manages it: only the local route.
  for (const vpc of m.vpcs.values()) {
    if (vpc.mainRouteTableId && !m.routeTables.has(vpc.mainRouteTableId)) {
      m.routeTables.set(vpc.mainRouteTableId, { id: vpc.mainRouteTableId, urn: vpc.urn, name: `${vpc.name} (main route table)`, vpcId: vpc.id, routes: [] });
    }
  }
  for (const r of of(T.route)) {
    const rt = str(r.props, "routeTableId");
    const table = rt && !isUnknown(rt) ? m.routeTables.get(rt) : undefined;
    if (table) table.routes.push(routeOf(r.urn, r.props));
  }
  for (const r of of(T.endpoint)) {
    const p = r.props;
    const type = String(p.vpcEndpointType ?? "Gateway");
    if (type !== "Gateway") continue;
    const service = String(p.serviceName ?? "");
    const prefixList = typeof p.prefixListId === "string" ? p.prefixListId : `pl-${service}`;
    const gw: GatewayEndpoint = { id: idOf(r), urn: r.urn, name: nameOfUrn(r.urn), service, prefixList, routeTableIds: strings(p, "routeTableIds") };
    m.gatewayEndpoints.push(gw);
    // A gateway endpoint adds a route for the service's prefix list to each table it is
    // associated with (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html).
    for (const rt of gw.routeTableIds) {
      const table = !isUnknown(rt) ? m.routeTables.get(rt) : undefined;
      table?.routes.push({ urn: r.urn, destination: { prefixList }, target: { kind: "gateway-endpoint", id: gw.id } });
    }
  }
  buildVpn(m, resources);
  for (const r of of(T.rtAssoc)) {
    const subnet = str(r.props, "subnetId");
    const s = subnet && !isUnknown(subnet) ? m.subnets.get(subnet) : undefined;
    if (s) s.routeTableId = str(r.props, "routeTableId") ?? UNKNOWN;
  }

  // Network ACLs: inline entries, standalone entries, associations (inline `subnetIds` too).
  for (const r of of(T.nacl, T.defaultNacl)) {
    const id = r.type === T.defaultNacl ? (str(r.props, "defaultNetworkAclId") ?? idOf(r)) : idOf(r);
    const nacl: Nacl = { id: id as string, urn: r.urn, name: nameOfUrn(r.urn), entries: [] };
    for (const [key, egress] of [["ingress", false], ["egress", true]] as const) {
      const inline = r.props[key];
      if (Array.isArray(inline)) for (const e of inline) nacl.entries.push(naclEntryOf(r.urn, e as Props, egress, "ruleNo", "action"));
    }
    m.nacls.set(nacl.id, nacl);
    for (const s of strings(r.props, "subnetIds")) {
      const subnet = !isUnknown(s) ? m.subnets.get(s) : undefined;
      if (subnet) subnet.naclId = nacl.id;
    }
  }
  // The VPC's default NACL, when no resource manages it, admits all traffic both ways (rule 100)
  // (https://docs.aws.amazon.com/vpc/latest/userguide/default-network-acl.html).
  for (const vpc of m.vpcs.values()) {
    if (vpc.defaultNaclId && !m.nacls.has(vpc.defaultNaclId)) {
      const all = (egress: boolean): NaclEntry => ({ urn: vpc.urn, ruleNumber: 100, egress, protocol: -1, action: "allow", cidr: INTERNET, fromPort: 0, toPort: 65535 });
      m.nacls.set(vpc.defaultNaclId, { id: vpc.defaultNaclId, urn: vpc.urn, name: `${vpc.name} (default network ACL)`, entries: [all(false), all(true)], implicitDefault: true });
    }
  }
  for (const r of of(T.naclRule)) {
    const acl = str(r.props, "networkAclId");
    const nacl = acl && !isUnknown(acl) ? m.nacls.get(acl) : undefined;
    if (nacl) nacl.entries.push(naclEntryOf(r.urn, r.props, bool(r.props, "egress") === true, "ruleNumber", "ruleAction"));
  }
  for (const r of of(T.naclAssoc)) {
    const subnet = str(r.props, "subnetId");
    const s = subnet && !isUnknown(subnet) ? m.subnets.get(subnet) : undefined;
    if (s) s.naclId = str(r.props, "networkAclId") ?? UNKNOWN;
  }
  for (const s of m.subnets.values()) {
    const vpc = isUnknown(s.vpcId) ? undefined : m.vpcs.get(s.vpcId);
    s.naclId ??= vpc?.defaultNaclId ?? UNKNOWN;
    s.routeTableId ??= vpc?.mainRouteTableId ?? UNKNOWN;
  }

  // Security groups. `aws.ec2.SecurityGroup` without `egress` has none: AWS creates an allow-all
  // egress rule, but the provider removes it on create ("NOTE on Egress rules",
  // https://www.pulumi.com/registry/packages/aws/api-docs/ec2/securitygroup/), so only the rules
  // in the document exist. The adopted default group likewise keeps only its inline rules.
  for (const r of of(T.sg, T.defaultSg)) {
    const id = idOf(r);
    const sg: SecurityGroup = { id, urn: r.urn, name: nameOfUrn(r.urn), vpcId: str(r.props, "vpcId") ?? UNKNOWN, rules: [] };
    for (const direction of ["ingress", "egress"] as const) {
      const inline = r.props[direction];
      if (Array.isArray(inline)) {
        inline.forEach((e, i) => sg.rules.push(...blockRules(r.urn, `${direction}[${i}]`, direction, e as Props, "securityGroups", id)));
      }
    }
    m.securityGroups.set(id, sg);
  }
  for (const r of of(T.sgRule, T.sgIngress, T.sgEgress)) {
    const p = r.props;
    const groupId = str(p, "securityGroupId");
    const sg = groupId && !isUnknown(groupId) ? m.securityGroups.get(groupId) : undefined;
    if (!sg) continue;
    const label = nameOfUrn(r.urn);
    if (r.type === T.sgRule) {
      const direction = p.type === "egress" ? "egress" : "ingress";
      sg.rules.push(...blockRules(r.urn, label, direction, p, "sourceSecurityGroupId", sg.id));
      continue;
    }
    const direction = r.type === T.sgIngress ? "ingress" : "egress";
    const protocol = protocolNumber(p.ipProtocol);
    const { fromPort, toPort } = portsOf(protocol, p.fromPort, p.toPort);
    const cidr = str(p, "cidrIpv4") ?? str(p, "cidrIpv6");
    const group = str(p, "referencedSecurityGroupId");
    const pl = str(p, "prefixListId");
    let peer: SgPeer = UNKNOWN;
    if (cidr !== undefined) peer = isUnknown(cidr) ? UNKNOWN : parseRange(cidr) ? { cidr: parseRange(cidr) as AddrRange } : UNKNOWN;
    else if (group !== undefined) peer = isUnknown(group) ? UNKNOWN : { group: referencedGroupId(group) };
    else if (pl !== undefined) peer = isUnknown(pl) ? UNKNOWN : { prefixList: pl };
    sg.rules.push({ urn: r.urn, direction, protocol, fromPort, toPort, peer, label });
    const plName = (p.tags as Record<string, unknown> | undefined)?.PrefixList;
    if (typeof pl === "string" && typeof plName === "string") m.prefixListNames?.set(pl, plName);
  }

  for (const r of of(T.cdn)) {
    const p = r.props;
    const enabled = bool(p, "enabled");
    m.distributions?.push({ urn: r.urn, name: nameOfUrn(r.urn), enabled: enabled ?? true, webAclId: str(p, "webAclId") });
  }

  for (const r of of(T.pcx)) {
    const p = r.props;
    m.peerings.set(idOf(r), {
      id: idOf(r),
      urn: r.urn,
      name: nameOfUrn(r.urn),
      vpcId: str(p, "vpcId") ?? UNKNOWN,
      peerVpcId: str(p, "peerVpcId") ?? UNKNOWN,
      crossRegion: typeof p.peerRegion === "string" && p.peerRegion !== "",
    });
  }

  buildNodes(m, resources);
  return m;
}

/**
 * The office VPN: gateways, connections, their static routes, and the routes each propagation
 * writes into its route table. A virtual private gateway propagates into a table every route it
 * knows for its connections: the static routes of static connections and the prefixes learnt over
 * BGP ("Route propagation", https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNRoutingTypes.html).
 * A gateway attaches to one VPC, given as the gateway's `vpcId` or a VpnGatewayAttachment.
 */
function buildVpn(m: NetworkModel, resources: readonly ReachResource[]): void {
  const of = (type: string) => resources.filter((r) => r.type === type);
  for (const r of of(T.vgw)) m.vpnGateways.set(idOf(r), { id: idOf(r), urn: r.urn, name: nameOfUrn(r.urn), vpcId: str(r.props, "vpcId") ?? UNKNOWN });
  for (const r of of(T.vgwAttachment)) {
    const gw = str(r.props, "vpnGatewayId");
    const g = gw && !isUnknown(gw) ? m.vpnGateways.get(gw) : undefined;
    if (g) m.vpnGateways.set(g.id, { ...g, vpcId: str(r.props, "vpcId") ?? UNKNOWN });
  }
  for (const r of of(T.vpn)) {
    const p = r.props;
    const tags = (p.tags ?? {}) as Record<string, unknown>;
    const officeCidrs = typeof tags.OfficeCidrs === "string" ? tags.OfficeCidrs.split(/\s+/).map((c) => parseRange(c)).filter((c): c is AddrRange => c !== undefined) : [];
    const staticRoutesOnly = bool(p, "staticRoutesOnly") === true;
    m.vpnConnections.set(idOf(r), {
      id: idOf(r),
      urn: r.urn,
      name: nameOfUrn(r.urn),
      vpnGatewayId: str(p, "vpnGatewayId") ?? UNKNOWN,
      staticRoutesOnly,
      ...(typeof tags.Office === "string" ? { office: tags.Office } : {}),
      officeCidrs,
      routes: staticRoutesOnly ? [] : [...officeCidrs],
    });
  }
  for (const r of of(T.vpnRoute)) {
    const conn = str(r.props, "vpnConnectionId");
    const c = conn && !isUnknown(conn) ? m.vpnConnections.get(conn) : undefined;
    const range = cidrOf(str(r.props, "destinationCidrBlock"));
    if (c && c.staticRoutesOnly && range && !isUnknown(range)) c.routes.push(range);
  }
  for (const r of of(T.vgwPropagation)) {
    const gw = str(r.props, "vpnGatewayId");
    const rt = str(r.props, "routeTableId");
    const table = rt && !isUnknown(rt) ? m.routeTables.get(rt) : undefined;
    if (!table || !gw || isUnknown(gw)) continue;
    for (const c of m.vpnConnections.values()) {
      if (c.vpnGatewayId !== gw) continue;
      for (const cidr of c.routes) table.routes.push({ urn: r.urn, destination: { cidr }, target: { kind: "vgw", id: gw }, propagated: true });
    }
  }
}

function routeOf(urn: string, p: Props): Route {
  const cidr = str(p, "destinationCidrBlock") ?? str(p, "cidrBlock") ?? str(p, "destinationIpv6CidrBlock") ?? str(p, "ipv6CidrBlock");
  const pl = str(p, "destinationPrefixListId");
  const destination: Route["destination"] =
    cidr !== undefined
      ? isUnknown(cidr)
        ? UNKNOWN
        : parseRange(cidr)
          ? { cidr: parseRange(cidr) as AddrRange }
          : UNKNOWN
      : pl !== undefined && !isUnknown(pl)
        ? { prefixList: pl }
        : UNKNOWN;
  const targets: Array<[string, RouteTargetKind]> = [
    ["gatewayId", "igw"],
    ["natGatewayId", "nat-gateway"],
    ["networkInterfaceId", "eni"],
    ["instanceId", "instance"],
    ["vpcPeeringConnectionId", "pcx"],
    ["vpcEndpointId", "gateway-endpoint"],
    ["transitGatewayId", "other"],
    ["egressOnlyGatewayId", "other"],
  ];
  for (const [key, kind] of targets) {
    const v = str(p, key);
    if (v === undefined) continue;
    if (isUnknown(v)) return { urn, destination, target: { kind, id: UNKNOWN } };
    // `gatewayId` also takes "local" and virtual private gateways; only igw-… is an internet gateway.
    if (key === "gatewayId") return { urn, destination, target: { kind: v === "local" ? "local" : v.startsWith("vgw-") ? "vgw" : "igw", id: v } };
    return { urn, destination, target: { kind, id: v } };
  }
  return { urn, destination, target: { kind: "other", id: UNKNOWN } };
}

function naclEntryOf(urn: string, p: Props, egress: boolean, numberKey: string, actionKey: string): NaclEntry {
  const protocol = protocolNumber(p.protocol);
  const { fromPort, toPort } = portsOf(protocol, p.fromPort, p.toPort);
  const n = num(p, numberKey);
  const cidr = str(p, "cidrBlock") ?? str(p, "ipv6CidrBlock");
  return {
    urn,
    ruleNumber: typeof n === "number" ? n : 0,
    egress,
    protocol,
    action: String(p[actionKey] ?? "deny").toLowerCase() === "allow" ? "allow" : "deny",
    cidr: cidr === undefined || isUnknown(cidr) ? UNKNOWN : (parseRange(cidr) ?? UNKNOWN),
    fromPort,
    toPort,
  };
}

function buildNodes(m: NetworkModel, resources: readonly ReachResource[]): void {
  const of = (...types: readonly string[]) => resources.filter((r) => types.includes(r.type));
  const byId = new Map<string, ReachResource>();
  for (const r of resources) byId.set(idOf(r), r);

  // ALBs: interfaces in each of their subnets, their groups; ports are their listeners'.
  for (const lb of of(...T.lb)) {
    const p = lb.props;
    const arn = typeof p.arn === "string" && p.arn !== UNKNOWN ? p.arn : idOf(lb);
    const listeners = of(...T.listener).filter((l) => l.props.loadBalancerArn === arn || l.props.loadBalancerArn === idOf(lb));
    const internal = bool(p, "internal");
    m.nodes.push({
      key: `alb:${nameOfUrn(lb.urn)}`,
      kind: "alb",
      label: `load balancer ${nameOfUrn(lb.urn)}`,
      urn: lb.urn,
      subnetIds: strings(p, "subnets"),
      securityGroupIds: strings(p, "securityGroups"),
      // An internet-facing load balancer's nodes have public addresses; an internal one's do not
      // (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-scheme).
      publicIp: internal === undefined ? true : isUnknown(internal) ? UNKNOWN : !internal,
      ports: listeners.map((l) => num(l.props, "port")).filter((n): n is number => typeof n === "number"),
      routeIds: [],
      parts: [lb.urn, ...listeners.map((l) => l.urn)],
    });
  }

  // ECS services in awsvpc mode: each task's ENI is in one of the service's subnets.
  for (const svc of of(T.ecsService)) {
    const p = svc.props;
    const net = (p.networkConfiguration ?? {}) as Props;
    const lbs = Array.isArray(p.loadBalancers) ? (p.loadBalancers as Props[]) : [];
    const assign = bool(net, "assignPublicIp");
    m.nodes.push({
      key: `service:${String(p.name ?? nameOfUrn(svc.urn))}`,
      kind: "service",
      label: `ECS service ${String(p.name ?? nameOfUrn(svc.urn))}`,
      urn: svc.urn,
      subnetIds: strings(net, "subnets"),
      securityGroupIds: strings(net, "securityGroups"),
      publicIp: assign === undefined ? false : assign,
      ports: lbs.map((l) => num(l, "containerPort")).filter((n): n is number => typeof n === "number"),
      routeIds: [],
      service: String(p.name ?? nameOfUrn(svc.urn)),
      parts: [svc.urn],
    });
  }

  // One-off tasks (`aws ecs run-task`): a task definition no service runs, tagged with a
  // RUN_TASK_ROLES role. Nothing in the stack places them; the deploy workflow starts them in the
  // subnets and group the stack exports for that (`<output prefix>SubnetIds` /
  // `<output prefix>SecurityGroupId`, infra/app/tier.ts), with `assignPublicIp=DISABLED`
  // (docs/database.md, "Running it"). The group is the one carrying the same Role tag (as
  // policies/lib/ecs.ts runTaskSecurityGroups trusts it); the subnets are the exported ones when
  // the document holds the stack's outputs (a `pulumi stack export`, a `platform plan`), else the
  // private tier of the group's VPC (what the program exports: network.privateSubnetIds).
  const stackRoots = of(T.stack);
  const services = of(T.ecsService);
  for (const td of of(T.ecsTaskDefinition)) {
    const role = ((td.props.tags ?? {}) as Props).Role;
    const task = RUN_TASKS.find((t) => t.role === role);
    if (!task) continue;
    const stack = stackOfUrn(td.urn);
    const refs = [idOf(td), td.props.arn, td.props.family].filter((x) => typeof x === "string" && x !== UNKNOWN);
    if (services.some((s) => stackOfUrn(s.urn) === stack && refs.includes(s.props.taskDefinition as string))) continue;
    const groups = of(T.sg).filter((g) => stackOfUrn(g.urn) === stack && ((g.props.tags ?? {}) as Props).Role === task.role);
    const root = stackRoots.find((r) => stackOfUrn(r.urn) === stack);
    const outputs = (root?.props ?? {}) as Props;
    // An output not known yet (a preview) says nothing: the private tier stands in for it, so the
    // task's intents are still checked rather than silently dropped.
    const listed = `${task.outputPrefix}SubnetIds` in outputs ? strings(outputs, `${task.outputPrefix}SubnetIds`) : [];
    const exported = listed.length > 0 && !listed.includes(UNKNOWN) ? listed : undefined;
    const vpcs = new Set(groups.map((g) => g.props.vpcId));
    const privateTier = of(T.subnet)
      .filter((s) => stackOfUrn(s.urn) === stack && vpcs.has(s.props.vpcId) && ((s.props.tags ?? {}) as Props).Tier === "private")
      .map((s) => idOf(s));
    m.nodes.push({
      key: `task:${task.role}`,
      kind: "task",
      label: `one-off task ${task.role}`,
      urn: td.urn,
      subnetIds: exported ?? (privateTier.length > 0 ? privateTier : [UNKNOWN]),
      securityGroupIds: groups.length > 0 ? groups.map((g) => idOf(g)) : [UNKNOWN],
      publicIp: false,
      ports: [],
      routeIds: [],
      service: task.role,
      parts: [td.urn, ...groups.map((g) => g.urn), ...(exported && root ? [root.urn] : [])],
    });
  }

  // Aurora: instances in the subnet group's subnets, the cluster's groups and port; public only
  // when an instance is publicly accessible.
  for (const cluster of of(T.rdsCluster)) {
    const p = cluster.props;
    const groupName = str(p, "dbSubnetGroupName");
    const group = of(T.subnetGroup).find((g) => (g.props.name === groupName && groupName !== UNKNOWN) || idOf(g) === groupName);
    const ident = typeof p.clusterIdentifier === "string" && p.clusterIdentifier !== UNKNOWN ? p.clusterIdentifier : idOf(cluster);
    const instances = of(T.rdsInstance).filter((i) => i.props.clusterIdentifier === ident || i.props.clusterIdentifier === idOf(cluster));
    const publics = instances.map((i) => bool(i.props, "publiclyAccessible"));
    const port = num(p, "port");
    m.nodes.push({
      key: `database:${nameOfUrn(cluster.urn)}`,
      kind: "database",
      label: `Aurora cluster ${String(ident)}`,
      urn: cluster.urn,
      subnetIds: group ? strings(group.props, "subnetIds") : [UNKNOWN],
      securityGroupIds: strings(p, "vpcSecurityGroupIds"),
      publicIp: publics.includes(UNKNOWN) ? UNKNOWN : publics.some((x) => x === true),
      ports: typeof port === "number" ? [port] : String(p.engine ?? "").includes("mysql") ? [3306] : [5432],
      routeIds: [],
      parts: [cluster.urn, ...(group ? [group.urn] : []), ...instances.map((i) => i.urn)],
    });
  }

  // ElastiCache replication groups (the session store): nodes in the subnet group's subnets (the
  // primary may be in any of them and moves on failover), the group's security groups and port.
  // ElastiCache nodes never have public addresses.
  for (const rg of of(T.cacheGroup)) {
    const p = rg.props;
    const groupName = str(p, "subnetGroupName");
    const group = of(T.cacheSubnetGroup).find((g) => (g.props.name === groupName && groupName !== UNKNOWN) || idOf(g) === groupName);
    const port = num(p, "port");
    const ident = typeof p.replicationGroupId === "string" && p.replicationGroupId !== UNKNOWN ? p.replicationGroupId : nameOfUrn(rg.urn);
    m.nodes.push({
      key: `cache:${nameOfUrn(rg.urn)}`,
      kind: "cache",
      label: `ElastiCache ${String(ident)}`,
      urn: rg.urn,
      subnetIds: group ? strings(group.props, "subnetIds") : [UNKNOWN],
      securityGroupIds: strings(p, "securityGroupIds"),
      publicIp: false,
      ports: [typeof port === "number" ? port : 6379],
      routeIds: [],
      parts: [rg.urn, ...(group ? [group.urn] : [])],
    });
  }

  // Interface endpoints: an ENI per subnet, HTTPS (PrivateLink endpoints accept TCP only).
  for (const ep of of(T.endpoint)) {
    const p = ep.props;
    if (String(p.vpcEndpointType ?? "Gateway") !== "Interface") continue;
    const service = String(p.serviceName ?? "").split(".").slice(3).join(".") || String(p.serviceName ?? "");
    m.nodes.push({
      key: `endpoint:${service}`,
      kind: "endpoint",
      label: `interface endpoint ${service}`,
      urn: ep.urn,
      subnetIds: strings(p, "subnetIds"),
      securityGroupIds: strings(p, "securityGroupIds"),
      publicIp: false,
      ports: [443],
      routeIds: [],
      service,
      parts: [ep.urn],
    });
  }

  // NAT gateways (public): no security group, an Elastic IP.
  for (const nat of of(T.nat)) {
    const p = nat.props;
    const connectivity = String(p.connectivityType ?? "public");
    const ids = [idOf(nat), ...(typeof p.networkInterfaceId === "string" ? [p.networkInterfaceId] : [])];
    m.nodes.push({
      key: `nat:${nameOfUrn(nat.urn)}`,
      kind: "nat-gateway",
      label: `NAT gateway ${nameOfUrn(nat.urn)}`,
      urn: nat.urn,
      subnetIds: [str(p, "subnetId") ?? UNKNOWN],
      securityGroupIds: [],
      publicIp: connectivity === "public",
      ports: [],
      routeIds: ids,
      parts: [nat.urn],
    });
  }

  // EC2 instances (NAT instances, anything else standalone).
  for (const inst of of(T.instance)) {
    const p = inst.props;
    const tags = (p.tags ?? {}) as Props;
    const nat = tags.Role === "nat" || bool(p, "sourceDestCheck") === false;
    const pub = bool(p, "associatePublicIpAddress");
    m.nodes.push({
      key: `${nat ? "nat-instance" : "instance"}:${nameOfUrn(inst.urn)}`,
      kind: nat ? "nat-instance" : "instance",
      label: `${nat ? "NAT instance" : "instance"} ${nameOfUrn(inst.urn)}`,
      urn: inst.urn,
      subnetIds: [str(p, "subnetId") ?? UNKNOWN],
      securityGroupIds: [...strings(p, "vpcSecurityGroupIds"), ...strings(p, "securityGroups")],
      publicIp: pub === undefined ? false : pub,
      ports: [],
      sourceDestCheck: bool(p, "sourceDestCheck") ?? true,
      routeIds: [idOf(inst), ...(typeof p.primaryNetworkInterfaceId === "string" ? [p.primaryNetworkInterfaceId] : [])],
      parts: [inst.urn],
    });
  }

  // Auto scaling groups (the bastion): subnets from the group, interface settings from the
  // launch template it launches from.
  for (const asg of of(T.asg)) {
    const p = asg.props;
    const ltRef = (p.launchTemplate ?? {}) as Props;
    const lt = typeof ltRef.id === "string" ? byId.get(ltRef.id) : undefined;
    const nics = lt && Array.isArray(lt.props.networkInterfaces) ? (lt.props.networkInterfaces as Props[]) : [];
    const nic = nics[0] ?? {};
    const groups = [...strings(nic, "securityGroups"), ...(lt ? strings(lt.props, "vpcSecurityGroupIds") : [])];
    const pub = bool(nic, "associatePublicIpAddress");
    const name = nameOfUrn(asg.urn).replace(/-asg$/, "");
    m.nodes.push({
      key: `${/bastion/.test(name) ? "bastion" : "asg"}:${name}`,
      kind: /bastion/.test(name) ? "bastion" : "instance",
      label: `${/bastion/.test(name) ? "bastion" : "instances of"} ${name}`,
      urn: asg.urn,
      subnetIds: strings(p, "vpcZoneIdentifiers"),
      securityGroupIds: lt ? groups : [UNKNOWN],
      publicIp: pub === undefined ? false : pub,
      ports: [22],
      routeIds: [],
      parts: [asg.urn, ...(lt ? [lt.urn] : [])],
    });
  }
}

/** Resources of a `pulumi stack export` document (or a `platform plan` one), props = inputs + outputs. */
export function resourcesOfDocument(doc: { readonly deployment?: { readonly resources?: ReadonlyArray<object> } }): ReachResource[] {
  const out: ReachResource[] = [];
  for (const res of doc.deployment?.resources ?? []) {
    const r = res as Record<string, unknown>;
    if (r.delete === true) continue;
    const inputs = (r.inputs ?? {}) as Record<string, unknown>;
    const outputs = (r.outputs ?? {}) as Record<string, unknown>;
    out.push({ urn: String(r.urn), type: String(r.type), ...(typeof r.id === "string" && r.id !== "" ? { id: r.id } : {}), props: { ...inputs, ...outputs } });
  }
  return out;
}
