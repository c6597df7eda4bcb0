import * as ipaddr from "ipaddr.js";

/** An IPv4 CIDR block as integers: [first address, prefix length]. Pure helpers, no Pulumi. */
export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

/** The private ranges of RFC 1918. VPCs are only allowed inside these. */
export const RFC1918_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

const STRICT_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses "a.b.c.d/n". Returns undefined for anything malformed, including a base address with host
 * bits set ("10.0.0.1/16"): AWS would silently accept the block it rounds to, which hides typos.
 */
export function parseCidr(text: string): Cidr | undefined {
  const m = STRICT_CIDR.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  if (!ipaddr.IPv4.isValidFourPartDecimal(octets.join("."))) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  if (base % blockSize(prefix) !== 0) return undefined;
  return { base, prefix };
}

export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

export function formatCidr(c: Cidr): string {
  const o = [24, 16, 8, 0].map((shift) => Math.floor(c.base / 2 ** shift) % 256);
  return `${o.join(".")}/${c.prefix}`;
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return (
    inner.prefix >= outer.prefix &&
    inner.base >= outer.base &&
    inner.base + blockSize(inner.prefix) <= outer.base + blockSize(outer.prefix)
  );
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + blockSize(b.prefix) && b.base < a.base + blockSize(a.prefix);
}

export function isRfc1918(c: Cidr): boolean {
  return RFC1918_RANGES.some((r) => contains(parseCidr(r)!, c));
}

/** Overlap test on CIDR strings; malformed input never overlaps (it is reported elsewhere). */
export function cidrsOverlap(a: string, b: string): boolean {
  const pa = parseCidr(a);
  const pb = parseCidr(b);
  return pa !== undefined && pb !== undefined && overlaps(pa, pb);
}
