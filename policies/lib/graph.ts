import { PolicyResource } from "@pulumi/policy";
import { isAnywhere } from "./cidr";
import { referencedGroupId } from "./sg";
import { Tags, resourceTags } from "./tags";
import { T } from "./types";
import { peek } from "./unknowns";

/**
 * The stack as a graph, for stack policies. Resources are joined through `propertyDependencies`
 * (which resource a property's value came from), never by comparing ids: during a real preview
 * the ids and ARNs of resources not created yet are unknown. Only when a property has no
 * dependency at all (a literal id, an imported resource) is its value compared with the
 * candidates' known `id`/`arn`/`name`.
 *
 * `props` of every resource are its outputs (AnalyzeStack is called on final state).
 */

export type Resource = PolicyResource;

export type RouteTarget =
  | "internet-gateway"
  | "nat-gateway"
  | "nat-instance"
  | "network-interface"
  | "peering"
  | "vpc-endpoint"
  | "transit-gateway"
  | "egress-only-gateway"
  | "local"
  | "other";

export interface RouteInfo {
  /** The Route resource, or the route table for a route declared inline / read back from AWS. */
  readonly source: Resource;
  readonly routeTable: Resource;
  readonly destination?: string;
  readonly destinationV6?: string;
  readonly target: RouteTarget;
  /** The resource the route points at, when it is in the stack. */
  readonly targetResource?: Resource;
}

export type Tier = "public" | "private" | "isolated";

function asArray(t: string | readonly string[]): readonly string[] {
  return typeof t === "string" ? [t] : t;
}

export function prop(r: Resource, key: string): unknown {
  return (r.props as Record<string, unknown>)[key];
}

export function describe(r: Resource): string {
  return `${r.type.split(":").pop()} "${r.name}"`;
}

export class StackGraph {
  private readonly byType = new Map<string, Resource[]>();
  private readonly byUrn = new Map<string, Resource>();

  constructor(readonly resources: readonly Resource[]) {
    for (const r of resources) {
      this.byUrn.set(r.urn, r);
      const list = this.byType.get(r.type) ?? [];
      list.push(r);
      this.byType.set(r.type, list);
    }
  }

  get(urn: string): Resource | undefined {
    return this.byUrn.get(urn);
  }

  ofType(...types: ReadonlyArray<string | readonly string[]>): Resource[] {
    return types.flatMap((t) => asArray(t)).flatMap((t) => this.byType.get(t) ?? []);
  }

  /**
   * The resources of `types` that property `key` of `r` came from. Falls back to matching the
   * property's known value against the candidates' id/arn/name when no dependency is recorded.
   */
  refs(r: Resource, key: string, types: ReadonlyArray<string | readonly string[]>): Resource[] {
    const wanted = new Set(types.flatMap((t) => asArray(t)));
    const deps = (r.propertyDependencies[key] ?? []).filter((d) => wanted.has(d.type));
    if (deps.length > 0) return unique(deps);
    if ((r.propertyDependencies[key] ?? []).length > 0) return [];
    const raw = peek(() => prop(r, key));
    const values = new Set(
      (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === "string" && v !== ""),
    );
    if (values.size === 0) return [];
    return this.ofType(...wanted).filter((c) =>
      ["id", "arn", "name", "bucket", "keyId"].some((k) => {
        const v = peek(() => prop(c, k));
        return typeof v === "string" && values.has(v);
      }),
    );
  }

  /** Resources of `types` whose property `key` refers to `target`. */
  referrers(target: Resource, types: string | readonly string[], key: string): Resource[] {
    return this.ofType(types).filter((r) => this.refs(r, key, [target.type]).includes(target));
  }

  /**
   * The StackReference whose outputs hold `value` (at any depth). Ids read from another stack are
   * known even during a preview, and a program that awaits a reference's output value records no
   * property dependency on the reference, so this is how such values are traced to their stack.
   */
  stackReferenceHolding(value: unknown): Resource | undefined {
    if (typeof value !== "string" || value === "") return undefined;
    const holds = (v: unknown): boolean =>
      v === value || (Array.isArray(v) ? v.some(holds) : typeof v === "object" && v !== null && Object.values(v).some(holds));
    return this.ofType(T.stackReference).find((ref) => holds(peek(() => prop(ref, "outputs"))));
  }

  /**
   * The StackReference property `key` of `r` was read from: by dependency, else by its value. A
   * security group of a peered VPC in another account is referenced as `<account id>/<group id>`
   * (EC2 API reference, UserIdGroupPair); the StackReference holds the group id alone.
   */
  stackReferenceOf(r: Resource, key: string): Resource | undefined {
    const value = peek(() => prop(r, key));
    return this.refs(r, key, [T.stackReference])[0] ?? this.stackReferenceHolding(typeof value === "string" ? referencedGroupId(value) : value);
  }

