import { Policies } from "@pulumi/policy";
import { cidrContains, cidrsOverlap, isAnywhere, isCidr } from "./lib/cidr";
import { Report, resourcePolicy, stackPolicy } from "./lib/define";
import { Resource, RouteInfo, StackGraph, describe, prop } from "./lib/graph";
import { T } from "./lib/types";
import { forEachKnown, isPresent, peek } from "./lib/unknowns";

/**
 * VPC, subnets, routing, flow logs and peering. The routing policies read tiers from the `Tier`
 * tag the network component puts on every subnet and route table, and check that the routes
 * agree with it.
 */

const TARGET_WORDS: Record<RouteInfo["target"], string> = {
  "internet-gateway": "an internet gateway",
  "nat-gateway": "a NAT gateway",
  "nat-instance": "a NAT instance",
  "network-interface": "a network interface",
  peering: "a peering connection",
  "vpc-endpoint": "a VPC endpoint",
  "transit-gateway": "a transit gateway",
  "egress-only-gateway": "an egress-only gateway",
  local: "the VPC",
  other: "an unrecognized target",
};

function destinationOf(route: RouteInfo): string {
  return route.destination ?? route.destinationV6 ?? "a prefix list";
}

export const subnetDisallowPublicIpOnLaunch = resourcePolicy({
  name: "ec2-subnet-disallow-public-ip-on-launch",
  description: "Only public-tier subnets may auto-assign public IP addresses to what is launched in them.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["2"],
  types: [T.subnet],
  validate: (r, report) => {
    const tier = r.tags().Tier?.toLowerCase();
    if (tier === "public") return;
    const what = tier ? `Subnet of tier "${tier}"` : "Subnet without a Tier tag";
    if (r.props.mapPublicIpOnLaunch === true) {
      report(`${what} auto-assigns public IPv4 addresses; set mapPublicIpOnLaunch: false.`);
    }
    if (r.props.assignIpv6AddressOnCreation === true) {
      report(`${what} auto-assigns IPv6 addresses; set assignIpv6AddressOnCreation: false.`);
    }
  },
});

export const defaultVpcDisallowUsage = resourcePolicy({
  name: "ec2-defaultvpc-disallow-usage",
  description: "The default VPC should not be managed or used; workloads belong in a dedicated VPC.",
  enforcementLevel: "advisory",
  category: "security",
  severity: "low",
  catalog: ["4"],
  types: [T.defaultVpc],
  validate: (_r, report) => {
    report("Do not adopt or place workloads in the default VPC; create a dedicated aws.ec2.Vpc.");
  },
});

export const vpcRequireFlowLogs = stackPolicy({
  name: "ec2-vpc-require-flow-logs",
  description: "Every VPC must have a flow log with a destination.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "medium",
  catalog: ["1", "X7", "X10"],
  appliesTo: [T.vpc],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.vpc), (vpc) => {
      const logs = graph.referrers(vpc, T.flowLog, "vpcId");
      if (logs.length === 0) {
        report(`${describe(vpc)} has no flow log; add an aws.ec2.FlowLog with vpcId set to this VPC and a log destination.`, vpc.urn);
      }
    });
    forEachKnown(graph.ofType(T.flowLog), (fl) => {
      if (!isPresent(fl.props, "logDestination") && !isPresent(fl.props, "logGroupName")) {
        report(`${describe(fl)} has no destination; set logDestinationType and logDestination (a log group with retention).`, fl.urn);
      }
    });
  },
});

export const vpcRequireClosedDefaultSecurityGroup = stackPolicy({
  name: "ec2-vpc-require-closed-default-security-group",
  description: "Every VPC must adopt its default security group and strip it of all rules.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["3", "X7"],
  appliesTo: [T.vpc],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.vpc), (vpc) => {
      const adopted = graph.referrers(vpc, T.defaultSecurityGroup, "vpcId");
      if (adopted.length === 0) {
        report(
          `${describe(vpc)} leaves its default security group unmanaged; adopt it with an aws.ec2.DefaultSecurityGroup ` +
            `that has ingress: [] and egress: [].`,
          vpc.urn,
        );
      } else if (adopted.length > 1) {
        report(`${describe(vpc)} has ${adopted.length} DefaultSecurityGroup resources; keep exactly one.`, vpc.urn);
      }
    });
  },
});

/** Route tables a subnet uses; reports subnets that fall back to the VPC main route table. */
function tablesOrReport(graph: StackGraph, subnet: Resource, report: Report): Resource[] {
  const tables = graph.routeTablesOfSubnet(subnet);
  if (tables.length === 0) {
    report(
      `${describe(subnet)} has no route table association and falls back to the VPC main route table; ` +
        `associate it with its tier's route table.`,
      subnet.urn,
    );
  }
  return tables;
}

