/**
 * URNs built exactly as the Pulumi engine builds them (`sdk/go/common/resource/urn.go` `NewURN`):
 *
 *   urn:pulumi:<stack>::<project>::<qualified type>::<name>
 *
 * where the qualified type is the parent's qualified type, `$`, then the resource's own type, and
 * the root `pulumi:pulumi:Stack` is never prefixed onto its children. The SDK's MockMonitor keeps
 * only the immediate parent type and does prefix the Stack type, so its URNs never match a real
 * `pulumi stack export`; the harness replaces its URN function with this one.
 */

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export interface ParsedUrn {
  readonly stack: string;
  readonly project: string;
  /** `parentType$...$type`; the last segment is the resource's own type. */
  readonly qualifiedType: string;
  readonly type: string;
  readonly name: string;
}

/**
 * Splits a URN. Names may themselves contain `::` (StackReference names do not, but nothing
 * forbids it), so everything after the third separator is the name, as in the engine.
 */
export function parseUrn(urn: string): ParsedUrn {
  if (!urn.startsWith("urn:pulumi:")) throw new Error(`Not a Pulumi URN: "${urn}"`);
  const parts = urn.slice("urn:pulumi:".length).split("::");
  if (parts.length < 4) throw new Error(`Not a Pulumi URN (expected 4 "::"-separated parts): "${urn}"`);
  const [stack, project, qualifiedType, ...rest] = parts;
  const segments = qualifiedType.split("$");
  return { stack, project, qualifiedType, type: segments[segments.length - 1], name: rest.join("::") };
}

/** The engine's `NewURN(stack, project, parentType, baseType, name)`. */
export function engineUrn(stack: string, project: string, parentUrn: string | undefined, type: string, name: string): string {
  let qualified = type;
  if (parentUrn) {
    const parentQualified = parseUrn(parentUrn).qualifiedType;
    if (parentQualified !== ROOT_STACK_TYPE) qualified = `${parentQualified}$${type}`;
  }
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}
