import { z } from "zod";
import { ConfigProblem, duplicateProblems } from "../config/problems";
import { formatCidr, overlaps, parseCidr } from "../network/cidr";
import { TIERS, Tier } from "../network/plan";
import { qualifyStackName, stackFileName } from "../stacks";

/**
 * `platform:peering`: how an environment stack peers with the management ("shared") VPC.
 *
 * Absent in the management stack itself. In an environment stack it names its peers; exactly one
 * of them is the management VPC, the only peer this architecture builds. Environments never reach
 * each other, and prod is never peered with a non-prod environment: both rules are checked here,
 * before anything is created, and across every stack file by `platform addresses`.
 *
 * Connection scenarios, decided by `peers[].accepter` (see `peeringMode` in ./plan.ts):
 *
 * | accepter.ownerId | accepter.region       | connection                             | accepter side                                    |
 * |------------------|-----------------------|----------------------------------------|--------------------------------------------------|
 * | (not set)        | (not set), own region | requester with `autoAccept: true`      | nothing: AWS accepts in one account and region   |
 * | (not set)        | another region        | requester with `peerRegion`            | `VpcPeeringConnectionAccepter` in that region    |
 * | set              | any                   | requester with `peerOwnerId` (+region) | accepter through a provider assuming `roleArn`   |
 */

/** The class of this stack's environment. */
export const ENVIRONMENT_CLASSES = ["prod", "nonprod"] as const;
export type EnvironmentClass = (typeof ENVIRONMENT_CLASSES)[number];

/** The class of a peer: the management VPC, or another environment. */
export const PEER_CLASSES = ["management", ...ENVIRONMENT_CLASSES] as const;
export type PeerClass = (typeof PEER_CLASSES)[number];

/** Environment tiers the management VPC reaches (the env NACL admits it only in these: rules 300–399). */
export const MANAGEMENT_TO_TIERS: readonly Tier[] = ["private", "isolated"];
/** Environment tiers that may reach the management VPC (the isolated tier never leaves its VPC). */
export const TO_MANAGEMENT_TIERS: readonly Tier[] = ["public", "private"];
/** Management VPC tiers that may hold operators and tooling (its isolated tier has no peering route). */
export const MANAGEMENT_SIDE_TIERS: readonly Tier[] = ["public", "private"];

export const DEFAULT_MANAGEMENT_TO: readonly Tier[] = ["private", "isolated"];
export const DEFAULT_TO_MANAGEMENT: readonly Tier[] = ["private"];
export const DEFAULT_MANAGEMENT_TIERS: readonly Tier[] = ["private"];
export const DEFAULT_TO_MANAGEMENT_PORTS: readonly number[] = [443];
/** Ports a tier may open towards the management VPC (the rule layout reserves four per tier). */
export const MAX_TO_MANAGEMENT_PORTS = 4;

/**
 * Slots of the management VPC's NACL range 400–499: slot `s` owns rules 400+10s … 409+10s, so
 * ten environments can write into the shared NACLs without colliding.
 */
export const RULE_SLOTS = 10;

/**
 * `project/stack` (the usual form: the program completes it with the backend's organization, see
 * qualifyStackName in infra/stacks.ts, so one file works on Pulumi Cloud, S3 and local backends)
 * or `org/project/stack` (pinned to one organization).
 */
