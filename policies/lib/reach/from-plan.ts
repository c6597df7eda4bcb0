import { Architecture, DB_BOOTSTRAP, OneOffTask, TestListener, Tier } from "./intents";
import { AddrRange, NetworkModel, ReachResource, UNKNOWN, parseRange, rangeContains } from "./model";

/**
 * The architecture read back from a plan, for when the stack's config is not at hand: the policy
 * pack (which sees only the resources) and `platform reach --plan` of a stack this repository does
 * not ship. What config would say is read from what the program built from it:
 *
 * - services: the ECS services, their container ports, and whether they use the database: their
 *   task definition carries `DB_HOST` (what `database: true` injects, infra/app/service.ts) or the
 *   database's groups admit theirs;
 * - S3: the intent exists when the VPC has an S3 gateway endpoint; the bastion → database intent
 *   when the database's groups admit the bastion's;
 * - one-off tasks: the database bootstrap when its task definition (Role `db-bootstrap`, no service)
 *   is in the plan (model.ts places it); it needs the database when its container carries `DB_HOST`
 *   or the database's groups admit its group;
 * - listeners: the load balancer's listeners in the plan;
 * - NAT: a NAT gateway or NAT instance exists; endpoints: the interface endpoints that exist;
 * - bastion: an auto scaling group named `*-bastion-asg`, SSH from the CIDRs its group admits;
 * - management grants: the environment tiers whose network ACL admits the management VPC's CIDR
 *   (the network planner writes those rules from `platform:peering.managementTo`);
 * - offices: the VPN connections of this stack (or of the management stack an environment peers
 *   with), by their `Office` and `OfficeCidrs` tags; the ports, those the bastion's groups admit
 *   from the office ranges.
 *
 * Shipped stacks use the config (./architecture.ts): there, a deleted resource breaks an intent
 * instead of silently removing it.
 */
