/**
 * The stacks this repository ships, in deployment order.
 *
 * `shared` holds the management VPC (bastion, peering hub) and must exist before any environment,
 * because every environment stack reads its outputs through a StackReference. This list is the one
 * place that order is written down: `platform plan|check|cost|review`, the tests, the benchmark and
 * the deploy workflow all take it from here.
 */
export const STACK_ORDER = ["shared", "dev", "staging", "prod"] as const;

export type StackName = (typeof STACK_ORDER)[number];

/** The stack whose outputs every other stack consumes. */
export const MANAGEMENT_STACK: StackName = "shared";

export function isShippedStack(name: string): name is StackName {
  return (STACK_ORDER as readonly string[]).includes(name);
}

/** Shipped stacks in deployment order, then any others (fixtures, generated stacks) by name. */
export function compareStacks(a: string, b: string): number {
  const rank = (s: string) => {
    const i = (STACK_ORDER as readonly string[]).indexOf(s);
    return i === -1 ? STACK_ORDER.length : i;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** A stack's config file, relative to the repository root: what messages tell the user to edit. */
export function stackFileName(stack: string): string {
  return `environments/Pulumi.${stack}.yaml`;
}
