/**
 * Protocol/port ranges as security groups and network ACLs express them, normalized so one
 * predicate answers "does this rule let port P in".
 */

export interface PortRange {
  /** "all" for protocol -1 (every protocol, every port). */
  readonly protocol: "all" | "tcp" | "udp" | "icmp" | "icmpv6" | "other";
  readonly from: number;
  readonly to: number;
}

/** AWS accepts names and IANA numbers; -1 / "all" mean every protocol. */
export function normalizeProtocol(protocol: unknown): PortRange["protocol"] {
  const p = String(protocol ?? "").toLowerCase();
  if (p === "-1" || p === "all") return "all";
  if (p === "tcp" || p === "6") return "tcp";
  if (p === "udp" || p === "17") return "udp";
  if (p === "icmp" || p === "1") return "icmp";
  if (p === "icmpv6" || p === "58") return "icmpv6";
  return "other";
}

export function portRange(protocol: unknown, fromPort: unknown, toPort: unknown): PortRange {
  const proto = normalizeProtocol(protocol);
  if (proto === "all") return { protocol: proto, from: 0, to: 65535 };
  const from = typeof fromPort === "number" ? fromPort : 0;
  const to = typeof toPort === "number" ? toPort : from;
  // AWS treats a TCP/UDP range of -1 (or 0-0 on NACLs with protocol -1) as every port.
  if (from === -1 || to === -1) return { protocol: proto, from: 0, to: 65535 };
  return { protocol: proto, from: Math.min(from, to), to: Math.max(from, to) };
}

/** Whether the range admits TCP traffic to `port`. */
export function coversTcpPort(range: PortRange, port: number): boolean {
  return (range.protocol === "all" || range.protocol === "tcp") && port >= range.from && port <= range.to;
}

export function coversAnyTcpPort(range: PortRange, ports: readonly number[]): number[] {
  return ports.filter((p) => coversTcpPort(range, p));
}

/** Every port of every protocol, or the whole TCP/UDP port space. */
export function isAllPorts(range: PortRange): boolean {
  return range.protocol === "all" || ((range.protocol === "tcp" || range.protocol === "udp") && range.from <= 0 && range.to >= 65535);
}

export function describeRange(range: PortRange): string {
  if (range.protocol === "all") return "all traffic";
  if (range.from === range.to) return `${range.protocol}/${range.from}`;
  return `${range.protocol}/${range.from}-${range.to}`;
}

/** The config schema of a tunable list of ports. */
export function portsSchema(defaults: number[], description?: string) {
  return {
    type: "array" as const,
    items: { type: "integer" as const, minimum: 0, maximum: 65535 },
    default: defaults,
    ...(description !== undefined ? { description } : {}),
  };
}
