/**
 * IPv4/IPv6 CIDR helpers. Pure; no dependencies, so the pack loads fast under ts-node.
 */

const ANYWHERE_V4 = "0.0.0.0/0";
const ANYWHERE_V6 = "::/0";

export interface Ipv4Range {
  readonly start: number;
  readonly end: number;
  readonly prefix: number;
}

export function parseIpv4Cidr(cidr: string): Ipv4Range | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const addr = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  const size = 2 ** (32 - prefix);
  const start = Math.floor(addr / size) * size;
  return { start, end: start + size - 1, prefix };
}

/** True for 0.0.0.0/0, ::/0, or any range at least as wide as the internet (/0). */
export function isAnywhere(cidr: string | undefined | null): boolean {
  if (typeof cidr !== "string") return false;
  const c = cidr.trim();
  if (c === ANYWHERE_V4 || c === ANYWHERE_V6 || /^0{0,4}(:0{0,4}){0,7}::?\/0$/.test(c)) return true;
  const r = parseIpv4Cidr(c);
  return r !== undefined && r.prefix === 0;
}

/** Whether `inner` lies within `outer` (both IPv4). Unparseable input is never contained. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseIpv4Cidr(outer);
  const i = parseIpv4Cidr(inner);
  return o !== undefined && i !== undefined && i.start >= o.start && i.end <= o.end;
}

export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseIpv4Cidr(a);
  const y = parseIpv4Cidr(b);
  return x !== undefined && y !== undefined && x.start <= y.end && y.start <= x.end;
}

export function isCidr(value: unknown): value is string {
  return typeof value === "string" && (parseIpv4Cidr(value) !== undefined || /^[0-9a-fA-F:]+\/\d{1,3}$/.test(value));
}