  tags(r: Resource): Tags {
    return resourceTags(r.props as Record<string, unknown>, r.provider?.props as Record<string, unknown> | undefined);
  }

  // --- network -------------------------------------------------------------------------------

  vpcOf(r: Resource): Resource | undefined {
    return this.refs(r, "vpcId", [T.vpc])[0];
  }

  routeTablesOfSubnet(subnet: Resource): Resource[] {
    return unique(
      this.referrers(subnet, T.routeTableAssociation, "subnetId").flatMap((a) => this.refs(a, "routeTableId", [T.routeTable])),
    );
  }

  subnetsOfRouteTable(rt: Resource): Resource[] {
    return unique(
      this.referrers(rt, T.routeTableAssociation, "routeTableId").flatMap((a) => this.refs(a, "subnetId", [T.subnet])),
    );
  }

  /** Every route of a route table: standalone Route resources and the table's own `routes`. */
  routesOf(rt: Resource): RouteInfo[] {
    const standalone = this.referrers(rt, T.route, "routeTableId").map((route) => this.classifyRoute(route, rt));
    const inline = this.inlineRoutes(rt);
    // After a deployment the table's `routes` output lists the standalone routes too; keep one.
    const key = (r: RouteInfo) => `${r.destination ?? ""}|${r.destinationV6 ?? ""}|${r.target}`;
    const seen = new Set(standalone.map(key));
    return [...standalone, ...inline.filter((r) => !seen.has(key(r)))];
  }

  /** Routes to 0.0.0.0/0 or ::/0. */
  defaultRoutesOf(rt: Resource): RouteInfo[] {
    return this.routesOf(rt).filter((r) => isAnywhere(r.destination) || isAnywhere(r.destinationV6));
  }

  classifyRoute(route: Resource, rt: Resource): RouteInfo {
    const dest = {
      ...(typeof prop(route, "destinationCidrBlock") === "string" ? { destination: prop(route, "destinationCidrBlock") as string } : {}),
      ...(typeof prop(route, "destinationIpv6CidrBlock") === "string"
        ? { destinationV6: prop(route, "destinationIpv6CidrBlock") as string }
        : {}),
    };
    const base = { source: route, routeTable: rt, ...dest };
    // First the joins: a target that came from another resource is known even when its id is not.
    const dep = (k: string) => (route.propertyDependencies[k] ?? []).length > 0;
    if (dep("natGatewayId")) return { ...base, target: "nat-gateway", ...ref(this.refs(route, "natGatewayId", [T.natGateway])[0]) };
    if (dep("vpcPeeringConnectionId")) {
      return { ...base, target: "peering", ...ref(this.refs(route, "vpcPeeringConnectionId", [T.vpcPeeringConnection])[0]) };
    }
    if (dep("networkInterfaceId")) {
      const instance = this.refs(route, "networkInterfaceId", [T.instance])[0];
      const nat = instance !== undefined && prop(instance, "sourceDestCheck") === false;
      return { ...base, target: nat ? "nat-instance" : "network-interface", ...ref(instance) };
    }
    if (dep("gatewayId")) {
      const igw = this.refs(route, "gatewayId", [T.internetGateway])[0];
      if (igw) return { ...base, target: "internet-gateway", targetResource: igw };
    }
    // Then literal values. Target attributes the user did not set can be unknown in a preview
    // (network_interface_id is computed), so an unknown one only matters if nothing else is set.
    const target = literalTarget((k) => peek(() => prop(route, k)));
    if (target !== undefined) return { ...base, target };
    // Nothing known: read the first unknown again so the caller sees the UnknownValueError.
    for (const [k] of TARGET_KEYS) prop(route, k);
    return { ...base, target: "other" };
  }

  private inlineRoutes(rt: Resource): RouteInfo[] {
    // A table declared without inline routes has `routes` unknown in a preview (AWS fills it in
    // from the standalone routes, which are checked on their own), so unknown reads as none.
    const routes = peek(() => prop(rt, "routes"));
    if (!Array.isArray(routes)) return [];
    return routes.map((entry): RouteInfo => {
      const e = entry as Record<string, unknown>;
      const dest = {
        ...(isSet(e.cidrBlock) ? { destination: e.cidrBlock as string } : {}),
        ...(isSet(e.ipv6CidrBlock) ? { destinationV6: e.ipv6CidrBlock as string } : {}),
      };
      return { source: rt, routeTable: rt, ...dest, target: literalTarget((k) => e[k]) ?? "other" };
    });
  }

