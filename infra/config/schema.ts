import { z } from "zod";
import { BastionConfigSchema, validateBastionConfig } from "../bastion/config";
import { NetworkConfigSchema, validateNetworkConfig } from "../network/config";
import { PeeringConfigSchema, validatePeeringAddresses, validatePeeringConfig } from "../peering/config";
import { AlbConfigSchema, EcsConfigSchema, ServicesConfigSchema, validateAppConfig } from "../app/config";
import { validateTestListenerSources } from "../app/release-config";
import { DatabaseConfigSchema, validateDatabaseConfig } from "../database/config";
import { VpnConfigSchema, validateVpnConfig, validateVpnPlacement } from "../vpn/config";
import { CacheConfigSchema, validateCacheConfig, validateServiceCacheUse } from "../cache/config";
import { EdgeConfigSchema, validateEdgeConfig } from "../edge/config";
import { ConfigProblem } from "./problems";

/**
 * Every `platform:*` key a stack may set. Unknown keys are errors (a typo such as
 * `platform:netwrok` must not silently fall back to defaults).
 *
 * To add a section: define its schema and semantic validator next to the component that uses it
 * (infra/<domain>/config.ts), then register both here.
 */
export const PlatformConfigSchema = z.strictObject({
  /** Extra tags for every taggable resource (on top of Project, Environment, ManagedBy). @default {} */
  tags: z.record(z.string(), z.string()).default({}),
  network: NetworkConfigSchema,
  bastion: BastionConfigSchema.prefault({}),
  /** Peering with the management VPC (environment stacks only). @default - not peered (the management stack itself) */
  peering: PeeringConfigSchema.optional(),
  /** The shared Application Load Balancer (infra/app/config.ts). @default - no ALB */
  alb: AlbConfigSchema.optional(),
  /** ECS cluster settings; used when services exist. @default - see EcsConfigSchema */
  ecs: EcsConfigSchema.prefault({}),
  /** Fargate services behind the ALB. @default - no services, no cluster */
  services: ServicesConfigSchema.optional(),
  /** The Aurora cluster (infra/database/config.ts). @default - no database */
  database: DatabaseConfigSchema.optional(),
  /** The office site-to-site VPN (infra/vpn/config.ts; management stack only). @default - no VPN */
  vpn: VpnConfigSchema.optional(),
  /** The session store: ElastiCache for Valkey / Redis OSS (infra/cache/config.ts). @default - no cache */
  cache: CacheConfigSchema.optional(),
  /** CloudFront + WAF + S3 assets in front of the ALB (infra/edge/config.ts, docs/edge.md). @default - no edge: the ALB serves the internet directly */
  edge: EdgeConfigSchema.optional(),
});

export type PlatformSettings = z.infer<typeof PlatformConfigSchema>;

/** The fully resolved configuration a program run uses. Components never read config themselves. */
export interface PlatformConfig extends PlatformSettings {
  readonly stack: string;
  readonly project: string;
  readonly region: string;
  /**
   * `aws:allowedAccountIds`: the accounts this stack may be deployed into; the explicit provider
   * refuses any other. @default - any account (platform preflight warns)
   */
  readonly allowedAccountIds?: readonly string[];
}

/** Context the semantic validators receive. */
export interface ValidationContext {
  readonly stack: string;
  readonly region: string;
  /** The stack file, for "fix" hints. */
  readonly file: string;
}

export type SectionName = keyof PlatformSettings;

export interface SemanticValidator {
  /** The sections it reads; it runs when each of them has a valid shape, so one bad section does not hide the problems of another. */
  readonly sections: readonly SectionName[];
  readonly validate: (config: PlatformSettings, ctx: ValidationContext) => ConfigProblem[];
}

/** Cross-field rules. */
export const SEMANTIC_VALIDATORS: readonly SemanticValidator[] = [
  { sections: ["network"], validate: (c, ctx) => validateNetworkConfig(c.network, ctx.region, ctx.file) },
  { sections: ["bastion"], validate: (c, ctx) => validateBastionConfig(c.bastion, ctx.file) },
  { sections: ["tags"], validate: (c, ctx) => validateTags(c.tags, ctx.file) },
  { sections: ["peering"], validate: (c, ctx) => (c.peering ? validatePeeringConfig(c.peering, ctx) : []) },
  {
    sections: ["peering", "network"],
    validate: (c, ctx) => (c.peering ? validatePeeringAddresses(c.peering, c.network.cidr, ctx) : []),
  },
  {
    sections: ["alb", "ecs", "services", "database"],
    validate: (c, ctx) => validateAppConfig(c, { region: ctx.region, file: ctx.file }),
  },
  {
    sections: ["database", "network"],
    validate: (c, ctx) => (c.database ? validateDatabaseConfig(c.database, c.network.azCount, ctx.file) : []),
  },
  { sections: ["vpn"], validate: (c, ctx) => (c.vpn ? validateVpnConfig(c.vpn, { file: ctx.file }) : []) },
  {
    sections: ["vpn", "peering", "network", "bastion"],
    validate: (c, ctx) =>
      c.vpn
        ? validateVpnPlacement(c.vpn, { file: ctx.file, peered: c.peering !== undefined, vpcCidr: c.network.cidr, publicBastion: c.bastion.enabled && c.bastion.sshCidrs.length > 0 })
        : [],
  },
  {
    sections: ["cache", "network"],
    validate: (c, ctx) => (c.cache ? validateCacheConfig(c.cache, c.network.azCount, ctx.file) : []),
  },
  {
    sections: ["services", "cache"],
    validate: (c, ctx) => validateServiceCacheUse(c.services ?? [], c.cache, ctx.file),
  },
  { sections: ["edge", "alb", "services"], validate: (c, ctx) => validateEdgeConfig(c.edge, c.alb, ctx.file, c.services) },
  { sections: ["services", "network"], validate: (c, ctx) => validateTestListenerSources(c.services ?? [], c.network.cidr, ctx.file) },
];

/** Tags the platform sets itself; a stack may not override them through platform:tags. */
export const RESERVED_TAGS = ["Project", "Environment", "ManagedBy"] as const;

function validateTags(tags: Record<string, string>, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [k, v] of Object.entries(tags)) {
    if ((RESERVED_TAGS as readonly string[]).includes(k)) {
      problems.push({
        key: `platform:tags.${k}`,
        received: v,
        allowed: `any tag except ${RESERVED_TAGS.join(", ")}, which the platform sets from the project and stack`,
        fix: `remove ${k} from platform:tags in ${file}`,
      });
    } else if (k.length > 128 || v.length > 256 || k.startsWith("aws:")) {
      problems.push({
        key: `platform:tags.${k}`,
        received: v,
        allowed: "keys up to 128 characters not starting with aws:, values up to 256 characters",
        fix: "shorten or rename the tag",
      });
    }
  }
  return problems;
}