export const subnetRequireNatRoute = stackPolicy({
  name: "ec2-subnet-require-nat-route",
  description: "Private-tier subnets must send internet-bound traffic through NAT and never directly to an internet gateway.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["X4"],
  appliesTo: [T.subnet],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.subnet), (subnet) => {
      if (graph.tierOf(subnet) !== "private") return;
      const tables = tablesOrReport(graph, subnet, report);
      if (tables.length === 0) return;
      const defaults = tables.flatMap((t) => graph.defaultRoutesOf(t));
      const v4 = defaults.filter((r) => isAnywhere(r.destination));
      if (!v4.some((r) => r.target === "nat-gateway" || r.target === "nat-instance")) {
        report(`${describe(subnet)} (tier private) has no 0.0.0.0/0 route through NAT; route it to a NAT gateway in its AZ.`, subnet.urn);
      }
      for (const r of defaults.filter((d) => d.target === "internet-gateway")) {
        report(
          `${describe(subnet)} (tier private) routes ${destinationOf(r)} to an internet gateway; private subnets must reach the internet only through NAT.`,
          subnet.urn,
        );
      }
    });
  },
});

export const natGatewayRequirePerAz = stackPolicy({
  name: "ec2-natgateway-require-per-az",
  description: "Each private subnet must route through a NAT gateway in its own AZ, so one AZ's failure does not cut off the others.",
  enforcementLevel: "mandatory",
  category: "reliability",
  severity: "medium",
  catalog: ["X4", "31"],
  appliesTo: [T.subnet],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.subnet), (subnet) => {
      if (graph.tierOf(subnet) !== "private") return;
      const az = graph.availabilityZoneOf(subnet);
      for (const r of graph.routeTablesOfSubnet(subnet).flatMap((t) => graph.defaultRoutesOf(t))) {
        if (r.target === "nat-instance" || r.target === "network-interface") {
          report(`${describe(subnet)} routes ${destinationOf(r)} through a NAT instance; use one NAT gateway per AZ.`, subnet.urn);
        } else if (r.target === "nat-gateway" && r.targetResource) {
          const natSubnet = graph.refs(r.targetResource, "subnetId", [T.subnet])[0];
          const natAz = natSubnet ? graph.availabilityZoneOf(natSubnet) : undefined;
          if (az && natAz && az !== natAz) {
            report(
              `${describe(subnet)} in ${az} routes through ${describe(r.targetResource)} in ${natAz}; ` +
                `give every AZ its own NAT gateway and route each private subnet to the one in its AZ.`,
              subnet.urn,
            );
          }
        }
      }
    });
  },
});

export const routeTableDisallowInternetRouteOutsidePublic = stackPolicy({
  name: "ec2-routetable-disallow-internet-route-outside-public",
  description: "Only route tables of public-tier subnets may route to an internet gateway.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["32", "X3"],
  appliesTo: [T.routeTable],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.routeTable), (rt) => {
      const igwRoutes = graph.routesOf(rt).filter((r) => r.target === "internet-gateway");
      if (igwRoutes.length === 0) return;
      const tag = graph.tags(rt).Tier?.toLowerCase();
      if (tag !== undefined && tag !== "public") {
        for (const r of igwRoutes) {
          report(
            `${describe(rt)} (tier ${tag}) routes ${destinationOf(r)} to an internet gateway; only public-tier route tables may, so remove the route.`,
            r.source.urn,
          );
        }
      }
      for (const subnet of graph.subnetsOfRouteTable(rt)) {
        const tier = graph.tags(subnet).Tier?.toLowerCase();
        if (tier !== "public") {
          report(
            `${describe(subnet)} (tier ${tier ?? "untagged"}) is associated with ${describe(rt)}, which routes to an internet gateway; ` +
              `associate it with its own tier's route table.`,
            subnet.urn,
          );
        }
      }
    });
  },
});

export const subnetDisallowDefaultRouteFromIsolated = stackPolicy({
  name: "ec2-subnet-disallow-default-route-from-isolated",
  description: "Isolated-tier subnets must have no default route at all, not even through NAT.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["X5"],
  appliesTo: [T.subnet],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.subnet), (subnet) => {
      if (graph.tierOf(subnet) !== "isolated") return;
      const tables = tablesOrReport(graph, subnet, report);
      for (const r of tables.flatMap((t) => graph.defaultRoutesOf(t))) {
        report(
          `${describe(subnet)} (tier isolated) routes ${destinationOf(r)} to ${TARGET_WORDS[r.target]}; ` +
            `isolated subnets must have no route beyond the VPC and its peers.`,
          subnet.urn,
        );
      }
    });
  },
});

