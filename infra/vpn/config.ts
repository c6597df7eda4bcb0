import * as ipaddr from "ipaddr.js";
import { z } from "zod";
import { ConfigProblem, duplicateProblems } from "../config/problems";
import { Cidr, overlaps, parseCidr } from "../network/cidr";
import { Tier } from "../network/plan";

/**
 * `platform:vpn`: the office's IPsec site-to-site VPN into the management ("shared") VPC.
 *
 * Allowed in the management stack only (a stack without `platform:peering`): the office lands in
 * the management VPC and reaches environments the way an operator does, through the bastion
 * (docs/vpn.md says why the VPN cannot reach an environment VPC across the peering).
 *
 * Routing per office (`offices[].routing`):
 *
 * | routing | AWS side                                              | office side                            |
 * |---------|-------------------------------------------------------|----------------------------------------|
 * | `bgp`   | `staticRoutesOnly: false`; routes learnt over BGP     | advertises its `cidrs` over both tunnels |
 * | `static`| `staticRoutesOnly: true` + one VpnConnectionRoute per `cidrs` entry | routes the VPC CIDR into the tunnels |
 *
 * Either way the virtual private gateway propagates the office routes into the route tables of
 * the management tiers the office may reach (`access.tiers`), and only those.
 */

/** Management tiers an office may reach. The isolated tier stays data-only: nothing but its own VPC's private tier reaches it. */
export const OFFICE_TIERS = ["public", "private"] as const satisfies readonly Tier[];
export type OfficeTier = (typeof OFFICE_TIERS)[number];

export const DEFAULT_OFFICE_TIERS: readonly OfficeTier[] = ["private"];
/** SSH to the bastion: what an operator in the office needs to hop into an environment. */
export const DEFAULT_OFFICE_PORTS: readonly number[] = [22];
/** The virtual private gateway's ASN when none is set: AWS's own default for a VGW. */
export const DEFAULT_AMAZON_SIDE_ASN = 64512;
export const DEFAULT_TUNNEL_LOG_RETENTION_DAYS = 365;

/**
 * Private ASN ranges (RFC 6996): 16-bit 64512–65534 and 32-bit 4200000000–4294967294. AWS accepts
 * these for a VGW's `amazonSideAsn` (CreateVpnGateway, Amazon EC2 API Reference), plus four legacy
 * Amazon ASNs (terraform-provider-aws `validAmazonSideASN`: 7224, 9059, 10124, 17493) that the
 * platform does not offer; a customer gateway of an office that is not itself on the internet's
 * BGP table has no business using a public one.
 */
export const PRIVATE_ASN_RANGES: readonly (readonly [number, number])[] = [
  [64512, 65534],
  [4200000000, 4294967294],
];
export const isPrivateAsn = (asn: number): boolean => PRIVATE_ASN_RANGES.some(([lo, hi]) => asn >= lo && asn <= hi);

/**
 * Modern IPsec parameters only. AWS also accepts AES128, SHA1, IKEv1 and DH groups 2, 5, 14 and
 * 22–24 (tunnel options, AWS Site-to-Site VPN User Guide "Tunnel options for your Site-to-Site VPN
 * connection"); RFC 8247 deprecates groups 2, 5 and 22–24 and SHA1 for integrity, and IKEv2 is what
 * lets AWS start the tunnel itself (`startupAction: start`).
 */
export const ENCRYPTION_ALGORITHMS = ["AES256", "AES256-GCM-16"] as const;
export const INTEGRITY_ALGORITHMS = ["SHA2-256", "SHA2-384", "SHA2-512"] as const;
/** 19–21: elliptic-curve groups (256/384/521-bit); 15–18: 3072–8192-bit MODP. */
export const DH_GROUPS = [15, 16, 17, 18, 19, 20, 21] as const;
export const DEFAULT_ENCRYPTION: readonly (typeof ENCRYPTION_ALGORITHMS)[number][] = ["AES256-GCM-16", "AES256"];
export const DEFAULT_INTEGRITY: readonly (typeof INTEGRITY_ALGORITHMS)[number][] = ["SHA2-256", "SHA2-384", "SHA2-512"];
export const DEFAULT_DH_GROUPS: readonly number[] = [19, 20, 21];
/**
 * What AWS does when dead-peer detection times out: `restart` re-negotiates at once, so a flapping
 * office line comes back without anyone touching the device; `clear` drops the tunnel until the
 * office re-initiates. @default "restart"
 */
