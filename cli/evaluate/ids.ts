import { createHash } from "crypto";

/**
 * Deterministic identifiers derived from a seed (a URN). Kept apart from mocks.ts so code that only
 * builds documents (the plan parent process, the diff) does not load @pulumi/pulumi for them.
 */

/** `length` hex digits derived from `seed`. */
export function hex(seed: string, length: number): string {
  let out = "";
  let i = 0;
  while (out.length < length) {
    out += createHash("sha256").update(`${seed}#${i++}`).digest("hex");
  }
  return out.slice(0, length);
}

/** A version-4-shaped UUID derived from `seed` (provider ids are UUIDs in real state). */
export function uuidFrom(seed: string): string {
  const h = hex(seed, 32);
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
