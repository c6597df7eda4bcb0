import { EPHEMERAL_FROM, EPHEMERAL_TO, NaclRule, allowTcp, uniqueSorted } from "../network/nacl";
import { TIERS, Tier } from "../network/plan";
import { MAX_TO_MANAGEMENT_PORTS, PeerAccepterConfig, RULE_SLOTS } from "./config";

/**
 * The peering plan between one environment and the management VPC. Pure: no Pulumi, unit-tested.
 *
 * Routes: each side routes exactly the other VPC's CIDR through the peering connection, and only
 * from the route tables of tiers that take part (a tier the management VPC reaches needs the route
 * back for its replies). Never 0.0.0.0/0: peering is not transitive, so a default route through it
 * would black-hole, and a wide one could shadow another environment.
 *
 * NACLs, the management side (written by the environment stack into the shared NACLs, inside this
 * environment's slot `s` of range 400–499, number = 400 + 10·s + k, per management tier):
 *
 * | k    | direction | rule                                                      | when                        |
 * |------|-----------|-----------------------------------------------------------|-----------------------------|
 * | 0    | egress    | database port → env isolated tier                         | managementTo has isolated   |
 * | 1    | egress    | ephemeral (replies) → env public tier                     | toManagement has public     |
 * | 2    | egress    | ephemeral (replies) → env private tier                    | toManagement has private    |
 * | 3–9  | egress    | each service port → env private tier (at most 7)          | managementTo has private    |
 * | 0    | ingress   | ephemeral (replies) ← env isolated tier                   | managementTo has isolated   |
 * | 1    | ingress   | ephemeral (replies) ← env private tier                    | managementTo has private    |
 * | 2–5  | ingress   | each toManagement port ← env private tier                 | toManagement has private    |
 * | 6–9  | ingress   | each toManagement port ← env public tier                  | toManagement has public     |
 *
 * Fixed positions, not a running count, so turning one flow on or off never renumbers (and so
 * replaces) another rule.
 *
 * NACLs, the environment side: the management VPC's access to the private and isolated tiers is
 * the network planner's (rules 300–399, from `VpcArgs.managementCidrs`). This plan adds the
 * environment's own flows to the management VPC in each `toManagement` tier: ingress 400
 * (ephemeral replies from it) and egress 400 + j (toManagement port j to it).
 */

export interface PeeredVpc {
  readonly vpcCidr: string;
  readonly tierCidrs: Readonly<Record<Tier, string>>;
}

export interface PeeringIntent {
  readonly environment: PeeredVpc;
  readonly management: PeeredVpc;
  readonly managementTo: readonly Tier[];
  readonly toManagement: readonly Tier[];
  readonly managementTiers: readonly Tier[];
  readonly toManagementPorts: readonly number[];
  /** Container ports of the environment's private tier (what the network planner opens to the management VPC). */
  readonly servicePorts: readonly number[];
  /** The environment's database port (isolated tier). */
  readonly databasePort: number;
  readonly ruleSlot: number;
}

export interface PeeringRoute {
  readonly tier: Tier;
  /** The peer VPC's exact CIDR. */
  readonly destinationCidrBlock: string;
}

export interface PeeringPlan {
  /** Environment route tables (by tier) that route the management CIDR through the connection. */
  readonly environmentRoutes: readonly PeeringRoute[];
  /** Management route tables (by tier) that route this environment's CIDR through the connection. */
  readonly managementRoutes: readonly PeeringRoute[];
  readonly environmentNaclRules: readonly NaclRule[];
  readonly managementNaclRules: readonly NaclRule[];
  /** Egress the management bastion's security group needs: the database port to the isolated tier. */
  readonly bastionEgress?: { readonly port: number; readonly cidr: string };
}

/** First rule number of the environment-side rules towards the management VPC. */
export const ENVIRONMENT_RULE_BASE = 400;
/** First rule number of the management-side range; slot `s` starts at MANAGEMENT_RULE_BASE + 10·s. */
export const MANAGEMENT_RULE_BASE = 400;
export const RULES_PER_SLOT = 10;
export const MAX_SERVICE_PORTS_TO_MANAGEMENT = 7;

/** The management-side rule numbers a slot owns. */
export function slotRange(slot: number): { readonly first: number; readonly last: number } {
  const first = MANAGEMENT_RULE_BASE + RULES_PER_SLOT * slot;
  return { first, last: first + RULES_PER_SLOT - 1 };
}

const rule = allowTcp;

function inOrder(tiers: readonly Tier[]): Tier[] {
  return TIERS.filter((t) => tiers.includes(t));
}

/**
 * Plans routes, NACL entries and the bastion rule of one environment ↔ management peering.
 * Throws on input that config validation refuses first (an out-of-range slot, too many ports), and
 * on more service ports than the slot layout holds, naming the limit.
 */
