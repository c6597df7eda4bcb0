import {
  AddrRange,
  CdnDistribution,
  INTERNET,
  Nacl,
  NetNode,
  NetworkModel,
  Route,
  RouteTable,
  SecurityGroup,
  Subnet,
  UNKNOWN,
  Unknown,
  isPrivateRange,
  nameOfUrn,
  prefixLength,
  rangeContains,
  rangeOverlaps,
} from "./model";

/**
 * The evaluator: one TCP flow, hop by hop, under AWS's rules, the way Reachability Analyzer
 * explains a path (https://docs.aws.amazon.com/vpc/latest/reachability/explanation-codes.html).
 * Pure and deterministic.
 *
 * Verdicts: "allow" when every hop admits the flow and its replies; "deny" with the first hop that
 * drops it (`blockedBy`); "unknown" when a hop depends on a value the plan does not know yet and
 * nothing before it denies. An unknown is never reported as an allow.
 */

export type Verdict = "allow" | "deny" | "unknown";

/** Where a flow starts or ends. */
export type Endpoint =
  | { readonly kind: "node"; readonly node: NetNode; readonly subnetId: string }
  /**
   * An address on the internet; `cidr` narrows it (office ranges), else any address.
   * `prefixLists`: managed prefix lists that hold its addresses (CloudFront's origin-facing
   * servers are internet addresses a prefix-list rule admits; the rest of the internet is not in it).
   */
  | { readonly kind: "internet"; readonly cidr?: AddrRange; readonly label?: string; readonly prefixLists?: readonly string[] }
  /** A CloudFront distribution: reached from the internet at the edge, outside any VPC. */
  | { readonly kind: "cdn"; readonly distribution: CdnDistribution; readonly label: string }
  /** An AWS service reached through a gateway endpoint (S3, DynamoDB). */
  | { readonly kind: "service"; readonly service: string; readonly label: string }
  /** A bare address range (another environment's tier), with no resource in the documents. */
  | { readonly kind: "address"; readonly cidr: AddrRange; readonly label: string }
  /**
   * Addresses behind a site-to-site VPN connection (an office), arriving through its virtual
   * private gateway. `cidr` is the source range: an office range, or any address (what the
   * internet could try through the tunnel).
   */
  | { readonly kind: "office"; readonly cidr: AddrRange; readonly label: string; readonly connectionId: string };

export interface Hop {
  readonly component: string;
  readonly urn?: string;
  readonly verdict: Verdict;
  readonly detail: string;
}

export interface FlowResult {
  readonly result: Verdict;
  readonly path: Hop[];
  readonly blockedBy?: { readonly urn: string; readonly detail: string };
}

export interface Flow {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly port: number;
  /** TCP only: every intent of the platform is TCP. */
  readonly protocol?: "tcp";
}

const TCP = 6;

/**
 * Ephemeral (source) port ranges of clients, for the stateless return path
 * (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html): Linux kernels,
 * Amazon Linux included, use 32768–61000; NAT gateways and Elastic Load Balancing use 1024–65535;
 * an internet client may use any of 1024–65535.
 */
export const EPHEMERAL = {
  linux: { from: 32768, to: 61000 },
  any: { from: 1024, to: 65535 },
} as const;

/**
 * Ports a return path may leave closed without failing the flow: the admin ports the project's
 * NACL planner deliberately steps around in "ephemeral from anywhere" rules (infra/network/nacl.ts:
 * a reply landing on source port 3389 is rare, and Security Hub EC2.21 forbids admitting it).
 */
export const TOLERATED_RETURN_GAPS: readonly number[] = [22, 3389];

function ephemeralOf(e: Endpoint): { from: number; to: number } {
  if (e.kind !== "node") return EPHEMERAL.any;
  return e.node.kind === "alb" || e.node.kind === "nat-gateway" ? EPHEMERAL.any : EPHEMERAL.linux;
}

const isUnknown = (v: unknown): v is Unknown => v === UNKNOWN;

export function endpointLabel(e: Endpoint): string {
  switch (e.kind) {
    case "node":
      return e.node.label;
    case "internet":
      return e.label ?? (e.cidr ? `internet (${e.cidr.text})` : "internet");
    case "service":
      return e.label;
    case "address":
      return e.label;
    case "office":
    case "cdn":
      return e.label;
  }
}

// ---------------------------------------------------------------------------------------------
// Network ACLs

interface Span {
  readonly from: number;
  readonly to: number;
}

/**
 * NACL evaluation of traffic leaving (egress) or entering (ingress) a subnet: entries in
 * ascending rule number, the first whose protocol, CIDR and ports match decides, and traffic no
 * entry matches hits the implicit deny (rule `*`)
 * (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html).
 *
 * `peer` is the other end's address range (the ENI sits anywhere in its subnet): an allow entry
 * decides only if its CIDR covers the whole range, a deny entry as soon as it overlaps it (the
 * cautious reading of "some addresses of the subnet"). Ports are a span (the return path's
 * ephemeral range); the answer lists which ports end denied and by what.
 */
