import { PlatformConfig } from "./config";

/**
 * The tags every taggable resource carries. Applied once, stack-wide, through the AWS provider's
 * `defaultTags` (see infra/platform.ts), never repeated per resource. Precedence: a resource's
 * own tags (only `Name`, `Tier`, `Role` are set by components) win over these, as the AWS
 * provider merges them into `tagsAll`.
 */
export function baseTags(config: Pick<PlatformConfig, "project" | "stack" | "tags">): Record<string, string> {
  return {
    ...config.tags,
    Project: config.project,
    Environment: config.stack,
    ManagedBy: "Pulumi",
  };
}