export function planPeering(intent: PeeringIntent): PeeringPlan {
  const { environment: env, management: mgmt, ruleSlot, databasePort } = intent;
  if (!Number.isInteger(ruleSlot) || ruleSlot < 0 || ruleSlot >= RULE_SLOTS) {
    throw new Error(`planPeering: ruleSlot must be 0..${RULE_SLOTS - 1}, got ${ruleSlot}`);
  }
  const servicePorts = uniqueSorted(intent.servicePorts);
  const toManagementPorts = [...new Set(intent.toManagementPorts)];
  if (intent.managementTo.includes("private") && servicePorts.length > MAX_SERVICE_PORTS_TO_MANAGEMENT) {
    throw new Error(
      `planPeering: ${servicePorts.length} service ports (${servicePorts.join(", ")}) exceed the ${MAX_SERVICE_PORTS_TO_MANAGEMENT} the management NACL slot holds; ` +
        `remove "private" from platform:peering.managementTo or serve fewer ports`,
    );
  }
  if (toManagementPorts.length > MAX_TO_MANAGEMENT_PORTS) {
    throw new Error(`planPeering: at most ${MAX_TO_MANAGEMENT_PORTS} toManagement ports, got ${toManagementPorts.length}`);
  }

  const active = intent.managementTo.length > 0 || intent.toManagement.length > 0;
  const environmentRoutes = active
    ? inOrder([...intent.managementTo, ...intent.toManagement]).map((tier) => ({ tier, destinationCidrBlock: mgmt.vpcCidr }))
    : [];
  const managementRoutes = active ? inOrder(intent.managementTiers).map((tier) => ({ tier, destinationCidrBlock: env.vpcCidr })) : [];

  const reaches = (t: Tier) => intent.managementTo.includes(t);
  const reachedFrom = (t: Tier) => intent.toManagement.includes(t);
  const { first } = slotRange(ruleSlot);
  const managementNaclRules: NaclRule[] = [];
  for (const tier of inOrder(intent.managementTiers)) {
    if (reaches("isolated")) {
      managementNaclRules.push(rule(tier, true, first, env.tierCidrs.isolated, databasePort, databasePort, "database"));
    }
    if (reachedFrom("public")) {
      managementNaclRules.push(rule(tier, true, first + 1, env.tierCidrs.public, EPHEMERAL_FROM, EPHEMERAL_TO, "public-replies"));
    }
    if (reachedFrom("private")) {
      managementNaclRules.push(rule(tier, true, first + 2, env.tierCidrs.private, EPHEMERAL_FROM, EPHEMERAL_TO, "private-replies"));
    }
    if (reaches("private")) {
      servicePorts.forEach((p, i) => managementNaclRules.push(rule(tier, true, first + 3 + i, env.tierCidrs.private, p, p, `service-${p}`)));
    }
    if (reaches("isolated")) {
      managementNaclRules.push(rule(tier, false, first, env.tierCidrs.isolated, EPHEMERAL_FROM, EPHEMERAL_TO, "database-replies"));
    }
    if (reaches("private")) {
      managementNaclRules.push(rule(tier, false, first + 1, env.tierCidrs.private, EPHEMERAL_FROM, EPHEMERAL_TO, "service-replies"));
    }
    if (reachedFrom("private")) {
      toManagementPorts.forEach((p, j) => managementNaclRules.push(rule(tier, false, first + 2 + j, env.tierCidrs.private, p, p, `from-private-${p}`)));
    }
    if (reachedFrom("public")) {
      toManagementPorts.forEach((p, j) => managementNaclRules.push(rule(tier, false, first + 6 + j, env.tierCidrs.public, p, p, `from-public-${p}`)));
    }
  }

  const environmentNaclRules: NaclRule[] = [];
  for (const tier of inOrder(intent.toManagement)) {
    environmentNaclRules.push(rule(tier, false, ENVIRONMENT_RULE_BASE, mgmt.vpcCidr, EPHEMERAL_FROM, EPHEMERAL_TO, "management-replies"));
    toManagementPorts.forEach((p, j) =>
      environmentNaclRules.push(rule(tier, true, ENVIRONMENT_RULE_BASE + j, mgmt.vpcCidr, p, p, `to-management-${p}`)),
    );
  }

  return {
    environmentRoutes,
    managementRoutes,
    environmentNaclRules,
    managementNaclRules,
    bastionEgress: reaches("isolated") ? { port: databasePort, cidr: env.tierCidrs.isolated } : undefined,
  };
}

/**
 * How the connection is made and accepted.
 *
 * | mode                      | connection                            | accepted by                                         |
 * |---------------------------|---------------------------------------|-----------------------------------------------------|
 * | `sameAccountSameRegion`   | `autoAccept: true`                    | AWS, immediately (only possible in this case)       |
 * | `sameAccountCrossRegion`  | `peerRegion`, `autoAccept: false`     | a `VpcPeeringConnectionAccepter` in the peer region |
 * | `crossAccount`            | `peerOwnerId` (+ `peerRegion`)        | an accepter through a provider assuming `roleArn`   |
 */
export type PeeringMode = "sameAccountSameRegion" | "sameAccountCrossRegion" | "crossAccount";

export function peeringMode(accepter: PeerAccepterConfig | undefined, region: string): PeeringMode {
  if (accepter?.ownerId !== undefined) return "crossAccount";
  if (accepter?.region !== undefined && accepter.region !== region) return "sameAccountCrossRegion";
  return "sameAccountSameRegion";
}

/**
 * Whether the environment may reference the management VPC's security groups (the bastion's) in
 * its own rules. AWS allows it across a peering connection in the same region only (cross-account
 * as `<account>/<sg-id>`); across regions the rule must name the management CIDR instead.
 */
export function canReferencePeerSecurityGroups(accepter: PeerAccepterConfig | undefined, region: string): boolean {
  return (accepter?.region ?? region) === region;
}