export const DPD_TIMEOUT_ACTIONS = ["restart", "clear", "none"] as const;
/** `start`: AWS initiates IKE (IKEv2 only); `add`: AWS waits for the office device. */
export const STARTUP_ACTIONS = ["start", "add"] as const;
export const ROUTING_MODES = ["bgp", "static"] as const;
export type OfficeRouting = (typeof ROUTING_MODES)[number];

/** NACL rules 500–599 hold the office entries: five office CIDRs of twenty rules each. */
export const MAX_OFFICE_CIDRS = 5;
/** Ports per office CIDR in the NACL layout (rule 500+20i is the reply rule, +0..+18 the ports). */
export const MAX_OFFICE_PORTS = 19;

const algorithms = <T extends readonly [string, ...string[]]>(values: T, dflt: readonly T[number][]) =>
  z.array(z.enum(values)).min(1).default([...dflt]);

export const TunnelConfigSchema = z.strictObject({
  /** IKE version: IKEv2 only (AWS starts the tunnel itself, and IKEv1 is legacy). @default ["ikev2"] */
  ikeVersions: z.array(z.literal("ikev2")).min(1).default(["ikev2"]),
  /** Phase 1 (IKE SA) encryption. @default ["AES256-GCM-16", "AES256"] */
  phase1EncryptionAlgorithms: algorithms(ENCRYPTION_ALGORITHMS, DEFAULT_ENCRYPTION),
  /** Phase 1 integrity (PRF). @default ["SHA2-256", "SHA2-384", "SHA2-512"] */
  phase1IntegrityAlgorithms: algorithms(INTEGRITY_ALGORITHMS, DEFAULT_INTEGRITY),
  /** Phase 1 Diffie-Hellman groups. @default [19, 20, 21] */
  phase1DhGroupNumbers: z.array(z.number().int()).min(1).default([...DEFAULT_DH_GROUPS]),
  /** Phase 2 (IPsec SA) encryption. @default ["AES256-GCM-16", "AES256"] */
  phase2EncryptionAlgorithms: algorithms(ENCRYPTION_ALGORITHMS, DEFAULT_ENCRYPTION),
  /** Phase 2 integrity. @default ["SHA2-256", "SHA2-384", "SHA2-512"] */
  phase2IntegrityAlgorithms: algorithms(INTEGRITY_ALGORITHMS, DEFAULT_INTEGRITY),
  /** Phase 2 (PFS) Diffie-Hellman groups. @default [19, 20, 21] */
  phase2DhGroupNumbers: z.array(z.number().int()).min(1).default([...DEFAULT_DH_GROUPS]),
  /** On a dead-peer-detection timeout: `restart` re-negotiates at once, `clear` drops the tunnel until the office re-initiates, `none` does nothing. @default "restart" */
  dpdTimeoutAction: z.enum(DPD_TIMEOUT_ACTIONS).default("restart"),
  /** `start`: AWS initiates IKE (IKEv2 only), so a tunnel comes back after maintenance on its own; `add`: AWS waits for the office's device. @default "start" */
  startupAction: z.enum(STARTUP_ACTIONS).default("start"),
});
export type TunnelConfig = z.infer<typeof TunnelConfigSchema>;

export const OfficeConfigSchema = z.strictObject({
  /** Lower-case name; part of the logical names (`<stack>-vpn-<name>-cgw`). Never rename in one deploy: remove the office, deploy, add it back (docs/vpn.md, "AWS hands back existing VPN objects"). */
  name: z.string(),
  /** The public IPv4 of the office's VPN device (its customer gateway). */
  publicIp: z.string(),
  /** The office device's BGP ASN (private range; used by AWS even for static routing). */
  bgpAsn: z.number().int(),
  /** The office's networks: what reaches the management VPC through the tunnels. */
  cidrs: z.array(z.string()).min(1),
  /** `bgp` (recommended: failover between the tunnels follows the BGP sessions) or `static` (one static route per office range). @default "bgp" */
  routing: z.enum(ROUTING_MODES).default("bgp"),
});
export type OfficeConfig = z.infer<typeof OfficeConfigSchema>;