// --- peering ----------------------------------------------------------------------------------

interface PeerSide {
  readonly resource?: Resource;
  readonly cidr?: string;
  readonly environment?: string;
}

function stackNameOf(ref: Resource): string | undefined {
  const name = peek(() => prop(ref, "name"));
  return typeof name === "string" ? name.split("/").pop() : undefined;
}

function sideOf(graph: StackGraph, peering: Resource, key: "vpcId" | "peerVpcId", cidrOutput: string): PeerSide {
  const vpc = graph.refs(peering, key, [T.vpc])[0];
  if (vpc) {
    const cidr = peek(() => prop(vpc, "cidrBlock"));
    const env = graph.tags(vpc).Environment;
    return { resource: vpc, ...(isCidr(cidr) ? { cidr } : {}), ...(env ? { environment: env } : {}) };
  }
  const ref = graph.stackReferenceOf(peering, key);
  if (ref) {
    const outputs = peek(() => prop(ref, "outputs")) as Record<string, unknown> | undefined;
    const cidr = outputs ? peek(() => outputs[cidrOutput]) : undefined;
    const env = stackNameOf(ref);
    return { resource: ref, ...(isCidr(cidr) ? { cidr } : {}), ...(env ? { environment: env } : {}) };
  }
  return {};
}

export const routeDisallowBroadPeeringDestination = stackPolicy<{ peerCidrOutput: string }>({
  name: "ec2-route-disallow-broad-peering-destination",
  description: "Routes through a VPC peering connection must cover only the peer VPC's CIDR (or specific peer subnets).",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["30", "X6"],
  configSchema: {
    properties: {
      peerCidrOutput: {
        type: "string",
        default: "vpcCidr",
        description: "The StackReference output holding a peer VPC's CIDR, when the peer VPC lives in another stack.",
      },
    },
  },
  defaults: { peerCidrOutput: "vpcCidr" },
  appliesTo: [T.vpcPeeringConnection, T.route],
  validate: ({ graph, config }, report) => {
    const routes = graph.ofType(T.route).filter((r) => (r.propertyDependencies.vpcPeeringConnectionId ?? []).length > 0 || isPresent(r.props, "vpcPeeringConnectionId"));
    forEachKnown(routes, (route) => {
      const dest = (peek(() => prop(route, "destinationCidrBlock")) ?? prop(route, "destinationIpv6CidrBlock")) as string | undefined;
      const peering = graph.refs(route, "vpcPeeringConnectionId", [T.vpcPeeringConnection])[0];
      const pname = peering ? describe(peering) : "a peering connection";
      if (typeof dest === "string" && isAnywhere(dest)) {
        report(`${describe(route)} sends ${dest} through ${pname}; route only the peer VPC's CIDR.`, route.urn);
        return;
      }
      if (!peering || typeof dest !== "string") return;
      const sides = [sideOf(graph, peering, "vpcId", config.peerCidrOutput), sideOf(graph, peering, "peerVpcId", config.peerCidrOutput)];
      // The route belongs to one side (its table's VPC, or a table id read from a StackReference);
      // its destination must lie in the other side.
      const table = graph.refs(route, "routeTableId", [T.routeTable])[0] ?? graph.stackReferenceOf(route, "routeTableId");
      const own = table ? (table.type === T.stackReference ? table : graph.vpcOf(table)) : undefined;
      const candidates = own ? sides.filter((s) => s.resource !== own) : sides;
      const peerCidrs = candidates.map((s) => s.cidr).filter((c): c is string => c !== undefined);
      if (peerCidrs.length === 0) {
        report(
          `${describe(route)} through ${pname} cannot be checked against the peer VPC's CIDR; keep the peer VPC in this stack ` +
            `or read it through a StackReference that exports its CIDR as "${config.peerCidrOutput}".`,
          route.urn,
        );
      } else if (!peerCidrs.some((c) => cidrContains(c, dest))) {
        report(
          `${describe(route)} sends ${dest} through ${pname}, which is not inside the peer VPC's CIDR ${peerCidrs.join(", ")}; ` +
            `route only the peer VPC's CIDR or specific peer subnets.`,
          route.urn,
        );
      }
    });
  },
});

interface PeeringEnvConfig {
  productionEnvironments: string[];
  managementEnvironments: string[];
  peerCidrOutput: string;
}