export const STACK_REFERENCE_PATTERN = /^([A-Za-z0-9_.-]+\/)?[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

const stackReference = z.string().refine((s) => STACK_REFERENCE_PATTERN.test(s), {
  message: "invalid stack reference",
  params: {
    allowed: "a stack name project/stack (the backend's organization is added at deploy time), or organization/project/stack, e.g. platform/shared",
    fix: "write the peer stack as project/stack, e.g. platform/shared",
  },
});

const port = z.number().int().min(1).max(65535);

export const PeerAccepterSchema = z.strictObject({
  /** AWS account (12 digits) that owns the peer VPC. @default - this stack's account */
  ownerId: z
    .string()
    .refine((s) => /^\d{12}$/.test(s), {
      message: "invalid account id",
      params: { allowed: "a 12-digit AWS account id, as a string", fix: 'quote the account id, e.g. "210987654321"' },
    })
    .optional(),
  /** Region of the peer VPC. @default - this stack's region (`aws:region`) */
  region: z.string().optional(),
  /**
   * Role the stack assumes in the peer account to accept the connection and write the peer-side
   * routes, NACL entries and security group rule. Required when `ownerId` is set.
   * @default - none: same account, this stack's own credentials
   */
  roleArn: z.string().optional(),
  /**
   * Read-only role in the peer account (`ec2:Describe*` only) that read-only previews assume
   * instead of `roleArn`, when `PLATFORM_READ_ONLY_PREVIEW=1` is set (pull-request previews run
   * with the read-only preview role, which the accepter role does not trust, and must not: the
   * accepter role writes the management VPC's routes, NACLs and security group rules, and a pull
   * request's code is not reviewed yet). Same account as `roleArn`; only with `ownerId`.
   * @default - none: previews assume `roleArn` too
   */
  previewRoleArn: z.string().optional(),
});
export type PeerAccepterConfig = z.infer<typeof PeerAccepterSchema>;

/**
 * The environment variable that marks a read-only preview (the pull-request previews of
 * .github/workflows/deploy.yml and review.yml set it to `1`). It is read here and nowhere else.
 *
 * Not `pulumi.runtime.isDryRun()`: `pulumi up` runs its own preview first, and that preview must
 * build the providers exactly as the update does (with `roleArn`), or it would show a different
 * plan than the one applied. Only the separate, read-only `pulumi preview` runs, whose credentials
 * cannot assume the accepter role, opt in.
 */
export const READ_ONLY_PREVIEW_ENV = "PLATFORM_READ_ONLY_PREVIEW";

/** Whether this run is a read-only preview: `PLATFORM_READ_ONLY_PREVIEW=1`, nothing else. */
export function isReadOnlyPreview(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return env[READ_ONLY_PREVIEW_ENV] === "1";
}

/**
 * The role the peer provider assumes: `previewRoleArn` in a read-only preview when it is set,
 * `roleArn` otherwise (same account, so `allowedAccountIds` holds either way).
 */
export function peerProviderRoleArn(accepter: PeerAccepterConfig | undefined, readOnlyPreview: boolean): string | undefined {
  if (readOnlyPreview && accepter?.previewRoleArn !== undefined) return accepter.previewRoleArn;
  return accepter?.roleArn;
}

export const PeerSchema = z.strictObject({
  /**
   * The peer's stack, `project/stack` (completed with the backend's organization when deployed) or
   * `org/project/stack`; its last segment is the peer's name. Required.
   */
  stack: stackReference,
  /**
   * The peer VPC's CIDR. Known at config time so overlaps are refused before anything exists; at
   * deploy time it must equal the peer stack's `vpcCidr` output. Required.
   */
  cidr: z.string(),
  /** What the peer is. Only `management` peers are built (see the rules above). Required. */
  environmentClass: z.enum(PEER_CLASSES),
  /** Cross-account or cross-region peering. @default - same account and region, auto-accepted */
  accepter: PeerAccepterSchema.optional(),
});
export type PeerConfig = z.infer<typeof PeerSchema>;

export const PeeringConfigSchema = z.strictObject({
  /** This environment's class; prod is never peered with non-prod. Required. */
  environmentClass: z.enum(ENVIRONMENT_CLASSES),
  /**
   * This stack's slot in the management VPC's NACL range 400–499 (rules 400+10·slot …
   * 409+10·slot). Must be unique among the stacks peered with the same management VPC; `platform
   * addresses` checks that across every stack file. Required.
   */
  ruleSlot: z.number().int().min(0).max(RULE_SLOTS - 1),
  /** The VPCs this stack peers with: exactly one with environmentClass `management`. Required. */
  peers: z.array(PeerSchema).min(1),
  /**
   * Environment tiers the management VPC reaches (routes back to it from their route tables;
   * the management side may open their ports). `private`, `isolated`.
   * @default ["private", "isolated"]
   */
  managementTo: z.array(z.enum(TIERS)).default(() => [...DEFAULT_MANAGEMENT_TO]),
  /** Environment tiers that reach the management VPC. `public`, `private`. @default ["private"] */
  toManagement: z.array(z.enum(TIERS)).default(() => [...DEFAULT_TO_MANAGEMENT]),
  /**
   * Management VPC tiers whose route tables get the route to this environment (where the bastion
   * and tooling run; `public` when the bastion takes SSH from office CIDRs). @default ["private"]
   */
  managementTiers: z.array(z.enum(TIERS)).default(() => [...DEFAULT_MANAGEMENT_TIERS]),
  /** TCP ports the `toManagement` tiers open to the management VPC (at most 4). @default [443] */
  toManagementPorts: z.array(port).max(MAX_TO_MANAGEMENT_PORTS).default(() => [...DEFAULT_TO_MANAGEMENT_PORTS]),
  /**
   * Let each side resolve the other's public DNS hostnames to private addresses. Off unless
   * something needs it (guardrail 33); the options apply once the connection is active.
   * @default false
   */
  allowRemoteVpcDnsResolution: z.boolean().default(false),
});
export type PeeringConfig = z.infer<typeof PeeringConfigSchema>;

/** The peer's project: the project segment of `[org/]project/stack`. */
export function peerProject(peer: Pick<PeerConfig, "stack">): string {
  const parts = peer.stack.split("/");
  return parts[parts.length - 2];
}

/** The peer's name: the stack segment of `[org/]project/stack`. */
export function peerName(peer: Pick<PeerConfig, "stack">): string {
  const parts = peer.stack.split("/");
  return parts[parts.length - 1];
}

/** The one management peer (validation guarantees exactly one). */
export function managementPeer(peering: PeeringConfig): PeerConfig {
  const peer = peering.peers.find((p) => p.environmentClass === "management");
  if (!peer) throw new Error("managementPeer: no peer with environmentClass management (config validation should have refused this)");
  return peer;
}

/**
 * The StackReference name of the management peer as the program reads it in `organization`
 * (`pulumi.getOrganization()`): `platform/shared` becomes `<organization>/platform/shared`.
 */
export function managementReference(peering: PeeringConfig, organization: string): string {
  return qualifyStackName(managementPeer(peering).stack, organization);
}

export interface PeeringValidationContext {
  readonly stack: string;
  readonly region: string;
  readonly file: string;
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

function isSelf(peer: PeerConfig, stack: string): boolean {
  return peerName(peer) === stack;
}

function tierProblems(key: string, tiers: readonly Tier[], allowed: readonly Tier[], why: string, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  tiers.forEach((tier, i) => {
    if (!allowed.includes(tier)) {
      problems.push({
        key: `${key}[${i}]`,
        received: tier,
        allowed: `${allowed.map((t) => JSON.stringify(t)).join(" or ")}: ${why}`,
        fix: `remove "${tier}" from ${key} in ${file}`,
      });
    }
  });
  problems.push(...duplicateProblems(key, tiers, "each tier at most once"));
  return problems;
}

/**
 * Rules of a peering section on its own (no other section needed):
 * - exactly one management peer, each peer listed once;
 * - an environment may not peer with itself;
 * - prod is never peered with non-prod, and environments are not peered with each other at all:
 *   only the management VPC bridges them;
 * - the accepter block describes a real account/region/role combination;
 * - tiers and ports are ones the NACL layout can express.
 */
export function validatePeeringConfig(peering: PeeringConfig, ctx: PeeringValidationContext): ConfigProblem[] {
  const { file } = ctx;
  const problems: ConfigProblem[] = [];
  const managementCount = peering.peers.filter((p) => p.environmentClass === "management").length;
  if (managementCount !== 1) {
    problems.push({
      key: "platform:peering.peers",
      received: peering.peers.map((p) => p.stack),
      allowed: "exactly one peer with environmentClass \"management\": the management VPC every environment peers with",
      fix:
        managementCount === 0
          ? `add { stack: platform/shared, cidr: <the shared stack's platform:network.cidr>, environmentClass: management } to platform:peering.peers in ${file}`
          : `keep one management peer in platform:peering.peers in ${file}`,
    });
  }

  peering.peers.forEach((peer, i) => {
    const key = `platform:peering.peers[${i}]`;
    const name = peerName(peer);
    if (peering.peers.findIndex((p) => p.stack === peer.stack) !== i) {
      problems.push({ key: `${key}.stack`, received: peer.stack, allowed: "each peer stack listed once", fix: `remove the second ${peer.stack} from ${file}` });
      return;
    }
    if (isSelf(peer, ctx.stack)) {
      problems.push({
        key: `${key}.stack`,
        received: peer.stack,
        allowed: `another stack: "${ctx.stack}" may not peer with itself (AWS refuses to peer a VPC with itself)`,
        fix: `remove this peer from ${file}; environments peer only with the management VPC, e.g. platform/shared`,
      });
      return;
    }
    if (peer.environmentClass !== "management") {
      const crossesProd = peer.environmentClass !== peering.environmentClass;
      problems.push({
        key: `${key}.environmentClass`,
        received: peer.environmentClass,
        allowed: crossesProd
          ? `"management" only: a ${peering.environmentClass} environment is never peered with a ${peer.environmentClass} environment ("${name}"); only the management VPC bridges prod and non-prod`
          : `"management" only: environments are never peered with each other ("${ctx.stack}" with "${name}"); operators reach both through the management VPC`,
        fix: `remove the peer ${peer.stack} from platform:peering.peers in ${file}`,
      });
    }
    if (!parseCidr(peer.cidr)) {
      problems.push({
        key: `${key}.cidr`,
        received: peer.cidr,
        allowed: "an IPv4 CIDR block a.b.c.d/n whose address has no host bits set: the peer stack's platform:network.cidr",
        fix: `copy platform:network.cidr from ${stackFileName(name)}`,
      });
    }
    problems.push(...accepterProblems(peer, `${key}.accepter`, ctx));
  });

  problems.push(
    ...tierProblems(
      "platform:peering.managementTo",
      peering.managementTo,
      MANAGEMENT_TO_TIERS,
      "the environment's NACLs admit the management VPC only there (rules 300–399); public endpoints are reached through the load balancer",
      file,
    ),
    ...tierProblems("platform:peering.toManagement", peering.toManagement, TO_MANAGEMENT_TIERS, "the isolated tier has no route beyond its VPC by design", file),
    ...tierProblems(
      "platform:peering.managementTiers",
      peering.managementTiers,
      MANAGEMENT_SIDE_TIERS,
      "operators and tooling of the management VPC run there; its isolated tier gets no peering route",
      file,
    ),
  );
  if (peering.managementTo.length === 0 && peering.toManagement.length === 0) {
    problems.push({
      key: "platform:peering.managementTo",
      received: peering.managementTo,
      allowed: "at least one tier in managementTo or toManagement (otherwise the peering carries nothing)",
      fix: `set platform:peering.managementTo to ["private", "isolated"], or remove platform:peering from ${file}`,
    });
  }
  if (peering.managementTiers.length === 0) {
    problems.push({
      key: "platform:peering.managementTiers",
      received: peering.managementTiers,
      allowed: "at least one management tier (where the bastion and tooling run)",
      fix: `set platform:peering.managementTiers to ["private"] in ${file}`,
    });
  }
  problems.push(...duplicateProblems("platform:peering.toManagementPorts", peering.toManagementPorts, "each port at most once"));
  return problems;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/;

/**
 * An accepter role ARN (`roleArn`, `previewRoleArn`): a role ARN, whose account is the peer's
 * `ownerId` (given, or reported missing when `reportMissingOwner`).
 */
function roleArnProblems(
  key: string,
  field: "roleArn" | "previewRoleArn",
  arn: string,
  ownerId: string | undefined,
  file: string,
  reportMissingOwner: boolean,
  wrongAccount: (ownerId: string) => { allowed: string; fix: string },
): ConfigProblem[] {
  const m = ROLE_ARN.exec(arn);
  if (!m) return [{ key: `${key}.${field}`, received: arn, allowed: "an IAM role ARN arn:aws:iam::<account>:role/<name>", fix: `correct it in ${file}` }];
  if (ownerId === undefined) {
    return reportMissingOwner
      ? [
          {
            key: `${key}.ownerId`,
            received: undefined,
            allowed: `the peer account, ${m[1]}, whenever a ${field} is given`,
            fix: `add ${key}.ownerId: "${m[1]}", or remove ${field} for a same-account peer`,
          },
        ]
      : [];
  }
  return m[1] === ownerId ? [] : [{ key: `${key}.${field}`, received: arn, ...wrongAccount(ownerId) }];
}

function accepterProblems(peer: PeerConfig, key: string, ctx: PeeringValidationContext): ConfigProblem[] {
  const a = peer.accepter;
  if (!a) return [];
  const problems: ConfigProblem[] = [];
  if (a.region !== undefined && !REGION_PATTERN.test(a.region)) {
    problems.push({ key: `${key}.region`, received: a.region, allowed: "an AWS region name such as ap-northeast-1", fix: `correct it in ${ctx.file}` });
  }
  if (a.ownerId !== undefined && a.roleArn === undefined) {
    problems.push({
      key: `${key}.roleArn`,
      received: undefined,
      allowed: `the ARN of a role in account ${a.ownerId} that may accept peering connections and edit the peer's routes, NACLs and security groups`,
      fix: `add ${key}.roleArn, e.g. "arn:aws:iam::${a.ownerId}:role/platform-peering-accepter"`,
    });
  }
  if (a.roleArn !== undefined) {
    problems.push(
      ...roleArnProblems(key, "roleArn", a.roleArn, a.ownerId, ctx.file, true, (owner) => ({
        allowed: `a role in the peer account ${owner}`,
        fix: `use a role of account ${owner}, or correct ${key}.ownerId`,
      })),
    );
  }
  if (a.previewRoleArn !== undefined) {
    // With a roleArn too, a missing ownerId is reported once, by the roleArn check.
    problems.push(
      ...roleArnProblems(key, "previewRoleArn", a.previewRoleArn, a.ownerId, ctx.file, a.roleArn === undefined, (owner) => ({
        allowed: `a read-only role in the peer account ${owner}, the account of the accepter role`,
        fix: `use a role of account ${owner}, e.g. "arn:aws:iam::${owner}:role/platform-peering-accepter-readonly"`,
      })),
    );
  }
  return problems;
}

/**
 * Address rules, which need this stack's own CIDR: every peer's range is disjoint from it (AWS
 * refuses to peer overlapping VPCs, and a route could not tell the two apart) and from every other
 * peer's.
 */
export function validatePeeringAddresses(peering: PeeringConfig, ownCidr: string, ctx: PeeringValidationContext): ConfigProblem[] {
  const own = parseCidr(ownCidr);
  const problems: ConfigProblem[] = [];
  const seen: { cidr: string; stack: string }[] = [];
  peering.peers.forEach((peer, i) => {
    const range = parseCidr(peer.cidr);
    // A self-peer or a repeated peer is reported once, by validatePeeringConfig.
    if (!range || isSelf(peer, ctx.stack) || peering.peers.findIndex((p) => p.stack === peer.stack) !== i) return;
    const key = `platform:peering.peers[${i}].cidr`;
    if (own && overlaps(own, range)) {
      problems.push({
        key,
        received: peer.cidr,
        allowed: `a range disjoint from this stack's VPC ${ownCidr} (platform:network.cidr): AWS refuses to peer overlapping VPCs`,
        fix: `copy the real CIDR of ${peerName(peer)} into ${key}, or move this stack to a free range (npx platform addresses prints the plan)`,
      });
    }
    const clash = seen.find((s) => overlaps(parseCidr(s.cidr)!, range));
    if (clash) {
      problems.push({
        key,
        received: peer.cidr,
        allowed: `a range disjoint from the other peer ${clash.stack} (${clash.cidr}): one route table cannot send one address to two peering connections`,
        fix: "correct one of the two peer CIDRs",
      });
    }
    seen.push({ cidr: formatCidr(range), stack: peer.stack });
  });
  return problems;
}