  /**
   * A subnet's tier: its `Tier` tag (every subnet the platform creates carries one), else what
   * its routes make it (internet gateway default route: public; NAT: private; none: isolated).
   */
  tierOf(subnet: Resource): Tier | undefined {
    const tag = this.tags(subnet).Tier?.toLowerCase();
    if (tag === "public" || tag === "private" || tag === "isolated") return tag;
    return this.routedTier(subnet);
  }

  /** The tier a subnet's routing actually gives it, whatever its tag says. */
  routedTier(subnet: Resource): Tier | undefined {
    const tables = this.routeTablesOfSubnet(subnet);
    if (tables.length === 0) return undefined;
    const targets = tables.flatMap((t) => this.defaultRoutesOf(t)).map((r) => r.target);
    if (targets.includes("internet-gateway")) return "public";
    if (targets.some((t) => t === "nat-gateway" || t === "nat-instance")) return "private";
    return targets.length === 0 ? "isolated" : undefined;
  }

  availabilityZoneOf(subnet: Resource): string | undefined {
    const az = peek(() => prop(subnet, "availabilityZone") ?? prop(subnet, "availabilityZoneId"));
    return typeof az === "string" && az !== "" ? az : undefined;
  }

  /** The distinct known AZs of `subnets`. */
  availabilityZonesOf(subnets: readonly Resource[]): Set<string> {
    return new Set(subnets.map((s) => this.availabilityZoneOf(s)).filter((az): az is string => az !== undefined));
  }

  // --- security groups -----------------------------------------------------------------------

  /** Standalone rules (vpc ingress/egress rules and ec2 SecurityGroupRule) targeting a group. */
  rulesOf(sg: Resource): Resource[] {
    return [
      ...this.referrers(sg, T.securityGroupIngressRule, "securityGroupId"),
      ...this.referrers(sg, T.securityGroupEgressRule, "securityGroupId"),
      ...this.referrers(sg, T.securityGroupRule, "securityGroupId"),
    ];
  }

  /** Security groups a resource puts its network interfaces in. */
  securityGroupsOf(r: Resource): Resource[] {
    const sgs = [T.securityGroup];
    switch (r.type) {
      case T.ecsService:
      case T.ecsTaskSet:
        return this.refs(r, "networkConfiguration", sgs);
      case T.rdsCluster:
      case T.rdsInstance:
      case T.instance:
        return unique([...this.refs(r, "vpcSecurityGroupIds", sgs), ...this.refs(r, "securityGroups", sgs)]);
      case T.launchTemplate:
        return unique([...this.refs(r, "vpcSecurityGroupIds", sgs), ...this.refs(r, "networkInterfaces", sgs)]);
      case T.vpcEndpoint:
      case T.elasticacheReplicationGroup:
        return this.refs(r, "securityGroupIds", sgs);
      default:
        if ((T.loadBalancer as readonly string[]).includes(r.type)) return this.refs(r, "securityGroups", sgs);
        return [];
    }
  }
}

function ref(r: Resource | undefined): { targetResource?: Resource } {
  return r ? { targetResource: r } : {};
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== "";
}

/** A route's target attributes, in the order they are looked at, and what each value points at. */
const TARGET_KEYS: ReadonlyArray<readonly [key: string, kind: (value: unknown) => RouteTarget]> = [
  ["natGatewayId", () => "nat-gateway"],
  ["vpcPeeringConnectionId", () => "peering"],
  ["networkInterfaceId", () => "network-interface"],
  ["transitGatewayId", () => "transit-gateway"],
  ["vpcEndpointId", () => "vpc-endpoint"],
  ["egressOnlyGatewayId", () => "egress-only-gateway"],
  ["gatewayId", gatewayKind],
];

/** The target of a route (Route resource or inline entry) by its first set target attribute. */
function literalTarget(read: (key: string) => unknown): RouteTarget | undefined {
  for (const [key, kind] of TARGET_KEYS) {
    const v = read(key);
    if (isSet(v)) return kind(v);
  }
  return undefined;
}

/** `gatewayId` holds internet gateways, virtual private gateways, gateway endpoints or "local". */
function gatewayKind(value: unknown): RouteTarget {
  if (typeof value !== "string") return "other";
  if (value === "local") return "local";
  if (value.startsWith("igw-")) return "internet-gateway";
  if (value.startsWith("vpce-")) return "vpc-endpoint";
  return "other";
}

export function unique<R>(items: readonly R[]): R[] {
  return [...new Set(items)];
}
