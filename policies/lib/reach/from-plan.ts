import { Architecture, DB_BOOTSTRAP, OneOffTask, Tier } from "./intents";
import { AddrRange, NetworkModel, ReachResource, UNKNOWN, rangeContains } from "./model";

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
 *   (the network planner writes those rules from `platform:peering.managementTo`).
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
  const services = resources
    .filter((r) => r.type === "aws:ecs/service:Service" && inStack(r.urn))
    .map((r) => {
      const lbs = Array.isArray(r.props.loadBalancers) ? (r.props.loadBalancers as Array<Record<string, unknown>>) : [];
      const port = lbs.map((l) => l.containerPort).find((p): p is number => typeof p === "number");
      const database = usesDatabase(r) || groupsOf(r).some((g) => admittedByDb.has(g));
      return port === undefined ? undefined : { name: String(r.props.name ?? r.urn.split("::").pop()), port, database };
    })
    .filter((s): s is { name: string; port: number; database: boolean } => s !== undefined);
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
        if (r.direction === "ingress" && r.peer !== UNKNOWN && "cidr" in r.peer && r.fromPort <= 22 && 22 <= r.toPort) sshCidrs.push(r.peer.cidr.text);
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

  return {
    stack,
    listenerPorts: [...(nodes.find((n) => n.kind === "alb")?.ports ?? [])],
    services,
    ...(db ? { databasePort: db.ports[0] } : {}),
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