export const OfficeAccessSchema = z.strictObject({
  /** Management tiers the office reaches (route propagation, NACL entries). @default ["private"] */
  tiers: z.array(z.enum(OFFICE_TIERS)).min(1).default([...DEFAULT_OFFICE_TIERS]),
  /** TCP ports the office reaches in those tiers; the bastion's group admits them. @default [22] */
  ports: z.array(z.number().int()).min(1).default([...DEFAULT_OFFICE_PORTS]),
});
export type OfficeAccess = z.infer<typeof OfficeAccessSchema>;

export const VpnConfigSchema = z.strictObject({
  /** The virtual private gateway's BGP ASN (private range, different from every office's). @default 64512 */
  amazonSideAsn: z.number().int().default(DEFAULT_AMAZON_SIDE_ASN),
  /** Both tunnels of every office use these options. @default - IKEv2, AES-256(-GCM), SHA-2, DH 19/20/21 */
  tunnel: TunnelConfigSchema.prefault({}),
  /** What the offices reach in the management VPC. @default - the private tier (the bastion) on 22 */
  access: OfficeAccessSchema.prefault({}),
  /** Retention of the tunnel logs (encrypted with the stack's logs key). @default 365 */
  logRetentionDays: z.number().int().min(1).default(DEFAULT_TUNNEL_LOG_RETENTION_DAYS),
  /**
   * An SNS topic the tunnel-state alarms notify. @default - no action: the alarms still show in
   * CloudWatch and `aws cloudwatch describe-alarms`, but nobody is paged (docs/vpn.md, "Alarms")
   */
  alarmTopicArn: z.string().optional(),
  /** One entry per office, each with its own customer gateway and VPN connection. */
  offices: z.array(OfficeConfigSchema).min(1),
});
export type VpnConfig = z.infer<typeof VpnConfigSchema>;

const OFFICE_NAME = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$|^[a-z]$/;

/**
 * The IETF documentation ranges (RFC 5737). Not routable on the internet, but accepted here so the
 * shipped example (203.0.113.10) plans end to end; a real office replaces it before `pulumi up`.
 */
export const DOCUMENTATION_RANGES = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"] as const;

/** Why an address cannot be an office's public IP, or undefined when it can. */
export function publicIpProblem(ip: string): string | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip) || !ipaddr.IPv4.isValidFourPartDecimal(ip)) return "not an IPv4 address";
  if (DOCUMENTATION_RANGES.some((r) => overlaps(parseCidr(r)!, parseCidr(`${ip}/32`)!))) return undefined;
  const range = ipaddr.IPv4.parse(ip).range();
  return range === "unicast" ? undefined : `a ${range} address, not reachable from the internet`;
}

export interface VpnValidationContext {
  readonly file: string;
}

