import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError, ConfigProblem } from "../config/problems";
import { valueAt } from "../config/zod-problems";
import { Tier } from "../network/plan";
import { stackFileName } from "../stacks";
import { PeerConfig, PeeringConfig, managementPeer, managementReference } from "./config";

/**
 * The management ("shared") stack's outputs an environment stack peers with, typed.
 *
 * This is the contract between the stacks: infra/platform.ts exports these names from the shared
 * stack, and the environment stacks read them here. The tests feed the environment stacks with the
 * shared stack's own mocked outputs, so a renamed or reshaped output fails them.
 */
export interface ManagementStack {
  /** The StackReference name as read, `org/project/stack`. */
  readonly name: string;
  readonly region: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Route table ids per tier (one public, one private per AZ, one isolated). */
  readonly routeTableIds: Readonly<Record<Tier, readonly string[]>>;
  readonly networkAclIds: Readonly<Record<Tier, string>>;
  readonly tierCidrs: Readonly<Record<Tier, string>>;
  /** The bastion's security group; absent when the shared stack runs no bastion. */
  readonly bastionSecurityGroupId?: string;
  /**
   * The bastion's instance role (name): same-account environments let it read their database's
   * master secret (infra/platform.ts). Absent without a bastion, or from a shared stack deployed
   * before the output existed.
   */
  readonly bastionRoleName?: string;
}

/** Outputs an environment cannot peer without: read with `requireOutputValue`, so a missing one fails loudly. */
export const REQUIRED_MANAGEMENT_OUTPUTS = [
  "region",
  "vpcId",
  "vpcCidr",
  "publicRouteTableIds",
  "privateRouteTableIds",
  "isolatedRouteTableIds",
  "networkAclIds",
  "tierCidrs",
] as const;
/** Outputs that may be absent (`undefined` outputs are not stored by the engine). */
export const OPTIONAL_MANAGEMENT_OUTPUTS = ["bastionSecurityGroupId", "bastionRoleName"] as const;

const id = (prefix: string) =>
  z.string().refine((s) => s.startsWith(prefix), { message: `an AWS id starting with "${prefix}"` });
const perTier = <T extends z.ZodType>(t: T) => z.object({ public: t, private: t, isolated: t });

const OutputsSchema = z.object({
  region: z.string().min(1),
  vpcId: id("vpc-"),
  vpcCidr: z.string().min(1),
  publicRouteTableIds: z.array(id("rtb-")).min(1),
  privateRouteTableIds: z.array(id("rtb-")).min(1),
  isolatedRouteTableIds: z.array(id("rtb-")).min(1),
  networkAclIds: perTier(id("acl-")),
  tierCidrs: perTier(z.string().min(1)),
  bastionSecurityGroupId: id("sg-").optional(),
  bastionRoleName: z.string().min(1).optional(),
});

/** The management stack's outputs do not fit what an environment needs (a stack-contract break). */
export class ManagementStackError extends Error {
  constructor(reference: string, problems: readonly string[]) {
    super(
      `The management stack "${reference}" does not provide the outputs peering needs; deploy it (first, ` +
        `see STACK_ORDER in infra/stacks.ts) from the same commit. Nothing else was created:\n` +
        problems.map((p) => ` - ${p}`).join("\n"),
    );
    this.name = "ManagementStackError";
  }
}

/** Pure: validates raw outputs (as a StackReference returns them) and types them. */
export function parseManagementOutputs(reference: string, raw: Readonly<Record<string, unknown>>): ManagementStack {
  const parsed = OutputsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ManagementStackError(
      reference,
      parsed.error.issues.map((i) => `output ${i.path.map(String).join(".")}: ${i.message}; received ${JSON.stringify(valueAt(raw, i.path))}`),
    );
  }
  const o = parsed.data;
  return {
    name: reference,
    region: o.region,
    vpcId: o.vpcId,
    vpcCidr: o.vpcCidr,
    routeTableIds: { public: o.publicRouteTableIds, private: o.privateRouteTableIds, isolated: o.isolatedRouteTableIds },
    networkAclIds: o.networkAclIds,
    tierCidrs: o.tierCidrs,
    bastionSecurityGroupId: o.bastionSecurityGroupId,
    bastionRoleName: o.bastionRoleName,
  };
}

/**
 * Reads the management stack's outputs through a StackReference and awaits them, so that the
 * number of its route tables is a plain value when resources are planned (a count known only
 * inside `apply` would hide the routes from `pulumi preview`). Every missing output is reported at
 * once.
 */
export async function readManagementStack(reference: string): Promise<ManagementStack> {
  const ref = new pulumi.StackReference(reference, { name: reference });
  const required = await Promise.allSettled(REQUIRED_MANAGEMENT_OUTPUTS.map((n) => ref.requireOutputValue(n)));
  const missing = required.flatMap((r) => (r.status === "rejected" ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
  if (missing.length > 0) throw new ManagementStackError(reference, missing);
  const raw: Record<string, unknown> = {};
  REQUIRED_MANAGEMENT_OUTPUTS.forEach((n, i) => {
    raw[n] = (required[i] as PromiseFulfilledResult<unknown>).value;
  });
  for (const n of OPTIONAL_MANAGEMENT_OUTPUTS) {
    const value: unknown = await ref.getOutputValue(n);
    if (value !== undefined && value !== null) raw[n] = value;
  }
  return parseManagementOutputs(reference, raw);
}

/**
 * Deploy-time agreement between the config and the management stack as deployed: the CIDR the
 * config promised (and that every overlap check used) is the real one, and the region is where
 * the config says the peer lives. Returned as ConfigProblems so they join the one ConfigError.
 */
export function checkManagementStack(
  peer: PeerConfig,
  peerIndex: number,
  region: string,
  stack: ManagementStack,
  file: string,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const key = `platform:peering.peers[${peerIndex}]`;
  if (peer.cidr !== stack.vpcCidr) {
    problems.push({
      key: `${key}.cidr`,
      received: peer.cidr,
      allowed: `the management VPC's real CIDR ${stack.vpcCidr} (output vpcCidr of ${stack.name})`,
      fix: `set ${key}.cidr to "${stack.vpcCidr}" in ${file}, or redeploy the management stack if its CIDR is the stale one`,
    });
  }
  const expectedRegion = peer.accepter?.region ?? region;
  if (stack.region !== expectedRegion) {
    problems.push({
      key: `${key}.accepter.region`,
      received: peer.accepter?.region,
      allowed: `the management stack's region ${stack.region} (output region of ${stack.name})`,
      fix: `set ${key}.accepter.region to "${stack.region}" in ${file} (cross-region peering)`,
    });
  }
  return problems;
}

/**
 * Reads the management peer's stack and checks it against the config, throwing ONE ConfigError
 * (nothing but the read-only StackReference has been registered at that point).
 */
export async function resolveManagementPeer(config: {
  readonly stack: string;
  readonly region: string;
  readonly peering: PeeringConfig;
}): Promise<{ readonly peer: PeerConfig; readonly management: ManagementStack }> {
  const peer = managementPeer(config.peering);
  const peerIndex = config.peering.peers.indexOf(peer);
  // `platform/shared` names the shared stack in whichever organization this stack is deployed
  // to: "organization" on S3 and local backends, the real one on Pulumi Cloud.
  const stack = await readManagementStack(managementReference(config.peering, pulumi.getOrganization()));
  const problems = checkManagementStack(peer, peerIndex, config.region, stack, stackFileName(config.stack));
  if (problems.length > 0) throw new ConfigError(config.stack, problems);
  return { peer, management: stack };
}
