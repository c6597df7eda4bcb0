import { Resource, StackGraph } from "./graph";
import { T } from "./types";

/**
 * ECS container definitions. A task definition holds them as a JSON string (`containerDefinitions`),
 * so every policy that looks inside a container reads them through here.
 */

export interface ContainerDefinition {
  readonly name?: string;
  readonly privileged?: boolean;
  readonly readonlyRootFilesystem?: boolean;
  readonly user?: string;
  readonly logConfiguration?: { readonly logDriver?: string; readonly options?: Readonly<Record<string, string>> };
  readonly environment?: ReadonlyArray<{ readonly name?: string; readonly value?: string }>;
  readonly secrets?: ReadonlyArray<{ readonly name?: string; readonly valueFrom?: string }>;
}

/** The containers of a task definition, or undefined when the JSON does not parse. */
export function parseContainerDefinitions(raw: unknown): ContainerDefinition[] | undefined {
  if (typeof raw !== "string") return Array.isArray(raw) ? (raw as ContainerDefinition[]) : [];
  try {
    const parsed = JSON.parse(raw) as unknown;
    return Array.isArray(parsed) ? (parsed as ContainerDefinition[]) : [];
  } catch {
    return undefined;
  }
}

/**
 * Whether an ECS secret's `valueFrom` is an RDS-managed master secret: RDS names them `rds!cluster-…`
 * (Aurora) or `rds!db-…` (instances), a prefix no other secret can take ("Password management with
 * Amazon RDS and AWS Secrets Manager").
 */
export function isRdsManagedSecret(valueFrom: string): boolean {
  return /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:rds!/.test(valueFrom);
}

/**
 * `Role` tags of one-off tasks (`aws ecs run-task`): their security group is attached when the task
 * is started, so nothing in the stack holds it. Trusted only together with a task definition of the
 * same Role that no ECS service runs (see runTaskSecurityGroups).
 */
export const RUN_TASK_ROLES = ["db-bootstrap"];

/** Security groups of one-off tasks: tagged with a RUN_TASK_ROLES role that a service-less task definition also carries. */
export function runTaskSecurityGroups(graph: StackGraph): Set<Resource> {
  const roles = new Set(
    graph
      .ofType(T.ecsTaskDefinition)
      .filter((td) => graph.referrers(td, T.ecsService, "taskDefinition").length === 0)
      .map((td) => graph.tags(td).Role)
      .filter((r): r is string => r !== undefined && RUN_TASK_ROLES.includes(r)),
  );
  return new Set(graph.ofType(T.securityGroup).filter((sg) => roles.has(graph.tags(sg).Role ?? "")));
}
