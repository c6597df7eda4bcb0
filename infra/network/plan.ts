import { Cidr, blockSize, formatCidr, parseCidr } from "./cidr";

/**
 * Subnet address plan: pure, deterministic, stable.
 *
 * A VPC of prefix /p is cut into fixed slots, so that adding an AZ (up to MAX_AZS) or a fourth tier
 * later never renumbers an existing subnet (renumbering a subnet replaces it, and everything in it):
 *
 * | VPC share        | tier      | block      | subnet per AZ slot (4 slots) | for a /16       |
 * |------------------|-----------|------------|------------------------------|-----------------|
 * | 0   – 1/2        | private   | /p+1       | /p+3                         | 4 x /19 (8,187) |
 * | 1/2 – 5/8        | public    | /p+3       | /p+5                         | 4 x /21 (2,043) |
 * | 5/8 – 3/4        | isolated  | /p+3       | /p+5                         | 4 x /21 (2,043) |
 * | 3/4 – 1          | reserved  | /p+2       | (a future tier)              | /18             |
 *
 * The private (application) tier gets half of the space because Fargate tasks take one ENI, and so
 * one address, each; public subnets only hold ALB nodes, NAT and the bastion; isolated only
 * Aurora. Each tier's block is one contiguous CIDR, which is what the NACLs and peering routes
 * name, so they too stay valid when an AZ is added.
 */
export const TIERS = ["public", "private", "isolated"] as const;
export type Tier = (typeof TIERS)[number];

/** AZ slots reserved per tier. Regions offer up to 6 AZs; 4 slots cover every layout we run. */
export const MAX_AZS = 4;
/** Smallest subnet AWS allows. */
export const MIN_SUBNET_PREFIX = 28;
/** VPC prefix bounds AWS allows. */
export const VPC_PREFIX_MIN = 16;
export const VPC_PREFIX_MAX = 28;

interface TierSlot {
  /** Offset of the tier block, in 1/32ths of the VPC. */
  readonly offset32: number;
  /** Prefix added to the VPC prefix for the tier block. */
  readonly blockDelta: number;
  /** Prefix added to the VPC prefix for each subnet. */
  readonly subnetDelta: number;
}

const LAYOUT: Record<Tier, TierSlot> = {
  private: { offset32: 0, blockDelta: 1, subnetDelta: 3 },
  public: { offset32: 16, blockDelta: 3, subnetDelta: 5 },
  isolated: { offset32: 20, blockDelta: 3, subnetDelta: 5 },
};

/** The largest VPC prefix that still fits the layout (its smallest subnets are /28). */
export const LARGEST_VPC_PREFIX_FOR_LAYOUT = MIN_SUBNET_PREFIX - Math.max(...Object.values(LAYOUT).map((l) => l.subnetDelta));

export interface SubnetPlan {
  readonly tier: Tier;
  /** 0-based AZ index (the subnet sits in the index-th AZ of the stack). */
  readonly azIndex: number;
  readonly cidr: string;
}

export interface NetworkPlan {
  readonly vpcCidr: string;
  /** One contiguous block per tier, covering all its AZ slots (used by NACLs and peering). */
  readonly tierCidrs: Readonly<Record<Tier, string>>;
  /** Ordered by tier (public, private, isolated), then AZ. */
  readonly subnets: readonly SubnetPlan[];
}

function slice(vpc: Cidr, offset32: number, prefix: number, index: number): Cidr {
  return { base: vpc.base + (blockSize(vpc.prefix) / 32) * offset32 + index * blockSize(prefix), prefix };
}

/**
 * Plans the tier blocks and subnets of a VPC. Throws on input that config validation rejects
 * first (so reaching the throw is a programming error, not a user one).
 */
export function planNetwork(vpcCidr: string, azCount: number): NetworkPlan {
  const vpc = parseCidr(vpcCidr);
  if (!vpc) throw new Error(`planNetwork: malformed VPC CIDR ${vpcCidr}`);
  if (vpc.prefix > LARGEST_VPC_PREFIX_FOR_LAYOUT) {
    throw new Error(`planNetwork: ${vpcCidr} is too small; the layout needs /${LARGEST_VPC_PREFIX_FOR_LAYOUT} or larger`);
  }
  if (!Number.isInteger(azCount) || azCount < 1 || azCount > MAX_AZS) {
    throw new Error(`planNetwork: azCount must be 1..${MAX_AZS}, got ${azCount}`);
  }
  const tierCidrs = {} as Record<Tier, string>;
  const subnets: SubnetPlan[] = [];
  for (const tier of TIERS) {
    const l = LAYOUT[tier];
    tierCidrs[tier] = formatCidr(slice(vpc, l.offset32, vpc.prefix + l.blockDelta, 0));
    for (let az = 0; az < azCount; az++) {
      subnets.push({ tier, azIndex: az, cidr: formatCidr(slice(vpc, l.offset32, vpc.prefix + l.subnetDelta, az)) });
    }
  }
  return { vpcCidr, tierCidrs, subnets };
}

export function subnetsOf(plan: NetworkPlan, tier: Tier): SubnetPlan[] {
  return plan.subnets.filter((s) => s.tier === tier);
}
