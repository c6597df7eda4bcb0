import { Cidr, blockSize, formatCidr, overlaps, parseCidr } from "../network/cidr";
import { NetworkConfigSchema } from "../network/config";
import { planNetwork } from "../network/plan";
import { compareStacks, stackFileName } from "../stacks";
import { PeeringConfig, PeeringConfigSchema, RULE_SLOTS, peerName, peerProject } from "./config";
import { slotRange } from "./plan";
import { VpnConfigSchema, officeCidrs } from "../vpn/config";

/**
 * The address plan of the whole repository: every stack file's VPC range and peering, checked
 * together. Pure (the files are read by `platform addresses`, cli/commands/addresses.ts).
 *
 * A stack's own config validation sees only its own file, so it cannot notice that a new
 * environment took a range another stack already uses, or the NACL slot another environment
 * writes into the management VPC's NACLs. This check can, and CI runs it through the test suite.
 *
 * Which stacks must be disjoint: every pair. Pairs that are peered, or that share the management
 * VPC (whose route tables cannot send one address to two peering connections), must be disjoint
 * for the peering to work at all; any other pair could be peered tomorrow (every environment of
 * this repository is meant to peer with the management VPC), so overlap is refused there too.
 */

/** One stack file's addressing, as far as it could be read. */
export interface StackAddressing {
  readonly stack: string;
  /** The file, relative to the repository root (for messages). */
  readonly file: string;
  /** `platform:network.cidr`, when present and well-formed. */
  readonly cidr?: string;
  readonly peering?: PeeringConfig;
  /** The office ranges behind this stack's site-to-site VPN (`platform:vpn`), when it has one. */
  readonly offices?: ReadonlyArray<{ readonly office: string; readonly cidr: string }>;
  /** Why the network or peering section could not be read. */
  readonly problems: readonly string[];
}

export type AddressPlanFindingKind = "invalid" | "overlap" | "rule-slot" | "peer-cidr" | "peer-class" | "unknown-peer" | "office-overlap";

export interface AddressPlanFinding {
  readonly kind: AddressPlanFindingKind;
  /** The stacks involved, the one to change first. */
  readonly stacks: readonly string[];
  readonly message: string;
}

/** Pure: reads the network and peering sections of a stack file's raw `config:` map. */
export function addressingFromConfig(stack: string, config: Readonly<Record<string, unknown>>): StackAddressing {
  const file = stackFileName(stack);
  const problems: string[] = [];
  const section = (key: string): unknown => config[`platform:${key}`] ?? config[key];
  const network = NetworkConfigSchema.safeParse(section("network"));
  let cidr: string | undefined;
  if (!network.success) {
    problems.push(`platform:network is missing or malformed (${network.error.issues.map((i) => [i.path.join("."), i.message].filter(Boolean).join(": ")).join("; ")})`);
  } else if (!parseCidr(network.data.cidr)) {
    problems.push(`platform:network.cidr "${network.data.cidr}" is not a CIDR block`);
  } else {
    cidr = network.data.cidr;
  }
  let peering: PeeringConfig | undefined;
  const rawPeering = section("peering");
  if (rawPeering !== undefined) {
    const parsed = PeeringConfigSchema.safeParse(rawPeering);
    if (parsed.success) peering = parsed.data;
    else problems.push(`platform:peering is malformed (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")})`);
  }
  let offices: StackAddressing["offices"];
  const rawVpn = section("vpn");
  if (rawVpn !== undefined) {
    const parsed = VpnConfigSchema.safeParse(rawVpn);
    if (parsed.success) offices = officeCidrs(parsed.data);
    else problems.push(`platform:vpn is malformed (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")})`);
  }
  return { stack, file, cidr, peering, ...(offices ? { offices } : {}), problems };
}

/** Shipped stacks in deployment order, then any others by name: the later one gets the blame. */
export function orderStacks<T extends { readonly stack: string }>(stacks: readonly T[]): T[] {
  return [...stacks].sort((a, b) => compareStacks(a.stack, b.stack));
}

/** The stacks of this project a stack's peers name (by their last segment), with their class. */
function peersOf(s: StackAddressing, project: string): { name: string; cls: string; index: number; reference: string; cidr: string }[] {
  return (s.peering?.peers ?? [])
    .map((p, index) => ({ name: peerName(p), cls: p.environmentClass, index, reference: p.stack, cidr: p.cidr, project: peerProject(p) }))
    .filter((p) => p.project === project);
}

