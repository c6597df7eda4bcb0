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

/**
 * The organization of every stack on a self-managed (S3, local file) backend: the diy backend
 * accepts no other ("organization name must be 'organization'", pkg/backend/diy/store.go), and
 * `pulumi.getOrganization()` returns it there. On Pulumi Cloud the organization is the account's
 * (or the team's) real one, which the CLI selects with the stack (`pulumi stack select <org>/<stack>`)
 * and the program reads from the engine; it is never written into a stack file.
 */
export const DIY_ORGANIZATION = "organization";

/**
 * A stack name as a StackReference takes it: `project/stack` is completed with `organization` (the
 * backend's, from `pulumi.getOrganization()`); `org/project/stack` is kept as written (a stack of
 * another organization, rarely what an environment wants).
 */
export function qualifyStackName(name: string, organization: string): string {
  const parts = name.split("/");
  if (parts.length === 3) return name;
  if (parts.length === 2) return `${organization}/${name}`;
  throw new Error(`"${name}" is not a stack name of the form project/stack or organization/project/stack`);
}