export function evaluateNacl(
  nacl: Nacl,
  egress: boolean,
  peer: AddrRange,
  ports: Span,
): { verdict: Verdict; denied: Array<{ span: Span; by: string; rule: string }>; unknownRule?: number; matched: string[] } {
  const entries = nacl.entries.filter((e) => e.egress === egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
  let open: Span[] = [ports];
  const denied: Array<{ span: Span; by: string; rule: string }> = [];
  const matched: string[] = [];
  for (const e of entries) {
    if (open.length === 0) break;
    if (isUnknown(e.protocol) || isUnknown(e.cidr)) {
      return { verdict: "unknown", denied, unknownRule: e.ruleNumber, matched };
    }
    if (e.protocol !== -1 && e.protocol !== TCP) continue;
    const applies = e.action === "allow" ? rangeContains(e.cidr, peer) : rangeOverlaps(e.cidr, peer);
    if (!applies) continue;
    const next: Span[] = [];
    for (const s of open) {
      const lo = Math.max(s.from, e.fromPort);
      const hi = Math.min(s.to, e.toPort);
      if (lo > hi) {
        next.push(s);
        continue;
      }
      const rule = `rule ${e.ruleNumber} (${e.action} ${e.cidr.text} ${e.protocol === -1 ? "all" : "tcp"} ${e.fromPort === e.toPort ? e.fromPort : `${e.fromPort}-${e.toPort}`})`;
      if (e.action === "deny") denied.push({ span: { from: lo, to: hi }, by: e.urn, rule });
      else matched.push(rule);
      if (s.from < lo) next.push({ from: s.from, to: lo - 1 });
      if (hi < s.to) next.push({ from: hi + 1, to: s.to });
    }
    open = next;
  }
  for (const s of open) denied.push({ span: s, by: nacl.urn, rule: "rule * (implicit deny: no rule matches)" });
  return { verdict: denied.length === 0 ? "allow" : "deny", denied, matched };
}

function spanText(s: Span): string {
  return s.from === s.to ? String(s.from) : `${s.from}-${s.to}`;
}

function naclHop(m: NetworkModel, subnet: Subnet, egress: boolean, peer: AddrRange, peerLabel: string, ports: Span, why: string): Hop {
  const naclId = subnet.naclId;
  const dir = egress ? "outbound" : "inbound";
  if (naclId === undefined || isUnknown(naclId)) {
    return { component: `network ACL of ${subnet.name}`, urn: subnet.urn, verdict: "unknown", detail: `${dir} ${why}: the subnet's network ACL is not known yet` };
  }
  const nacl = m.nacls.get(naclId);
  if (!nacl) return { component: `network ACL ${naclId}`, urn: subnet.urn, verdict: "unknown", detail: `${dir} ${why}: network ACL ${naclId} is not in the documents` };
  const r = evaluateNacl(nacl, egress, peer, ports);
  const component = `network ACL ${nacl.name} (${subnet.name})`;
  const what = `${dir} ${why} ${egress ? "to" : "from"} ${peerLabel} (${peer.text}) tcp ${spanText(ports)}`;
  if (r.verdict === "unknown") return { component, urn: nacl.urn, verdict: "unknown", detail: `${what}: rule ${r.unknownRule} is not known yet` };
  if (r.verdict === "allow") return { component, urn: nacl.urn, verdict: "allow", detail: `${what}: ${r.matched.join(", ")}` };
  // Gaps only on tolerated admin ports of a span (return path): allowed, with the gap named.
  const realGaps = r.denied.filter((d) => !(ports.from !== ports.to && d.span.from === d.span.to && TOLERATED_RETURN_GAPS.includes(d.span.from)));
  if (realGaps.length === 0) {
    return { component, urn: nacl.urn, verdict: "allow", detail: `${what}: ${r.matched.join(", ")}; port ${r.denied.map((d) => spanText(d.span)).join(", ")} stepped around on purpose` };
  }
  const first = realGaps[0];
  return { component, urn: first.by, verdict: "deny", detail: `${what}: ports ${realGaps.map((d) => spanText(d.span)).join(", ")} denied by ${first.rule} of ${nacl.name}` };
}

// ---------------------------------------------------------------------------------------------
// Security groups

/** What the other end of an SG check looks like: its address range and its groups. */
interface Peer {
  readonly range: AddrRange;
  readonly groups: ReadonlyArray<string | Unknown>;
  readonly prefixLists: readonly string[];
  readonly label: string;
  /** Group references do not work across a cross-region peering. */
  readonly groupsVisible: boolean;
}

/**
 * Security groups are stateful and allow-only: traffic passes if any rule of any group on the
 * interface admits it, and replies pass automatically. A CIDR rule matches when it covers the
 * peer's addresses; a group rule matches any interface in that group (also across a same-region
 * peering); a prefix-list rule matches the service behind it
 * (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html).
 */
function sgHop(m: NetworkModel, node: NetNode, direction: "ingress" | "egress", peer: Peer, port: number): Hop {
  const component = `security groups of ${node.label} (${direction})`;
  const what = `${direction === "egress" ? "to" : "from"} ${peer.label} tcp ${port}`;
  if (node.securityGroupIds.length === 0) {
    return { component, urn: node.urn, verdict: "deny", detail: `${what}: the interface has no security group` };
  }
  let sawUnknown = false;
  const names: string[] = [];
  for (const gid of node.securityGroupIds) {
    if (isUnknown(gid)) {
      sawUnknown = true;
      continue;
    }
    const sg: SecurityGroup | undefined = m.securityGroups.get(gid);
    if (!sg) {
      sawUnknown = true;
      names.push(gid);
      continue;
    }
    names.push(sg.name);
    for (const rule of sg.rules) {
      if (rule.direction !== direction) continue;
      if (isUnknown(rule.protocol) || isUnknown(rule.peer)) {
        sawUnknown = true;
        continue;
      }
      if (rule.protocol !== -1 && rule.protocol !== TCP) continue;
      if (port < rule.fromPort || port > rule.toPort) continue;
      const p = rule.peer;
      const hit =
        "cidr" in p
          ? rangeContains(p.cidr, peer.range)
          : "group" in p
            ? peer.groupsVisible && peer.groups.includes(p.group)
            : peer.prefixLists.includes(p.prefixList);
      if (peer.groups.some(isUnknown) && "group" in p) sawUnknown = true;
      if (hit) return { component: `security group ${sg.name} (${direction})`, urn: rule.urn, verdict: "allow", detail: `${what}: ${rule.label}` };
    }
  }
  if (sawUnknown) return { component, urn: node.urn, verdict: "unknown", detail: `${what}: a group or rule is not known yet` };
  const first = node.securityGroupIds.find((g) => !isUnknown(g) && m.securityGroups.has(g)) as string | undefined;
  const sg = first ? m.securityGroups.get(first) : undefined;
  return {
    component: `security group${names.length > 1 ? "s" : ""} ${names.join(", ")} (${direction})`,
    urn: sg?.urn ?? node.urn,
    verdict: "deny",
    detail: `${what}: no ${direction} rule of ${names.join(", ")} admits it`,
  };
}

// ---------------------------------------------------------------------------------------------
// Routing

/**
 * Route selection: the most specific route that matches the destination wins; the local route
 * (the VPC's CIDR) is always present; prefix-list routes of gateway endpoints match the
 * service's addresses and beat a default route
 * (https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html).
 */
export function lookupRoute(
  m: NetworkModel,
  table: RouteTable,
  dest: { range?: AddrRange; prefixList?: string },
): { route?: Route; local?: boolean; unknown?: boolean } {
  const vpc = isUnknown(table.vpcId) ? undefined : m.vpcs.get(table.vpcId);
  let best: { route?: Route; local?: boolean; len: number } | undefined;
  if (dest.prefixList) {
    const r = table.routes.find((x) => !isUnknown(x.destination) && "prefixList" in x.destination && x.destination.prefixList === dest.prefixList);
    if (r) return { route: r };
  }
  if (!dest.range) return {};
  if (vpc && !isUnknown(vpc.cidr) && rangeContains(vpc.cidr, dest.range)) best = { local: true, len: prefixLength(vpc.cidr) };
  for (const r of table.routes) {
    if (isUnknown(r.destination)) return { unknown: true };
    if (!("cidr" in r.destination)) continue;
    if (!rangeContains(r.destination.cidr, dest.range)) continue;
    const len = prefixLength(r.destination.cidr);
    // Equal prefixes: a static route beats a propagated one (route-tables-priority.html above).
    if (!best || len > best.len || (len === best.len && best.route?.propagated === true && r.propagated !== true)) best = { route: r, len };
  }
  return best ? { ...(best.route ? { route: best.route } : {}), ...(best.local ? { local: true } : {}) } : {};
}

function routeText(r: Route): string {
  const d = isUnknown(r.destination) ? "?" : "cidr" in r.destination ? r.destination.cidr.text : r.destination.prefixList;
  return `${d} → ${isUnknown(r.target.id) ? "(unknown)" : r.target.id}`;
}

// ---------------------------------------------------------------------------------------------
// The flow

class Trace {
  readonly path: Hop[] = [];
  verdict: Verdict = "allow";
  blockedBy?: { urn: string; detail: string };
  add(h: Hop): boolean {
    this.path.push(h);
    if (h.verdict === "deny" && this.verdict !== "deny") {
      this.verdict = "deny";
      this.blockedBy = { urn: h.urn ?? "", detail: `${h.component}: ${h.detail}` };
      return false;
    }
    if (h.verdict === "unknown" && this.verdict === "allow") this.verdict = "unknown";
    return true;
  }
  done(): FlowResult {
    return { result: this.verdict, path: this.path, ...(this.verdict === "deny" && this.blockedBy ? { blockedBy: this.blockedBy } : {}) };
  }
}

interface Place {
  readonly subnet: Subnet;
  readonly range: AddrRange;
  readonly vpcId: string;
}

function placeOf(m: NetworkModel, e: Endpoint): Place | Hop {
  if (e.kind !== "node") throw new Error("placeOf: not a node");
  const subnet = m.subnets.get(e.subnetId);
  if (!subnet) return { component: e.node.label, urn: e.node.urn, verdict: "unknown", detail: `subnet ${e.subnetId} is not in the documents` };
  if (isUnknown(subnet.cidr) || isUnknown(subnet.vpcId)) return { component: subnet.name, urn: subnet.urn, verdict: "unknown", detail: "the subnet's CIDR or VPC is not known yet" };
  return { subnet, range: subnet.cidr, vpcId: subnet.vpcId };
}

function peerOf(m: NetworkModel, e: Endpoint, range: AddrRange, groupsVisible: boolean): Peer {
  if (e.kind === "node") return { range, groups: e.node.securityGroupIds, prefixLists: [], label: endpointLabel(e), groupsVisible };
  if (e.kind === "service") {
    const pls = m.gatewayEndpoints.filter((g) => g.service.endsWith(`.${e.service}`)).map((g) => g.prefixList);
    return { range, groups: [], prefixLists: pls, label: endpointLabel(e), groupsVisible };
  }
  if (e.kind === "internet") return { range, groups: [], prefixLists: e.prefixLists ?? [], label: endpointLabel(e), groupsVisible };
  return { range, groups: [], prefixLists: [], label: endpointLabel(e), groupsVisible };
}

function tableOf(m: NetworkModel, subnet: Subnet): RouteTable | Hop {
  const id = subnet.routeTableId;
  if (id === undefined || isUnknown(id)) return { component: `route table of ${subnet.name}`, urn: subnet.urn, verdict: "unknown", detail: "the subnet's route table is not known yet" };
  const t = m.routeTables.get(id);
  if (!t) return { component: `route table ${id}`, urn: subnet.urn, verdict: "unknown", detail: `route table ${id} is not in the documents` };
  return t;
}

const isHop = (x: unknown): x is Hop => typeof x === "object" && x !== null && "verdict" in x && "component" in x;

function listens(trace: Trace, to: Endpoint, port: number): boolean {
  if (to.kind !== "node") return true;
  const n = to.node;
  // A one-off task declares no port mappings, yet in awsvpc mode its interface takes whatever a
  // container binds: only the network may keep it closed.
  if (n.kind === "bastion" || n.kind === "instance" || n.kind === "task") return true;
  const what = n.kind === "alb" ? "listener" : n.kind === "service" ? "container port" : n.kind === "database" ? "database port" : n.kind === "cache" ? "cache port" : "port";
  if (n.ports.includes(port)) return trace.add({ component: n.label, urn: n.urn, verdict: "allow", detail: `${what} ${port}` });
  return trace.add({ component: n.label, urn: n.urn, verdict: "deny", detail: `no ${what} ${port} (it serves ${n.ports.join(", ") || "none"})` });
}

/** Evaluates one flow. */
export function evaluateFlow(m: NetworkModel, flow: Flow): FlowResult {
  const trace = new Trace();
  const { from, to, port } = flow;
  if (from.kind === "node") return fromNode(m, trace, from, to, port);
  if (from.kind === "internet" && to.kind === "node") return fromInternet(m, trace, from, to, port);
  if (from.kind === "office" && to.kind === "node") return fromOffice(m, trace, from, to, port);
  if (from.kind === "internet" && to.kind === "cdn") return toCdn(trace, to, port);
  trace.add({ component: endpointLabel(from), verdict: "unknown", detail: `flows from ${from.kind} to ${to.kind} are not modelled` });
  return trace.done();
}

function fromInternet(m: NetworkModel, trace: Trace, from: Endpoint & { kind: "internet" }, to: Endpoint & { kind: "node" }, port: number): FlowResult {
  const src = from.cidr ?? INTERNET;
  const dst = placeOf(m, to);
  if (isHop(dst)) {
    trace.add(dst);
    return trace.done();
  }
  // Inbound from the internet needs a public address on the target and a route back to the
  // internet gateway in the target subnet's table (the reply leaves through it)
  // (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html).
  const pub = to.node.publicIp;
  if (isUnknown(pub)) trace.add({ component: to.node.label, urn: to.node.urn, verdict: "unknown", detail: "whether it has a public IP is not known yet" });
  else if (!pub && !trace.add({ component: to.node.label, urn: to.node.urn, verdict: "deny", detail: "has no public IP address: the internet gateway cannot deliver to it" })) return trace.done();
  const table = tableOf(m, dst.subnet);
  if (isHop(table)) trace.add(table);
  else {
    const r = lookupRoute(m, table, { range: src });
    if (r.unknown) trace.add({ component: `route table ${table.name}`, urn: table.urn, verdict: "unknown", detail: "a route is not known yet" });
    else if (!r.route || r.route.target.kind !== "igw") {
      if (!trace.add({ component: `route table ${table.name}`, urn: table.urn, verdict: "deny", detail: `no route to ${src.text} through an internet gateway for the replies${r.route ? ` (${routeText(r.route)})` : ""}` })) return trace.done();
    } else trace.add({ component: `route table ${table.name}`, urn: r.route.urn, verdict: "allow", detail: `replies: ${routeText(r.route)}` });
  }
  const peerLabel = endpointLabel(from);
  if (!trace.add(naclHop(m, dst.subnet, false, src, peerLabel, { from: port, to: port }, "request"))) return trace.done();
  if (!trace.add(sgHop(m, to.node, "ingress", peerOf(m, from, src, true), port))) return trace.done();
  if (!listens(trace, to, port)) return trace.done();
  trace.add(naclHop(m, dst.subnet, true, src, peerLabel, ephemeralOf(from), "reply"));
  return trace.done();
}

/**
 * From an office through its VPN connection and virtual private gateway into a VPC. The gateway
 * delivers only into the VPC it is attached to: a VPN connection into VPC A does not reach VPC B
 * across a peering ("Edge to edge routing through a gateway or private connection: if VPC A has
 * a VPN connection to a corporate network, resources in VPC B can't use the VPN connection to
 * communicate with the corporate network", VPC peering limitations,
 * https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html). Then the target
 * subnet's ACL in, the target's groups, the ACL out for the reply, and the reply's route: the
 * target subnet's table must send the office range back to the same gateway (propagated or
 * static), or the reply leaves by the default route and never reaches the office.
 */
function fromOffice(m: NetworkModel, trace: Trace, from: Endpoint & { kind: "office" }, to: Endpoint & { kind: "node" }, port: number): FlowResult {
  const conn = m.vpnConnections.get(from.connectionId);
  if (!conn) {
    trace.add({ component: endpointLabel(from), verdict: "unknown", detail: `VPN connection ${from.connectionId} is not in the documents` });
    return trace.done();
  }
  const gwId = conn.vpnGatewayId;
  const gw = isUnknown(gwId) ? undefined : m.vpnGateways.get(gwId);
  if (!gw || isUnknown(gw.vpcId)) {
    trace.add({ component: `VPN connection ${conn.name}`, urn: conn.urn, verdict: "unknown", detail: "its virtual private gateway or that gateway's VPC is not known yet" });
    return trace.done();
  }
  const dst = placeOf(m, to);
  if (isHop(dst)) {
    trace.add(dst);
    return trace.done();
  }
  if (dst.vpcId !== gw.vpcId) {
    trace.add({
      component: `virtual private gateway ${gw.name}`,
      urn: gw.urn,
      verdict: "deny",
      detail: `attached to ${m.vpcs.get(gw.vpcId)?.name ?? gw.vpcId}, not to the VPC of ${to.node.label}: a VPN connection does not reach a peered VPC (no edge-to-edge routing through a VPN)`,
    });
    return trace.done();
  }
  trace.add({ component: `VPN connection ${conn.name}`, urn: conn.urn, verdict: "allow", detail: `from ${from.cidr.text} through ${gw.name} into ${m.vpcs.get(gw.vpcId)?.name ?? gw.vpcId}` });
  const src = from.cidr;
  const label = endpointLabel(from);
  if (!trace.add(naclHop(m, dst.subnet, false, src, label, { from: port, to: port }, "request"))) return trace.done();
  if (!trace.add(sgHop(m, to.node, "ingress", peerOf(m, from, src, false), port))) return trace.done();
  if (!listens(trace, to, port)) return trace.done();
  if (!trace.add(naclHop(m, dst.subnet, true, src, label, EPHEMERAL.any, "reply"))) return trace.done();
  const table = tableOf(m, dst.subnet);
  if (isHop(table)) trace.add(table);
  else {
    const r = lookupRoute(m, table, { range: src });
    if (r.unknown) trace.add({ component: `route table ${table.name}`, urn: table.urn, verdict: "unknown", detail: "a route is not known yet" });
    else if (!r.route || r.route.target.kind !== "vgw" || r.route.target.id !== gw.id) {
      trace.add({ component: `route table ${table.name}`, urn: table.urn, verdict: "deny", detail: `no route back to ${src.text} through ${gw.name}${r.route ? ` (${routeText(r.route)} wins)` : ""}: propagate the gateway's routes into this table` });
    } else trace.add({ component: `route table ${table.name}`, urn: r.route.urn, verdict: "allow", detail: `replies: ${routeText(r.route)}${r.route.propagated ? " (propagated)" : ""}` });
  }
  return trace.done();
}

/**
 * The internet → a CloudFront distribution. CloudFront answers every viewer at its edge locations
 * on 80 and 443 (HTTP only to redirect, with viewerProtocolPolicy redirect-to-https); a disabled
 * distribution answers nothing. Its web ACL filters requests, not connections, so it is noted, not
 * evaluated ("How CloudFront delivers content", CloudFront Developer Guide).
 */
function toCdn(trace: Trace, to: Endpoint & { kind: "cdn" }, port: number): FlowResult {
  const d = to.distribution;
  if (isUnknown(d.enabled)) trace.add({ component: to.label, urn: d.urn, verdict: "unknown", detail: "whether the distribution is enabled is not known yet" });
  else if (!d.enabled && !trace.add({ component: to.label, urn: d.urn, verdict: "deny", detail: "the distribution is disabled" })) return trace.done();
  if (port !== 443 && port !== 80) {
    trace.add({ component: to.label, urn: d.urn, verdict: "deny", detail: `CloudFront serves viewers on 80 and 443 only, not ${port}` });
    return trace.done();
  }
  const waf = d.webAclId === undefined ? "no web ACL" : isUnknown(d.webAclId) ? "a web ACL" : "web ACL attached";
  trace.add({ component: to.label, urn: d.urn, verdict: "allow", detail: `edge locations accept tcp ${port} from any viewer (${waf})` });
  return trace.done();
}

function fromNode(m: NetworkModel, trace: Trace, from: Endpoint & { kind: "node" }, to: Endpoint, port: number): FlowResult {
  const src = placeOf(m, from);
  if (isHop(src)) {
    trace.add(src);
    return trace.done();
  }
  // The destination's address and, for nodes, its placement.
  let dst: Place | undefined;
  let dstRange: AddrRange;
  let prefixList: string | undefined;
  if (to.kind === "node") {
    const p = placeOf(m, to);
    if (isHop(p)) {
      trace.add(p);
      return trace.done();
    }
    dst = p;
    dstRange = p.range;
  } else if (to.kind === "service") {
    dstRange = INTERNET;
    prefixList = m.gatewayEndpoints.find((g) => g.service.endsWith(`.${to.service}`))?.prefixList;
  } else {
    dstRange = (to.kind === "internet" || to.kind === "address" ? to.cidr : undefined) ?? INTERNET;
  }

  // Cross-VPC flows: is the peering's other side the destination's VPC, same region?
  const sameVpc = dst !== undefined && dst.vpcId === src.vpcId;
  let groupsVisible = sameVpc;

  // 1. The source's security groups (stateful: replies need nothing more).
  if (!trace.add(sgHop(m, from.node, "egress", peerOf(m, to, dstRange, true), port))) return trace.done();

  // 2. The source subnet's route table.
  const table = tableOf(m, src.subnet);
  if (isHop(table)) {
    trace.add(table);
    return trace.done();
  }
  const r = lookupRoute(m, table, { range: dstRange, ...(prefixList ? { prefixList } : {}) });
  if (r.unknown) {
    trace.add({ component: `route table ${table.name}`, urn: table.urn, verdict: "unknown", detail: "a route is not known yet" });
    return trace.done();
  }
  if (r.local) {
    if (!dst) {
      trace.add({ component: `route table ${table.name}`, urn: table.urn, verdict: "deny", detail: `${dstRange.text} is inside the VPC but no resource there receives it` });
      return trace.done();
    }
    trace.add({ component: `route table ${table.name}`, urn: table.urn, verdict: "allow", detail: `${dstRange.text} → local` });
    return direct(m, trace, from, src, to, dst, port, true);
  }
  if (!r.route) {
    trace.add({ component: `route table ${table.name}`, urn: table.urn, verdict: "deny", detail: `no route to ${to.kind === "service" ? `the ${to.service} prefix list` : dstRange.text}` });
    return trace.done();
  }
  const route = r.route;
  const routeHop = (verdict: Verdict, detail: string): boolean =>
    // A deny names the table (where the fix goes); an allow names the route that carried it.
    trace.add({ component: `route table ${table.name}`, urn: verdict === "deny" ? table.urn : route.urn, verdict, detail: `${routeText(route)}${detail ? `: ${detail}` : ""}` });

  switch (route.target.kind) {
    case "pcx": {
      if (isUnknown(route.target.id)) return (routeHop("unknown", "the peering connection is not known yet"), trace.done());
      const pcx = m.peerings.get(route.target.id);
      if (!pcx) return (routeHop("unknown", "the peering connection is not in the documents"), trace.done());
      const other = pcx.vpcId === src.vpcId ? pcx.peerVpcId : pcx.peerVpcId === src.vpcId ? pcx.vpcId : undefined;
      // VPC peering is not transitive and has no edge-to-edge routing: only addresses of the
      // peer VPC itself are delivered (https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html).
      if (!dst || other === undefined || isUnknown(other) || dst.vpcId !== other) {
        routeHop("deny", `${pcx.name} does not lead to ${endpointLabel(to)} (peering is not transitive)`);
        return trace.done();
      }
      routeHop("allow", `peering ${pcx.name}`);
      // Replies: the destination subnet must route the source back through the same connection.
      const back = tableOf(m, dst.subnet);
      if (isHop(back)) trace.add(back);
      else {
        const rb = lookupRoute(m, back, { range: src.range });
        if (rb.unknown) trace.add({ component: `route table ${back.name}`, urn: back.urn, verdict: "unknown", detail: "a route is not known yet" });
        else if (!rb.route || rb.route.target.id !== pcx.id) {
          if (!trace.add({ component: `route table ${back.name}`, urn: back.urn, verdict: "deny", detail: `no route back to ${src.range.text} through ${pcx.name} (routes are needed on both sides)` })) return trace.done();
        } else trace.add({ component: `route table ${back.name}`, urn: rb.route.urn, verdict: "allow", detail: `replies: ${routeText(rb.route)}` });
      }
      // Security group references across a peering work only within one region.
      groupsVisible = !pcx.crossRegion;
      return direct(m, trace, from, src, to, dst, port, groupsVisible);
    }
    case "gateway-endpoint": {
      if (to.kind !== "service") return (routeHop("deny", "a gateway endpoint only reaches its service"), trace.done());
      routeHop("allow", "gateway endpoint");
      if (!trace.add(naclHop(m, src.subnet, true, INTERNET, to.label, { from: port, to: port }, "request"))) return trace.done();
      trace.add(naclHop(m, src.subnet, false, INTERNET, to.label, ephemeralOf(from), "reply"));
      return trace.done();
    }
    case "igw": {
      if (to.kind === "node" || (to.kind === "address" && isPrivateRange(dstRange))) {
        return (routeHop("deny", `${dstRange.text} is a private address: the internet gateway does not route it`), trace.done());
      }
      if (to.kind === "service") return (routeHop("deny", `no gateway endpoint route for ${to.service}: the flow would leave through the internet gateway`), trace.done());
      const pub = from.node.publicIp;
      if (isUnknown(pub)) routeHop("unknown", "whether the source has a public IP is not known yet");
      else if (!pub) return (routeHop("deny", "the source has no public IP: the internet gateway drops its traffic"), trace.done());
      else routeHop("allow", "internet gateway");
      if (!trace.add(naclHop(m, src.subnet, true, dstRange, endpointLabel(to), { from: port, to: port }, "request"))) return trace.done();
      trace.add(naclHop(m, src.subnet, false, dstRange, endpointLabel(to), ephemeralOf(from), "reply"));
      return trace.done();
    }
    case "nat-gateway":
    case "eni":
    case "instance": {
      if (to.kind === "node" || (to.kind === "address" && isPrivateRange(dstRange))) {
        return (routeHop("deny", `${dstRange.text} is a private address: NAT to the internet does not reach it`), trace.done());
      }
      if (to.kind === "service") return (routeHop("deny", `no gateway endpoint route for ${to.service}: the flow would go through NAT`), trace.done());
      const nat = m.nodes.find((n) => !isUnknown(route.target.id) && n.routeIds.includes(route.target.id));
      if (!nat) return (routeHop("unknown", "the NAT device is not in the documents"), trace.done());
      routeHop("allow", nat.label);
      return viaNat(m, trace, from, src, nat, dstRange, endpointLabel(to), port);
    }
    default:
      routeHop("deny", "this target does not lead to the destination");
      return trace.done();
  }
}

/** Source and destination in subnets that talk directly (same VPC, or a peering). */
function direct(m: NetworkModel, trace: Trace, from: Endpoint & { kind: "node" }, src: Place, to: Endpoint, dst: Place, port: number, groupsVisible: boolean): FlowResult {
  const toLabel = endpointLabel(to);
  const fromLabel = endpointLabel(from);
  // NACLs apply where traffic crosses a subnet boundary, each way; two interfaces of one subnet
  // never cross one (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html).
  const crosses = src.subnet.id !== dst.subnet.id;
  if (crosses && !trace.add(naclHop(m, src.subnet, true, dst.range, toLabel, { from: port, to: port }, "request"))) return trace.done();
  if (crosses && !trace.add(naclHop(m, dst.subnet, false, src.range, fromLabel, { from: port, to: port }, "request"))) return trace.done();
  if (to.kind === "node" && !trace.add(sgHop(m, to.node, "ingress", peerOf(m, from, src.range, groupsVisible), port))) return trace.done();
  if (!listens(trace, to, port)) return trace.done();
  const eph = ephemeralOf(from);
  if (crosses && !trace.add(naclHop(m, dst.subnet, true, src.range, fromLabel, eph, "reply"))) return trace.done();
  if (crosses) trace.add(naclHop(m, src.subnet, false, dst.range, toLabel, eph, "reply"));
  return trace.done();
}

/**
 * Through a NAT device to the internet: the source subnet's ACL out, the NAT subnet's ACL in, the
 * NAT instance's own groups and source/destination check, the NAT subnet's route to an internet
 * gateway, its ACL out; replies come back from the internet through the same ACLs
 * (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html,
 * https://docs.aws.amazon.com/vpc/latest/userguide/work-with-nat-instances.html).
 */
function viaNat(m: NetworkModel, trace: Trace, from: Endpoint & { kind: "node" }, src: Place, nat: NetNode, dstRange: AddrRange, toLabel: string, port: number): FlowResult {
  const natSubnetId = nat.subnetIds[0];
  if (natSubnetId === undefined || isUnknown(natSubnetId)) {
    trace.add({ component: nat.label, urn: nat.urn, verdict: "unknown", detail: "its subnet is not known yet" });
    return trace.done();
  }
  const natEnd: Endpoint = { kind: "node", node: nat, subnetId: natSubnetId };
  const np = placeOf(m, natEnd);
  if (isHop(np)) {
    trace.add(np);
    return trace.done();
  }
  const crosses = np.subnet.id !== src.subnet.id;
  if (crosses && !trace.add(naclHop(m, src.subnet, true, dstRange, toLabel, { from: port, to: port }, "request"))) return trace.done();
  if (crosses && !trace.add(naclHop(m, np.subnet, false, src.range, endpointLabel(from), { from: port, to: port }, "request to NAT"))) return trace.done();
  if (nat.kind === "nat-instance" || nat.kind === "instance") {
    const check = nat.sourceDestCheck;
    if (isUnknown(check)) trace.add({ component: nat.label, urn: nat.urn, verdict: "unknown", detail: "its source/destination check is not known yet" });
    else if (check !== false && !trace.add({ component: nat.label, urn: nat.urn, verdict: "deny", detail: "source/destination check is on: the instance drops traffic not addressed to itself" })) return trace.done();
    if (!trace.add(sgHop(m, nat, "ingress", peerOf(m, from, src.range, true), port))) return trace.done();
    if (!trace.add(sgHop(m, nat, "egress", { range: dstRange, groups: [], prefixLists: [], label: toLabel, groupsVisible: false }, port))) return trace.done();
  }
  const pub = nat.publicIp;
  if (isUnknown(pub)) trace.add({ component: nat.label, urn: nat.urn, verdict: "unknown", detail: "whether it has a public IP is not known yet" });
  else if (!pub && !trace.add({ component: nat.label, urn: nat.urn, verdict: "deny", detail: "has no public IP: it cannot reach the internet" })) return trace.done();
  const table = tableOf(m, np.subnet);
  if (isHop(table)) trace.add(table);
  else {
    const r = lookupRoute(m, table, { range: dstRange });
    if (r.unknown) trace.add({ component: `route table ${table.name}`, urn: table.urn, verdict: "unknown", detail: "a route is not known yet" });
    else if (!r.route || r.route.target.kind !== "igw") {
      if (!trace.add({ component: `route table ${table.name}`, urn: table.urn, verdict: "deny", detail: `the NAT's subnet has no route to ${dstRange.text} through an internet gateway` })) return trace.done();
    } else trace.add({ component: `route table ${table.name}`, urn: r.route.urn, verdict: "allow", detail: routeText(r.route) });
  }
  if (!trace.add(naclHop(m, np.subnet, true, dstRange, toLabel, { from: port, to: port }, "request from NAT"))) return trace.done();
  // Replies: the NAT translates from its own ephemeral ports (1024–65535), then back to the client's.
  if (!trace.add(naclHop(m, np.subnet, false, dstRange, toLabel, EPHEMERAL.any, "reply to NAT"))) return trace.done();
  const eph = ephemeralOf(from);
  if (crosses && !trace.add(naclHop(m, np.subnet, true, src.range, endpointLabel(from), eph, "reply from NAT"))) return trace.done();
  if (crosses) trace.add(naclHop(m, src.subnet, false, dstRange, toLabel, eph, "reply"));
  return trace.done();
}

/** Every (subnet) placement of a node, in AZ order, with its AZ. */
export function placements(m: NetworkModel, node: NetNode): Array<{ subnetId: string; az?: string }> {
  const out: Array<{ subnetId: string; az?: string }> = [];
  for (const id of node.subnetIds) {
    if (isUnknown(id)) continue;
    const s = m.subnets.get(id);
    const az = s && !isUnknown(s.az) ? s.az : undefined;
    out.push({ subnetId: id, ...(az ? { az } : {}) });
  }
  return out;
}

export { nameOfUrn };
