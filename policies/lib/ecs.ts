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