/** Pure, collecting every problem: names, addresses, ASNs, CIDRs, ports and tunnel options. */
export function validateVpnConfig(vpn: VpnConfig, ctx: VpnValidationContext): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { file } = ctx;
  if (!isPrivateAsn(vpn.amazonSideAsn)) {
    problems.push({
      key: "platform:vpn.amazonSideAsn",
      received: vpn.amazonSideAsn,
      allowed: "a private ASN: 64512–65534 or 4200000000–4294967294 (AWS also accepts its legacy ASNs 7224, 9059, 10124 and 17493 for a virtual private gateway; the platform keeps to private ones)",
      fix: `set platform:vpn.amazonSideAsn to ${DEFAULT_AMAZON_SIDE_ASN} (AWS's default) or another private ASN in ${file}`,
    });
  }
  problems.push(...duplicateProblems("platform:vpn.offices[].name", vpn.offices.map((o) => o.name), "each office name once"));
  const seen: { cidr: Cidr; text: string; key: string }[] = [];
  vpn.offices.forEach((office, i) => {
    const key = `platform:vpn.offices[${i}]`;
    if (!OFFICE_NAME.test(office.name)) {
      problems.push({ key: `${key}.name`, received: office.name, allowed: "lower-case letters, digits and hyphens, starting with a letter, at most 24 characters", fix: `rename it, e.g. "office"` });
    }
    const ipProblem = publicIpProblem(office.publicIp);
    if (ipProblem) {
      problems.push({
        key: `${key}.publicIp`,
        received: office.publicIp,
        allowed: `the public IPv4 of the office's VPN device (${ipProblem}); the documentation ranges ${DOCUMENTATION_RANGES.join(", ")} are accepted for examples`,
        fix: `set it to the address the office's device sends IKE from, as seen from the internet`,
      });
    }
    if (!isPrivateAsn(office.bgpAsn)) {
      problems.push({ key: `${key}.bgpAsn`, received: office.bgpAsn, allowed: "a private ASN: 64512–65534 or 4200000000–4294967294", fix: "use the ASN the office's device runs BGP with, e.g. 65010" });
    } else if (office.bgpAsn === vpn.amazonSideAsn) {
      problems.push({
        key: `${key}.bgpAsn`,
        received: office.bgpAsn,
        allowed: `an ASN different from platform:vpn.amazonSideAsn (${vpn.amazonSideAsn}): the BGP session is external (eBGP) and both ends must differ`,
        fix: `give the office another private ASN, e.g. ${vpn.amazonSideAsn === 65010 ? 65020 : 65010}`,
      });
    }
    // AWS identifies a customer gateway by type, IP address and ASN: CreateCustomerGateway with the
    // values of an existing one returns that one ("subsequent requests return information about
    // the existing customer gateway", Amazon EC2 API Reference), and CreateVpnConnection is
    // idempotent too, so two such offices would be one gateway and one connection under two
    // names, and removing either would delete the other's VPN.
    const twin = vpn.offices.findIndex((o) => o.publicIp === office.publicIp && o.bgpAsn === office.bgpAsn);
    if (twin < i) {
      problems.push({
        key: `${key}.publicIp`,
        received: office.publicIp,
        allowed: `a public IP and ASN pair no other office uses (platform:vpn.offices[${twin}] "${vpn.offices[twin].name}" has ${office.publicIp} with ASN ${office.bgpAsn}): AWS would hand both offices the same customer gateway and VPN connection`,
        fix: `list the office's ranges under platform:vpn.offices[${twin}].cidrs instead, or give this device its own ASN`,
      });
    }
    problems.push(...duplicateProblems(`${key}.cidrs`, office.cidrs, "each office CIDR once"));
    office.cidrs.forEach((text, j) => {
      const ckey = `${key}.cidrs[${j}]`;
      if (text === "0.0.0.0/0") {
        problems.push({ key: ckey, received: text, allowed: "the office's own networks, never the whole internet (the VPN would attract every packet the VPC sends)", fix: "list the office's LAN ranges, e.g. 192.168.0.0/20" });
        return;
      }
      const cidr = parseCidr(text);
      if (!cidr) {
        problems.push({ key: ckey, received: text, allowed: "an IPv4 CIDR with no host bits set, such as 192.168.0.0/20", fix: `correct it in ${file}` });
        return;
      }
      if (cidr.prefix < 8) {
        problems.push({ key: ckey, received: text, allowed: "a range no wider than /8 (an office network, not a continent)", fix: "list the office's LAN ranges" });
      }
      const clash = seen.find((s) => overlaps(s.cidr, cidr));
      if (clash && clash.text !== text) {
        problems.push({ key: ckey, received: text, allowed: `ranges that do not overlap one another (it overlaps ${clash.text} of ${clash.key})`, fix: "merge or split the ranges so each address belongs to one office" });
      }
      seen.push({ cidr, text, key: ckey });
    });
  });
  const totalCidrs = vpn.offices.reduce((n, o) => n + o.cidrs.length, 0);
  if (totalCidrs > MAX_OFFICE_CIDRS) {
    problems.push({
      key: "platform:vpn.offices[].cidrs",
      received: totalCidrs,
      allowed: `at most ${MAX_OFFICE_CIDRS} office CIDRs in all (the NACL range 500–599 holds twenty rules per CIDR)`,
      fix: "summarise the office networks into fewer, wider ranges",
    });
  }
  problems.push(...duplicateProblems("platform:vpn.access.tiers", vpn.access.tiers, "each tier once"));
  problems.push(...duplicateProblems("platform:vpn.access.ports", vpn.access.ports, "each port once"));
  vpn.access.ports.forEach((p, i) => {
    if (p < 1 || p > 65535) problems.push({ key: `platform:vpn.access.ports[${i}]`, received: p, allowed: "a TCP port 1–65535", fix: "correct the port" });
    else if (p === 3389) problems.push({ key: `platform:vpn.access.ports[${i}]`, received: p, allowed: "ports the management VPC serves (the bastion is Linux: SSH 22)", fix: "remove 3389" });
  });
  if (vpn.access.ports.length > MAX_OFFICE_PORTS) {
    problems.push({ key: "platform:vpn.access.ports", received: vpn.access.ports, allowed: `at most ${MAX_OFFICE_PORTS} ports (the NACL layout's room per office CIDR)`, fix: "open fewer ports" });
  }
  for (const phase of [1, 2] as const) {
    const field = `phase${phase}DhGroupNumbers` as const;
    vpn.tunnel[field].forEach((g, i) => {
      if (!(DH_GROUPS as readonly number[]).includes(g)) {
        problems.push({
          key: `platform:vpn.tunnel.${field}[${i}]`,
          received: g,
          allowed: `modern Diffie-Hellman groups only: ${DH_GROUPS.join(", ")} (2, 5, 14 and 22–24 are weak or deprecated by RFC 8247)`,
          fix: `use ${DEFAULT_DH_GROUPS.join(", ")}`,
        });
      }
    });
  }
  if (vpn.alarmTopicArn !== undefined && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/.test(vpn.alarmTopicArn)) {
    problems.push({ key: "platform:vpn.alarmTopicArn", received: vpn.alarmTopicArn, allowed: "an SNS topic ARN, arn:aws:sns:<region>:<account>:<topic>", fix: "copy the topic's ARN from the SNS console, or remove the key" });
  }
  return problems;
}