/** A free block with the given prefix inside 10.0.0.0/8, disjoint from every taken range. */
export function suggestFreeRange(prefix: number, taken: readonly Cidr[]): string | undefined {
  const ten = parseCidr("10.0.0.0/8")!;
  const size = blockSize(prefix);
  for (let base = ten.base; base + size <= ten.base + blockSize(8); base += size) {
    const candidate = { base, prefix };
    if (!taken.some((t) => overlaps(t, candidate))) return formatCidr(candidate);
  }
  return undefined;
}

/**
 * Checks the address plan of every stack. Returns one finding per problem; an empty list means
 * the plan is sound:
 * - every stack file has a readable network section (and peering section, when present);
 * - no two stacks' VPC CIDRs overlap (naming both stacks, both ranges and why they must not);
 * - environments peered with the same management VPC use distinct NACL rule slots;
 * - every peer of this project exists, at the CIDR the peer's own file sets, with the class the
 *   peer's own file declares.
 */
export function checkAddressPlan(input: readonly StackAddressing[], project: string): AddressPlanFinding[] {
  const stacks = orderStacks(input);
  const byName = new Map(stacks.map((s) => [s.stack, s]));
  const findings: AddressPlanFinding[] = [];

  for (const s of stacks) {
    if (s.problems.length > 0) {
      findings.push({ kind: "invalid", stacks: [s.stack], message: `${s.file}: ${s.problems.join("; ")}. Fix the file; \`platform addresses\` cannot check a range it cannot read.` });
    }
  }

  const managementOf = (s: StackAddressing): string | undefined => peersOf(s, project).find((p) => p.cls === "management")?.name;
  const peered = (a: StackAddressing, b: StackAddressing) =>
    peersOf(a, project).some((p) => p.name === b.stack) || peersOf(b, project).some((p) => p.name === a.stack);
  const taken = stacks.flatMap((s) => (s.cidr ? [parseCidr(s.cidr)!] : []));

  stacks.forEach((b, j) => {
    if (!b.cidr) return;
    for (const a of stacks.slice(0, j)) {
      if (!a.cidr || !overlaps(parseCidr(a.cidr)!, parseCidr(b.cidr)!)) continue;
      const hub = managementOf(a) !== undefined && managementOf(a) === managementOf(b) ? managementOf(a) : undefined;
      const why = peered(a, b)
        ? "they are peered, and AWS refuses to peer overlapping VPCs"
        : hub
          ? `both are peered with the management VPC "${hub}", whose route tables cannot send one address to two peering connections`
          : "they could be peered (every stack of this repository may be peered with the management VPC), and AWS refuses to peer overlapping VPCs";
      const free = suggestFreeRange(parseCidr(b.cidr)!.prefix, taken);
      findings.push({
        kind: "overlap",
        stacks: [b.stack, a.stack],
        message:
          `VPC CIDR overlap: stack "${b.stack}" (${b.file}) has ${b.cidr} and stack "${a.stack}" (${a.file}) has ${a.cidr}; ${why}. ` +
          `Fix: give "${b.stack}" a range no other stack uses${free ? `, e.g. ${free}` : ""} (platform:network.cidr).`,
      });
    }
  });

  // Office ranges behind a VPN: the management VPC routes them to the virtual private gateway and
  // the office routes every VPC range into its tunnels, so an office range that overlaps any VPC
  // (peered or not: every environment may be reached through the bastion) makes addresses ambiguous.
  for (const s of stacks) {
    for (const o of s.offices ?? []) {
      const office = parseCidr(o.cidr);
      if (!office) continue;
      for (const t of stacks) {
        if (!t.cidr || !overlaps(office, parseCidr(t.cidr)!)) continue;
        findings.push({
          kind: "office-overlap",
          stacks: [s.stack, t.stack],
          message:
            `Office range overlap: office "${o.office}" of stack "${s.stack}" (${s.file}, platform:vpn) has ${o.cidr}, which overlaps stack "${t.stack}"'s VPC ${t.cidr} (${t.file}); ` +
            `the office could not tell its own hosts from the VPC's. Fix: list only the office's own LAN ranges, or renumber "${t.stack}" (platform:network.cidr).`,
        });
      }
    }
  }

  // NACL rule slots, per management VPC.
  const slotsTaken = new Map<string, Map<number, string>>();
  for (const s of stacks) {
    const hub = managementOf(s);
    if (!hub || !s.peering) continue;
    const used = slotsTaken.get(hub) ?? new Map<number, string>();
    slotsTaken.set(hub, used);
    const slot = s.peering.ruleSlot;
    const owner = used.get(slot);
    if (owner !== undefined) {
      const inUse = new Set([...used.keys(), ...stacks.filter((x) => managementOf(x) === hub && x.peering).map((x) => x.peering!.ruleSlot)]);
      const free = Array.from({ length: RULE_SLOTS }, (_, i) => i).find((i) => !inUse.has(i));
      const { first, last } = slotRange(slot);
      findings.push({
        kind: "rule-slot",
        stacks: [s.stack, owner],
        message:
          `NACL rule slot clash: stacks "${s.stack}" (${s.file}) and "${owner}" both set platform:peering.ruleSlot ${slot}, so both would write rules ${first}–${last} into the NACLs of the management VPC "${hub}". ` +
          (free !== undefined ? `Fix: give "${s.stack}" a free slot, e.g. ${free}.` : `Fix: all ${RULE_SLOTS} slots are taken; a new environment needs a new range plan.`),
      });
    } else {
      used.set(slot, s.stack);
    }
  }

  // Peers: they exist, at the address and with the class their own files declare.
  for (const s of stacks) {
    for (const p of peersOf(s, project)) {
      const key = `platform:peering.peers[${p.index}]`;
      const target = byName.get(p.name);
      if (!target) {
        findings.push({
          kind: "unknown-peer",
          stacks: [s.stack],
          message: `Unknown peer: stack "${s.stack}" (${s.file}) peers with ${p.reference} (${key}.stack), but there is no ${stackFileName(p.name)}. Fix: correct the stack name, or add that stack.`,
        });
        continue;
      }
      if (target.cidr && target.cidr !== p.cidr) {
        findings.push({
          kind: "peer-cidr",
          stacks: [s.stack, target.stack],
          message:
            `Stale peer address: stack "${s.stack}" (${s.file}) expects "${target.stack}" at ${p.cidr} (${key}.cidr), but ${target.file} sets ${target.cidr}. ` +
            `Fix: set ${key}.cidr to ${target.cidr}.`,
        });
      }
      const actual = target.peering ? target.peering.environmentClass : "management";
      if (actual !== p.cls) {
        findings.push({
          kind: "peer-class",
          stacks: [s.stack, target.stack],
          message:
            `Peer class mismatch: stack "${s.stack}" (${s.file}) declares "${target.stack}" as ${p.cls} (${key}.environmentClass), but ${target.file} makes it ${actual}` +
            `${target.peering ? " (its platform:peering.environmentClass)" : " (it peers with nobody: a management VPC)"}. Fix: set ${key}.environmentClass to ${actual}.`,
        });
      }
    }
  }
  return findings;
}