export function architectureFromPlan(stack: string, m: NetworkModel, resources: readonly ReachResource[]): Architecture {
  const inStack = (urn: string) => urn.startsWith(`urn:pulumi:${stack}::`);
  const taskDefs = resources.filter((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition");
  const carriesDbHost = (td: ReachResource | undefined): boolean => {
    const defs = td?.props.containerDefinitions;
    const text = typeof defs === "string" ? defs : JSON.stringify(defs ?? "");
    return text.includes('"DB_HOST"');
  };
  const usesDatabase = (svc: ReachResource): boolean =>
    carriesDbHost(taskDefs.find((t) => t.props.arn === svc.props.taskDefinition || t.id === svc.props.taskDefinition || t.props.family === svc.props.taskDefinition));
  const dbNode = m.nodes.find((n) => n.kind === "database" && inStack(n.urn));
  const admittedByDb = new Set<string>();
  for (const g of dbNode?.securityGroupIds ?? []) {
    const sg = g === UNKNOWN ? undefined : m.securityGroups.get(g);
    for (const r of sg?.rules ?? []) if (r.direction === "ingress" && r.peer !== UNKNOWN && "group" in r.peer) admittedByDb.add(r.peer.group);
  }
  const groupsOf = (svc: ReachResource): string[] => {
    const net = (svc.props.networkConfiguration ?? {}) as Record<string, unknown>;
    return Array.isArray(net.securityGroups) ? (net.securityGroups as unknown[]).filter((g): g is string => typeof g === "string") : [];
  };
  // The session store: a service uses it when its task definition carries CACHE_HOST (what
  // `cache: true` injects) or the cache's groups admit its group.
  const cacheNode = m.nodes.find((n) => n.kind === "cache" && inStack(n.urn));
  const admittedByCache = new Set<string>();
  for (const g of cacheNode?.securityGroupIds ?? []) {
    const sg = g === UNKNOWN ? undefined : m.securityGroups.get(g);
    for (const r of sg?.rules ?? []) if (r.direction === "ingress" && r.peer !== UNKNOWN && "group" in r.peer) admittedByCache.add(r.peer.group);
  }
  const carriesCacheHost = (svc: ReachResource): boolean => {
    const td = taskDefs.find((t) => t.props.arn === svc.props.taskDefinition || t.id === svc.props.taskDefinition || t.props.family === svc.props.taskDefinition);
    const defs = td?.props.containerDefinitions;
    return (typeof defs === "string" ? defs : JSON.stringify(defs ?? "")).includes('"CACHE_HOST"');
  };
  const services = resources
    .filter((r) => r.type === "aws:ecs/service:Service" && inStack(r.urn))
    .map((r) => {
      const lbs = Array.isArray(r.props.loadBalancers) ? (r.props.loadBalancers as Array<Record<string, unknown>>) : [];
      const port = lbs.map((l) => l.containerPort).find((p): p is number => typeof p === "number");
      const database = usesDatabase(r) || groupsOf(r).some((g) => admittedByDb.has(g));
      const cache = cacheNode !== undefined && (carriesCacheHost(r) || groupsOf(r).some((g) => admittedByCache.has(g)));
      return port === undefined ? undefined : { name: String(r.props.name ?? r.urn.split("::").pop()), port, database, cache };
    })
    .filter((s): s is { name: string; port: number; database: boolean; cache: boolean } => s !== undefined);
  const nodes = m.nodes.filter((n) => inStack(n.urn));
  const tasks: OneOffTask[] = nodes
    .filter((n) => n.kind === "task" && n.service === DB_BOOTSTRAP.name)
    .map((n) => ({
      ...DB_BOOTSTRAP,
      toDatabase: carriesDbHost(taskDefs.find((t) => t.urn === n.urn)) || n.securityGroupIds.some((g) => g !== UNKNOWN && admittedByDb.has(g)),
    }));
  const db = nodes.find((n) => n.kind === "database");
  const bastion = nodes.find((n) => n.kind === "bastion");
  const sshCidrs: string[] = [];
  if (bastion) {
    for (const g of bastion.securityGroupIds) {
      const sg = g === UNKNOWN ? undefined : m.securityGroups.get(g);
      for (const r of sg?.rules ?? []) {
        // Office ranges behind the VPN reach the bastion's private address: not internet SSH sources.
        const peer = r.peer !== UNKNOWN && "cidr" in r.peer ? r.peer.cidr : undefined;
        if (peer && [...m.vpnConnections.values()].some((c) => inStack(c.urn) && c.officeCidrs.some((o) => rangeContains(o, peer)))) continue;
        if (r.direction === "ingress" && peer && r.fromPort <= 22 && 22 <= r.toPort) sshCidrs.push(peer.text);
      }
    }
  }

  // The management VPC: the other side of this stack's peering connection.
  let management: Architecture["management"];
  const ref = resources.find((r) => r.type === "pulumi:pulumi:StackReference" && inStack(r.urn));
  const pcx = [...m.peerings.values()].find((p) => inStack(p.urn));
  if (ref && pcx && pcx.peerVpcId !== UNKNOWN) {
    const mgmtVpc = m.vpcs.get(pcx.peerVpcId);
    const outputs = (ref.props.outputs ?? {}) as Record<string, unknown>;
    const cidrText = typeof outputs.vpcCidr === "string" ? outputs.vpcCidr : undefined;
    const cidr: AddrRange | undefined = mgmtVpc && mgmtVpc.cidr !== UNKNOWN ? mgmtVpc.cidr : undefined;
    const mgmtRange = cidr ?? (cidrText ? ({ lo: 0, hi: -1, v4: false, text: cidrText } as AddrRange) : undefined);
    const tiersAdmitting = (egress: boolean): { tiers: Tier[]; ports: number[] } => {
      const tiers = new Set<Tier>();
      const ports = new Set<number>();
      for (const s of m.subnets.values()) {
        if (!inStack(s.urn) || s.naclId === undefined || s.naclId === UNKNOWN) continue;
        const tier = (["public", "private", "isolated"] as const).find((t) => s.name.includes(`-${t}-`));
        const nacl = m.nacls.get(s.naclId);
        for (const e of nacl?.entries ?? []) {
          if (e.egress !== egress || e.action !== "allow" || e.cidr === UNKNOWN || !mgmtRange || !rangeContains(e.cidr, mgmtRange)) continue;
          if (e.fromPort >= 1024 && e.toPort === 65535) continue; // replies, not a grant
          if (tier) tiers.add(tier);
          if (e.fromPort === e.toPort) ports.add(e.fromPort);
        }
      }
      return { tiers: [...tiers], ports: [...ports] };
    };
    const inbound = tiersAdmitting(false);
    const outbound = tiersAdmitting(true);
    const refName = String(ref.props.name ?? "");
    management = {
      stack: refName.split("/").pop() ?? refName,
      managementTo: inbound.tiers,
      toManagement: outbound.tiers,
      toManagementPorts: outbound.ports,
    };
  }

  // The office VPN: this stack's connections, else those of the management stack.
  const vpnStack = [...m.vpnConnections.values()].some((c) => inStack(c.urn)) ? stack : management?.stack;
  const offices = [...m.vpnConnections.values()]
    .filter((c) => vpnStack !== undefined && c.urn.startsWith(`urn:pulumi:${vpnStack}::`) && c.office !== undefined)
    .map((c) => {
      const ports = new Set<number>();
      const officeBastion = m.nodes.find((n) => n.kind === "bastion" && n.urn.startsWith(`urn:pulumi:${vpnStack}::`));
      for (const g of officeBastion?.securityGroupIds ?? []) {
        const sg = g === UNKNOWN ? undefined : m.securityGroups.get(g);
        for (const r of sg?.rules ?? []) {
          if (r.direction !== "ingress" || r.peer === UNKNOWN || !("cidr" in r.peer) || r.fromPort !== r.toPort) continue;
          const peer = r.peer.cidr;
          if (c.officeCidrs.some((o) => rangeContains(peer, o))) ports.add(r.fromPort);
        }
      }
      return { name: c.office as string, stack: vpnStack as string, cidrs: c.officeCidrs.map((o) => o.text), ports: [...ports].sort((a, b) => a - b) };
    });

  const testListeners = testListenersFromPlan(resources.filter((r) => inStack(r.urn)), m, nodes.find((n) => n.kind === "alb"));
  const testPorts = new Set(testListeners.map((t) => t.port));
  return {
    stack,
    ...(offices.length > 0 ? { offices } : {}),
    listenerPorts: [...(nodes.find((n) => n.kind === "alb")?.ports ?? [])].filter((p) => !testPorts.has(p)),
    ...(testListeners.length > 0 ? { testListeners } : {}),
    services,
    ...(db ? { databasePort: db.ports[0] } : {}),
    ...(cacheNode ? { cachePort: cacheNode.ports[0] } : {}),
    tasks,
    interfaceEndpoints: nodes.filter((n) => n.kind === "endpoint").map((n) => n.service ?? ""),
    nat: nodes.some((n) => n.kind === "nat-gateway" || n.kind === "nat-instance"),
    s3GatewayEndpoint: m.gatewayEndpoints.some((g) => inStack(g.urn) && g.service.endsWith(".s3")),
    ...(bastion ? { bastion: { sshCidrs, toDatabase: bastion.securityGroupIds.some((g) => g !== UNKNOWN && admittedByDb.has(g)) } } : {}),
    ...(management ? { management } : {}),
    // The edge: a CloudFront distribution in the stack.
    ...((m.distributions ?? []).some((d) => inStack(d.urn)) ? { edge: { enabled: true as const } } : {}),
    otherEnvironments: [],
  };
}

const PRIVATE_V4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/**
 * Test listeners read back from the plan: each ECS service's
 * `loadBalancers[].advancedConfiguration.testListenerRule` → that listener rule → its listener's
 * port; the office ranges are the public CIDRs the ALB's security groups admit on that port.
 */
export function testListenersFromPlan(resources: readonly ReachResource[], m: NetworkModel, alb: NetworkModel["nodes"][number] | undefined): TestListener[] {
  const byArn = (type: string, arn: unknown) => resources.find((r) => r.type === type && typeof arn === "string" && r.props.arn === arn);
  const out: TestListener[] = [];
  for (const svc of resources.filter((r) => r.type === "aws:ecs/service:Service")) {
    const lbs = Array.isArray(svc.props.loadBalancers) ? (svc.props.loadBalancers as Array<Record<string, unknown>>) : [];
    for (const lb of lbs) {
      const adv = (lb.advancedConfiguration ?? {}) as Record<string, unknown>;
      const rule = byArn("aws:lb/listenerRule:ListenerRule", adv.testListenerRule);
      const listener = rule ? byArn("aws:lb/listener:Listener", rule.props.listenerArn) : undefined;
      const port = listener?.props.port;
      if (typeof port !== "number") continue;
      const officeCidrs = new Set<string>();
      for (const g of alb?.securityGroupIds ?? []) {
        const sg = g === UNKNOWN ? undefined : m.securityGroups.get(g);
        for (const r of sg?.rules ?? []) {
          if (r.direction !== "ingress" || r.peer === UNKNOWN || !("cidr" in r.peer) || r.fromPort > port || port > r.toPort) continue;
          const cidr = r.peer.cidr;
          if (!PRIVATE_V4.some((p) => { const range = parseRange(p); return range !== undefined && rangeContains(range, cidr); })) officeCidrs.add(cidr.text);
        }
      }
      out.push({ service: String(svc.props.name ?? svc.urn.split("::").pop()), port, officeCidrs: [...officeCidrs] });
    }
  }
  return out;
}