/**
 * Where the VPN may live, and what its office ranges may not collide with: the management stack
 * only (an environment that sets `platform:vpn` has `platform:peering`), and never a range of the
 * VPC itself (the VPC's local route would win and the office would be unreachable).
 */
export function validateVpnPlacement(
  vpn: VpnConfig,
  ctx: { readonly file: string; readonly peered: boolean; readonly vpcCidr: string; readonly publicBastion?: boolean },
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  // A bastion with sshCidrs sits in the public tier (infra/bastion): the office must reach that tier.
  if (ctx.publicBastion && !vpn.access.tiers.includes("public")) {
    problems.push({
      key: "platform:vpn.access.tiers",
      received: vpn.access.tiers,
      allowed: "tiers that include the bastion's: with platform:bastion.sshCidrs set the bastion runs in the public tier",
      fix: `add "public" to platform:vpn.access.tiers, or empty platform:bastion.sshCidrs in ${ctx.file} so the bastion stays private (the office reaches it over the VPN)`,
    });
  }
  if (ctx.peered) {
    problems.push({
      key: "platform:vpn",
      received: `${vpn.offices.length} office(s)`,
      allowed: "the management stack only (environments/Pulumi.shared.yaml, the stack without platform:peering): the office lands in the management VPC and reaches environments through the bastion",
      fix: `remove platform:vpn from ${ctx.file} and add the office to environments/Pulumi.shared.yaml`,
    });
  }
  const vpc = parseCidr(ctx.vpcCidr);
  vpn.offices.forEach((o, i) =>
    o.cidrs.forEach((text, j) => {
      const c = parseCidr(text);
      // 0.0.0.0/0 and wider-than-/8 ranges get their own problem from validateVpnConfig.
      if (vpc && c && c.prefix >= 8 && overlaps(vpc, c)) {
        problems.push({
          key: `platform:vpn.offices[${i}].cidrs[${j}]`,
          received: text,
          allowed: `a range outside this VPC (${ctx.vpcCidr}); the VPC's local route always wins, so the office would be unreachable`,
          fix: "renumber the office or list only its own LAN ranges",
        });
      }
    }),
  );
  return problems;
}

/** Every office CIDR with its office, in config order: the order NACL rule numbers follow. */
export function officeCidrs(vpn: Pick<VpnConfig, "offices">): { office: string; cidr: string }[] {
  return vpn.offices.flatMap((o) => o.cidrs.map((cidr) => ({ office: o.name, cidr })));
}
