import { isAnywhere } from "./cidr";
import { PortRange, portRange } from "./ports";
import { T } from "./types";
import { isPresent } from "./unknowns";

/**
 * Security group rules from every place AWS lets them be written, normalized:
 * `aws.vpc.SecurityGroupIngressRule`/`EgressRule` (the platform's convention), the older
 * `aws.ec2.SecurityGroupRule`, and inline `ingress`/`egress` blocks of `SecurityGroup` and
 * `DefaultSecurityGroup`. Each normalized rule has exactly one source.
 */
export interface SgRule {
  readonly direction: "ingress" | "egress";
  readonly range: PortRange;
  /** A CIDR source/destination, if the rule has one. */
  readonly cidr?: string;
  /** True when the peer is another security group (or the group itself). */
  readonly groupPeer: boolean;
  readonly prefixList: boolean;
  readonly description?: string;
}

type P = Readonly<Record<string, unknown>>;

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && x !== "") : [];
}

/** A peer reference only matters as "is there one": its id is unknown until the peer exists. */
function has(p: P, key: string): boolean {
  return isPresent(p, key);
}

/**
 * The rules of one block written the ec2 way (an inline entry or an aws.ec2.SecurityGroupRule): one
 * per CIDR, one for a group peer (`groupKey`, or `self`), one for prefix lists.
 */
function blockRules(base: SgRule, p: P, groupKey: string): SgRule[] {
  const out: SgRule[] = [...strings(p.cidrBlocks), ...strings(p.ipv6CidrBlocks)].map((cidr) => ({ ...base, cidr }));
  if (has(p, groupKey) || p.self === true) out.push({ ...base, groupPeer: true });
  if (has(p, "prefixListIds")) out.push({ ...base, prefixList: true });
  return out;
}

function inlineRules(entries: unknown, direction: SgRule["direction"]): SgRule[] {
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((raw) => {
    const e = raw as P;
    const range = portRange(e.protocol, e.fromPort, e.toPort);
    const description = typeof e.description === "string" ? e.description : undefined;
    return blockRules({ direction, range, prefixList: false, groupPeer: false, ...(description ? { description } : {}) }, e, "securityGroups");
  });
}

/** Rules a resource of one of the SG-related types declares. */
export function rulesOf(type: string, p: P): SgRule[] {
  const description = typeof p.description === "string" && p.description !== "" ? { description: p.description } : {};
  switch (type) {
    case T.securityGroupIngressRule:
    case T.securityGroupEgressRule: {
      const direction = type === T.securityGroupIngressRule ? "ingress" : "egress";
      const range = portRange(p.ipProtocol, p.fromPort, p.toPort);
      const cidr = typeof p.cidrIpv4 === "string" && p.cidrIpv4 !== "" ? p.cidrIpv4 : typeof p.cidrIpv6 === "string" && p.cidrIpv6 !== "" ? p.cidrIpv6 : undefined;
      return [
        {
          direction,
          range,
          ...(cidr ? { cidr } : {}),
          groupPeer: has(p, "referencedSecurityGroupId"),
          prefixList: has(p, "prefixListId"),
          ...description,
        },
      ];
    }
    case T.securityGroupRule: {
      const direction = p.type === "egress" ? "egress" : "ingress";
      const range = portRange(p.protocol, p.fromPort, p.toPort);
      return blockRules({ direction, range, prefixList: false, groupPeer: false, ...description }, p, "sourceSecurityGroupId");
    }
    case T.securityGroup:
    case T.defaultSecurityGroup:
      return [...inlineRules(p.ingress, "ingress"), ...inlineRules(p.egress, "egress")];
    default:
      return [];
  }
}

export const SG_RULE_TYPES = [T.securityGroup, T.defaultSecurityGroup, T.securityGroupRule, T.securityGroupIngressRule, T.securityGroupEgressRule];

export function isPublic(rule: SgRule): boolean {
  return isAnywhere(rule.cidr);
}

/**
 * The group id a rule references: a security group of a peered VPC in another account is
 * referenced as `<account id>/<group id>` (EC2 API reference, UserIdGroupPair); same-account
 * references are the id alone.
 */
export function referencedGroupId(value: string): string {
  const crossAccount = /^\d{12}\/(sg-[0-9a-z]+)$/.exec(value);
  return crossAccount ? crossAccount[1] : value;
}