/** Human-readable table of the plan, for `platform addresses`. */
export function renderAddressPlan(input: readonly StackAddressing[], project: string): string {
  const stacks = orderStacks(input);
  const referencedAsManagement = new Set(stacks.flatMap((s) => peersOf(s, project).filter((p) => p.cls === "management").map((p) => p.name)));
  const rows = stacks.map((s) => {
    let tiers = { public: "-", private: "-", isolated: "-" };
    if (s.cidr) {
      try {
        tiers = { ...planNetwork(s.cidr, 1).tierCidrs };
      } catch {
        // Too small for the layout: config validation reports it; the plan shows the VPC only.
      }
    }
    const cls = s.peering?.environmentClass ?? (referencedAsManagement.has(s.stack) ? "management" : "-");
    const peers = (s.peering?.peers ?? []).map((p) => {
      const { first, last } = slotRange(s.peering!.ruleSlot);
      return p.environmentClass === "management" ? `${peerName(p)} (slot ${s.peering!.ruleSlot}: rules ${first}-${last})` : peerName(p);
    });
    return [s.stack, cls, s.cidr ?? "(unreadable)", tiers.private, tiers.public, tiers.isolated, peers.join(", ") || "-"];
  });
  const header = ["stack", "class", "vpc", "private", "public", "isolated", "peers"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}