export const vpcPeeringConnectionDisallowCrossEnvironment = stackPolicy<PeeringEnvConfig>({
  name: "ec2-vpcpeeringconnection-disallow-cross-environment",
  description: "Production VPCs must not be peered with non-production VPCs (the management VPC excepted), and peered CIDRs must not overlap.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["X6"],
  configSchema: {
    properties: {
      productionEnvironments: { type: "array", items: { type: "string" }, default: ["prod"], description: "Environment names that are production." },
      managementEnvironments: {
        type: "array",
        items: { type: "string" },
        default: ["shared"],
        description: "Environments (the management VPC) that may peer with any environment.",
      },
      peerCidrOutput: { type: "string", default: "vpcCidr", description: "StackReference output holding a peer VPC's CIDR." },
    },
  },
  defaults: { productionEnvironments: ["prod"], managementEnvironments: ["shared"], peerCidrOutput: "vpcCidr" },
  appliesTo: [T.vpcPeeringConnection],
  validate: ({ graph, config }, report) => {
    forEachKnown(graph.ofType(T.vpcPeeringConnection), (peering) => {
      const a = sideOf(graph, peering, "vpcId", config.peerCidrOutput);
      const b = sideOf(graph, peering, "peerVpcId", config.peerCidrOutput);
      if (!a.environment || !b.environment) {
        report(
          `${describe(peering)} joins a VPC whose environment cannot be determined; tag both VPCs with Environment ` +
            `(or read the peer through a StackReference) so cross-environment peering can be ruled out.`,
          peering.urn,
        );
      } else {
        const prod = (e: string) => config.productionEnvironments.includes(e);
        const mgmt = (e: string) => config.managementEnvironments.includes(e);
        if (prod(a.environment) !== prod(b.environment) && !mgmt(a.environment) && !mgmt(b.environment)) {
          report(
            `${describe(peering)} joins environment "${a.environment}" to "${b.environment}"; production may peer only ` +
              `with production or the management VPC, so remove this peering.`,
            peering.urn,
          );
        }
      }
      if (a.cidr && b.cidr && cidrsOverlap(a.cidr, b.cidr)) {
        report(`${describe(peering)} joins overlapping CIDRs ${a.cidr} and ${b.cidr}; give the VPCs disjoint address ranges.`, peering.urn);
      }
    });
  },
});

export const instanceDisallowSourceDestCheckBypass = stackPolicy({
  name: "ec2-instance-disallow-source-dest-check-bypass",
  description: "Only NAT instances, which a route sends traffic through, may turn off the source/destination check.",
  enforcementLevel: "advisory",
  category: "security",
  severity: "medium",
  catalog: ["28"],
  appliesTo: [T.instance],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.instance), (instance) => {
      if (prop(instance, "sourceDestCheck") !== false) return;
      const routed = graph.ofType(T.route).some((route) => graph.refs(route, "networkInterfaceId", [T.instance]).includes(instance));
      if (!routed) {
        report(`${describe(instance)} turns off the source/destination check but no route sends traffic through it; keep sourceDestCheck on.`, instance.urn);
      }
    });
  },
});

export const eipRequireAssociation = stackPolicy({
  name: "ec2-eip-require-association",
  description: "Every Elastic IP should be attached to a NAT gateway or an instance.",
  enforcementLevel: "advisory",
  category: "cost",
  severity: "low",
  catalog: ["29", "X16"],
  appliesTo: [T.eip],
  validate: ({ graph }, report) => {
    for (const eip of graph.ofType(T.eip)) {
      const used =
        graph.referrers(eip, T.natGateway, "allocationId").length > 0 ||
        graph.referrers(eip, T.eipAssociation, "allocationId").length > 0 ||
        isPresent(eip.props, "instance") ||
        isPresent(eip.props, "networkInterface");
      if (!used) report(`${describe(eip)} is not attached to anything; attach it to a NAT gateway or instance, or release it.`, eip.urn);
    }
  },
});

export const policies: Policies = [
  subnetDisallowPublicIpOnLaunch,
  defaultVpcDisallowUsage,
  vpcRequireFlowLogs,
  vpcRequireClosedDefaultSecurityGroup,
  subnetRequireNatRoute,
  natGatewayRequirePerAz,
  routeTableDisallowInternetRouteOutsidePublic,
  subnetDisallowDefaultRouteFromIsolated,
  routeDisallowBroadPeeringDestination,
  vpcPeeringConnectionDisallowCrossEnvironment,
  instanceDisallowSourceDestCheckBypass,
  eipRequireAssociation,
];
