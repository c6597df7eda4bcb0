import type { Props } from "./define";

/**
 * Nested blocks and lists of blocks as the provider sends them. A value of the wrong shape reads as
 * absent, so a policy reports "not set" rather than failing on a malformed program.
 */

/** A nested block (metadataOptions, networkConfiguration, a rule's expiration, …). */
export function obj(v: unknown): Props | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Props) : undefined;
}

/**
 * The blocks of a list-valued property (tagSpecifications, parameters, lifecycle rules, …). Every
 * entry is read here, so an unknown entry throws even if a check would have stopped before it: a
 * check that decides on the first entries only (`some`, `[0]`) indexes the array itself.
 */
export function list(v: unknown): Props[] {
  return Array.isArray(v) ? (v.filter((x) => typeof x === "object" && x !== null) as Props[]) : [];
}
