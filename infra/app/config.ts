import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { ConfigProblem } from "../config/problems";
import { isRdsManagedSecret } from "../database/plan";
import { resolveProgramPath } from "../paths";
import { retentionDays } from "../network/config";
import { ReleaseConfigSchema, validateRelease, validateReleasePorts } from "./release-config";
import {
  FARGATE_TASK_SIZES,
  FORBIDDEN_ENV,
  RULE_PRIORITY_MAX,
  SECRET_LIKE_ENV,
  certificateBaseName,
  certificateCovers,
  describeFargateMemory,
  isRootUser,
  isValidFargateSize,
  routeKeys,
  secretSourceOf,
} from "./plan";

// ---------------------------------------------------------------------------------------------
// platform:alb

/**
 * TLS policies allowed on the HTTPS listener: TLS 1.2+ with forward-secret AEAD ciphers only, as
 * Security Hub ELB.17 lists them. AWS's own default (`ELBSecurityPolicy-2016-08`) still allows
 * TLS 1.0, hence never relying on it.
 */
export const TLS_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
] as const;
export const DEFAULT_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";
export const DEFAULT_ACCESS_LOG_RETENTION_DAYS = 90;
export const DEFAULT_ALB_IDLE_TIMEOUT_SECONDS = 60;

/**
 * The environment's load balancer (`platform:alb`). Absent: no ALB (and no services).
 *
 * Certificate scenarios (exactly one):
 *
 * | keys set                           | what is created                                                         |
 * |------------------------------------|-------------------------------------------------------------------------|
 * | `domain` + `hostedZone`            | ACM certificate (DNS-validated in the zone), alias A record → ALB       |
 * | `certificateArn`                   | nothing: the listener uses the existing certificate; DNS is yours       |
 * | neither / both                     | refused by config validation                                            |
 */
export const AlbConfigSchema = z.strictObject({
  /** The name the ALB serves (e.g. `dev.app.example.com`). @default - none; set it or certificateArn */
  domain: z.string().optional(),
  /** Public Route 53 hosted zone that holds `domain` (e.g. `example.com`). Required with `domain`. */
  hostedZone: z.string().optional(),
  /** Extra certificate names (e.g. `*.dev.app.example.com`), validated in the same zone. @default [] */
  alternativeNames: z.array(z.string()).default([]),
  /** An existing ACM certificate ARN in the stack's region, instead of `domain`. @default - none */
  certificateArn: z.string().optional(),
  /** TLS policy of the HTTPS listener, from the Security Hub ELB.17 list. @default "ELBSecurityPolicy-TLS13-1-2-Res-2021-06" (TLS 1.2 and 1.3, restricted ciphers) */
  sslPolicy: z.enum(TLS_POLICIES).default(DEFAULT_TLS_POLICY),
  /** ALB deletion protection. @default true (dev turns it off to allow teardown) */
  deletionProtection: z.boolean().default(true),
  /** Days before access-log objects expire. @default 90 */
  accessLogRetentionDays: z.number().int().min(1).max(3650).default(DEFAULT_ACCESS_LOG_RETENTION_DAYS),
  /** Let `pulumi destroy` delete the log bucket with its objects. @default false */
  accessLogBucketForceDestroy: z.boolean().default(false),
  /** WAFv2 web ACL (REGIONAL scope) to associate. @default - none */
  wafWebAclArn: z.string().optional(),
  /** Idle connection timeout. @default 60 */
  idleTimeoutSeconds: z.number().int().min(1).max(4000).default(DEFAULT_ALB_IDLE_TIMEOUT_SECONDS),
});
export type AlbConfig = z.infer<typeof AlbConfigSchema>;

// ---------------------------------------------------------------------------------------------
// platform:ecs

export const CAPACITY_PROVIDERS = ["FARGATE", "FARGATE_SPOT"] as const;
export type CapacityProvider = (typeof CAPACITY_PROVIDERS)[number];

const StrategyItemSchema = z.strictObject({
  /** FARGATE (on-demand) or FARGATE_SPOT (interruptible, up to ~70% cheaper). Each provider at most once in a strategy, a `base` on at most one. */
  capacityProvider: z.enum(CAPACITY_PROVIDERS),
  /** Share of tasks beyond `base`. @default 1 */
  weight: z.number().int().min(0).max(1000).default(1),
  /** Tasks always placed on this provider first. @default 0 */
  base: z.number().int().min(0).max(100000).default(0),
});
export type CapacityProviderStrategyItem = z.infer<typeof StrategyItemSchema>;
const StrategySchema = z.array(StrategyItemSchema).min(1);

export const DEFAULT_CAPACITY_PROVIDER_STRATEGY: readonly CapacityProviderStrategyItem[] = [
  { capacityProvider: "FARGATE", weight: 1, base: 0 },
];
export const DEFAULT_SERVICE_LOG_RETENTION_DAYS = 365;

/** Cluster-wide settings (`platform:ecs`); applies when services exist. */
export const EcsConfigSchema = z.strictObject({
  /**
   * Default capacity provider strategy of the cluster and of every service that sets none.
   *
   * | strategy                                          | use                                          |
   * |---------------------------------------------------|----------------------------------------------|
   * | `[{FARGATE}]`                                     | prod: no interruptions                       |
   * | `[{FARGATE, base: 1}, {FARGATE_SPOT, weight: 1}]` | staging: one on-demand task, the rest Spot   |
   * | `[{FARGATE_SPOT}]`                                | dev: up to ~70% cheaper, 2-minute interrupts |
   *
   * @default [{ capacityProvider: "FARGATE", weight: 1, base: 0 }]
   */
  capacityProviderStrategy: StrategySchema.default([...DEFAULT_CAPACITY_PROVIDER_STRATEGY]),
  /** CloudWatch Container Insights. @default "enabled" */
  containerInsights: z.enum(["enhanced", "enabled", "disabled"]).default("enabled"),
  /** ECS Exec for every service that does not set its own `execEnabled`. @default false */
  execEnabled: z.boolean().default(false),
  /** Retention of the services' and ECS Exec log groups. @default 365 */
  logRetentionDays: retentionDays.default(DEFAULT_SERVICE_LOG_RETENTION_DAYS),
  /** Let `pulumi destroy` delete ECR repositories that still hold images. @default false */
  repositoryForceDelete: z.boolean().default(false),
});
export type EcsConfig = z.infer<typeof EcsConfigSchema>;

// ---------------------------------------------------------------------------------------------
// platform:services

export const IMAGE_OWNERS = ["pulumi", "pipeline"] as const;
export type ImageOwner = (typeof IMAGE_OWNERS)[number];
export const DEFAULT_USER = "1000:1000";
export const DEFAULT_STOP_TIMEOUT_SECONDS = 30;
export const DEFAULT_DEREGISTRATION_DELAY_SECONDS = 30;
export const DEFAULT_DESIRED_COUNT = 2;
export const DEFAULT_HEALTH_CHECK_PATH = "/health";
export const DEFAULT_CPU = 256;
export const DEFAULT_MEMORY = 512;
/** Variables the platform sets on services with `database: true`; config may not set them. */
export const DATABASE_ENV = ["AWS_REGION", "DB_HOST", "DB_IAM_AUTH", "DB_NAME", "DB_PORT", "DB_READER_HOST", "DB_USER"] as const;
/**
 * Service names the platform uses itself: the database bootstrap task's family, log group and
 * repository are named like a service's (tier.ts bootstrapPhysicalNames).
 */
export const RESERVED_SERVICE_NAMES = ["db-bootstrap"] as const;

export const ServiceConfigSchema = z.strictObject({
  /** Service name: lowercase letters, digits and hyphens, at most 32. Required. */
  name: z.string(),
  /** An image reference (ideally pinned by digest). Exactly one of image and build. */
  image: z.string().optional(),
  /** A Docker context relative to the repository root; built and pushed to ECR by Pulumi. */
  build: z.string().optional(),
  /**
   * Who decides which image runs after the first deploy.
   *
   * | value      | image comes from                                   | rollout                        |
   * |------------|----------------------------------------------------|--------------------------------|
   * | `pulumi`   | `image` / `build` in this file                     | change config, `pulumi up`     |
   * | `pipeline` | SSM parameter `/platform/<env>/services/<name>/image`, seeded from `image`/`build` | the app pipeline writes the parameter (see docs/app-tier.md, "Rolling out an image") |
   *
   * @default "pulumi"
   */
  imageOwner: z.enum(IMAGE_OWNERS).default("pulumi"),
  /** Container port the ALB forwards to (>= 1024: the container runs as a non-root user). Required. */
  port: z.number().int().min(1).max(65535),
  /** Task cpu units (1024 = 1 vCPU), paired with memory as Fargate allows: 256 with 512/1024/2048 MiB; 512 with 1–4 GB; 1024 with 2–8 GB; 2048 with 4–16 GB; 4096 with 8–30 GB in 1 GB steps; 8192 with 16–60 GB in 4 GB steps; 16384 with 32–120 GB in 8 GB steps. @default 256 */
  cpu: z.number().int().default(DEFAULT_CPU),
  /** Task memory (MiB); must pair with cpu as Fargate allows. @default 512 */
  memory: z.number().int().default(DEFAULT_MEMORY),
  /** CPU architecture of the task; ARM64 needs an arm64 image (builds use linux/arm64). @default "X86_64" (works with any image; ARM64 is ~20% cheaper and needs an arm64 image) */
  architecture: z.enum(["X86_64", "ARM64"]).default("X86_64"),
  /** Tasks to run. @default autoscaling.minCount when autoscaling is set, else 2 */
  desiredCount: z.number().int().min(0).max(1000).optional(),
  /** ALB health-check path. @default "/health" */
  healthCheckPath: z.string().default(DEFAULT_HEALTH_CHECK_PATH),
  /** Seconds ECS ignores ALB health checks after a task starts. @default 60 */
  healthCheckGracePeriodSeconds: z.number().int().min(0).max(2147483647).default(60),
  /** Which requests reach the service: at least one host or path, at most 5 values in total. Hosts must be covered by the ALB certificate; a (host, path) pair may belong to one service only. */
  routing: z.strictObject({
    /** Host-header values. @default [] (any host) */
    hosts: z.array(z.string()).default([]),
    /** Path patterns such as `/api/*`. @default [] (any path) */
    paths: z.array(z.string()).default([]),
    /** Pin the listener-rule priority. @default - planned by specificity (100, 110, ...) */
    priority: z.number().int().min(1).max(RULE_PRIORITY_MAX).optional(),
  }),
  /** Plain environment variables (no secrets: names like *PASSWORD*, *TOKEN* are refused). @default {} */
  environment: z.record(z.string(), z.string()).default({}),
  /** Secrets by variable name → Secrets Manager or SSM parameter ARN (never the value). @default {} */
  secrets: z.record(z.string(), z.string()).default({}),
  /** Customer-managed KMS keys that encrypt those secrets. @default [] */
  secretKmsKeyArns: z.array(z.string()).default([]),
  /** Target tracking on CPU and on ALB requests per target. @default - none (fixed desiredCount) */
  autoscaling: z
    .strictObject({
      /** Fewest tasks; the service is created with this many. */
      minCount: z.number().int().min(0).max(1000),
      /** Most tasks; at least minCount. */
      maxCount: z.number().int().min(1).max(1000),
      /** Target average CPU of the service. @default 60 */
      cpuTargetPercent: z.number().int().min(10).max(95).default(60),
      /** Target ALB requests per task (ALBRequestCountPerTarget). @default 1000 */
      requestsPerTarget: z.number().int().min(1).default(1000),
      /** Seconds after a scale-in before the next one. @default 300 */
      scaleInCooldownSeconds: z.number().int().min(0).default(300),
      /** Seconds after a scale-out before the next one. @default 60 */
      scaleOutCooldownSeconds: z.number().int().min(0).default(60),
    })
    .optional(),
  /** Container user. Root needs `securityExceptionReason`. @default "1000:1000" */
  user: z.string().default(DEFAULT_USER),
  /** Read-only root filesystem (/tmp stays writable). false needs `securityExceptionReason`. @default true */
  readonlyRootFilesystem: z.boolean().default(true),
  /** Why this service runs as root or with a writable root filesystem (at least 10 characters). @default - none */
  securityExceptionReason: z.string().optional(),
  /** Seconds between SIGTERM and SIGKILL (Fargate max 120). @default 30 */
  stopTimeoutSeconds: z.number().int().min(2).max(120).default(DEFAULT_STOP_TIMEOUT_SECONDS),
  /**
   * Seconds the ALB keeps sending in-flight requests to a deregistering task before closing its
   * connections (the target group's deregistration delay). Chosen together with
   * `stopTimeoutSeconds`: at most that long (docs/releases.md, "Graceful shutdown"). @default 30
   */
  deregistrationDelaySeconds: z.number().int().min(0).max(3600).default(DEFAULT_DEREGISTRATION_DELAY_SECONDS),
  /**
   * How a new revision replaces the running one (docs/releases.md).
   *
   * | style       | what ECS does                                                                  | needs                          |
   * |-------------|--------------------------------------------------------------------------------|--------------------------------|
   * | `rolling`   | replaces tasks in batches within min/max percent; circuit breaker rolls back   | nothing extra                  |
   * | `blueGreen` | starts a full green revision, test traffic first, then all traffic at once     | `testListenerPort`             |
   * | `canary`    | like blueGreen, but `canary.percent` of traffic first for `canary.bakeTimeMinutes` | `testListenerPort`         |
   * | `linear`    | like blueGreen, shifting `linear.stepPercent` every `linear.stepBakeTimeMinutes` | `testListenerPort`           |
   *
   * @default { style: "rolling", minHealthyPercent: 100, maxPercent: 200 }
   */
  deployment: ReleaseConfigSchema.prefault({}),
  /** ECS Exec for this service. @default platform:ecs.execEnabled */
  execEnabled: z.boolean().optional(),
  /** Override of the cluster's capacity provider strategy. @default platform:ecs.capacityProviderStrategy */
  capacityProviderStrategy: StrategySchema.optional(),
  /**
   * Use the stack's database: the service gets its own database user (`svc_<name>`, created by the
   * bootstrap task), `rds-db:connect` for that user only, the endpoint as variables (DB_HOST,
   * DB_READER_HOST, DB_PORT, DB_NAME, DB_USER, DB_IAM_AUTH, AWS_REGION), and a rule in the
   * database's security group. It logs in with IAM tokens; it never receives a password
   * (docs/database.md). @default false
   */
  database: z.boolean().default(false),
  /**
   * Use the stack's session store (platform:cache): the service gets CACHE_HOST, CACHE_NAME,
   * CACHE_PORT, CACHE_USER, CACHE_TLS=true and AWS_REGION, `elasticache:Connect` on the cache and its user only, and a rule
   * in the cache's security group. It authenticates with IAM tokens; it never receives a password
   * (docs/cache.md). @default false
   */
  cache: z.boolean().default(false),
});
export type ServiceConfig = z.infer<typeof ServiceConfigSchema>;

export const ServicesConfigSchema = z.array(ServiceConfigSchema);

// ---------------------------------------------------------------------------------------------
// Validation

export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
/** ALB rules accept at most 5 condition values in total. */
export const MAX_RULE_VALUES = 5;

export interface AppSections {
  readonly alb?: AlbConfig;
  readonly ecs?: EcsConfig;
  readonly services?: readonly ServiceConfig[];
  /** Only presence matters here (services with `database: true` need it). */
  readonly database?: unknown;
}

export interface AppValidationContext {
  readonly region: string;
  readonly file: string;
  /** Whether a build context exists (injectable for tests). @default - checks the repository */
  readonly dockerfileExists?: (context: string) => boolean;
}

/** Looks where the image build will: awsx resolves `context` against the CLI's working directory. */
export function defaultDockerfileExists(context: string): boolean {
  return fs.existsSync(path.join(resolveProgramPath(context), "Dockerfile"));
}

/**
 * Invariants of `platform:alb`, `platform:ecs` and `platform:services` that the schema cannot
 * express. One problem per violation, each naming the key, the value, what is allowed and the fix.
 */
export function validateAppConfig(c: AppSections, ctx: AppValidationContext): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { file } = ctx;
  if (c.alb) problems.push(...validateAlb(c.alb, ctx));
  if (c.ecs) problems.push(...validateStrategy(c.ecs.capacityProviderStrategy, "platform:ecs.capacityProviderStrategy", file));

  const services = c.services ?? [];
  if (services.length > 0 && !c.alb) {
    problems.push({
      key: "platform:alb",
      received: undefined,
      allowed: "a load balancer section whenever platform:services is non-empty (services are only reachable through the ALB)",
      fix: `add platform:alb with domain and hostedZone (or certificateArn) to ${file}, or remove platform:services`,
    });
  }

  const seen = new Map<string, number>();
  const routeOwners = new Map<string, string>();
  const priorities = new Map<number, string>();
  services.forEach((s, i) => {
    const key = (k: string) => `platform:services[${i}].${k}`;
    if (!SERVICE_NAME_PATTERN.test(s.name)) {
      problems.push({
        key: key("name"),
        received: s.name,
        allowed: "2 to 32 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen",
        fix: `rename the service, e.g. "${s.name.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 32) || "web"}"`,
      });
    }
    if ((RESERVED_SERVICE_NAMES as readonly string[]).includes(s.name)) {
      problems.push({
        key: key("name"),
        received: s.name,
        allowed: `any name but ${RESERVED_SERVICE_NAMES.join(", ")} (the platform's database bootstrap task uses its names)`,
        fix: `rename the service, e.g. "${s.name}-app"`,
      });
    }
    const first = seen.get(s.name);
    if (first !== undefined) {
      problems.push({
        key: key("name"),
        received: s.name,
        allowed: `a name no other service uses (platform:services[${first}] is already "${s.name}")`,
        fix: "give each service its own name",
      });
    } else seen.set(s.name, i);

    // Image source.
    if ((s.image === undefined) === (s.build === undefined)) {
      problems.push({
        key: key("image"),
        received: s.image ?? s.build,
        allowed: "Only one of [image] and [build] can be specified, and one is required",
        fix: `set either image (an existing image reference) or build (a Docker context such as "services/hello") in ${file}`,
      });
    }
    if (s.build !== undefined) {
      const exists = (ctx.dockerfileExists ?? defaultDockerfileExists)(s.build);
      if (path.isAbsolute(s.build) || s.build.split(/[\\/]/).includes("..")) {
        problems.push({ key: key("build"), received: s.build, allowed: "a path inside the repository, relative to its root", fix: `use e.g. "services/${s.name}"` });
      } else if (!exists) {
        problems.push({ key: key("build"), received: s.build, allowed: "a directory containing a Dockerfile", fix: `create ${s.build}/Dockerfile or correct the path` });
      }
    }

    // Fargate size.
    if (!isValidFargateSize(s.cpu, s.memory)) {
      const cpuOk = FARGATE_TASK_SIZES[s.cpu] !== undefined;
      problems.push({
        key: key(cpuOk ? "memory" : "cpu"),
        received: cpuOk ? s.memory : s.cpu,
        allowed: cpuOk ? describeFargateMemory(s.cpu) : `cpu one of ${Object.keys(FARGATE_TASK_SIZES).join(", ")} (units, 1024 = 1 vCPU)`,
        fix: cpuOk
          ? `pick a memory size Fargate accepts with cpu ${s.cpu}, e.g. ${FARGATE_TASK_SIZES[s.cpu][0]}`
          : "use a Fargate task size such as cpu 256 with memory 512",
      });
    }

    // Port and user.
    const root = isRootUser(s.user);
    if (s.port < 1024 && !root) {
      problems.push({
        key: key("port"),
        received: s.port,
        allowed: "1024 or above: the container runs as a non-root user, which cannot bind privileged ports",
        fix: "listen on e.g. 8080 (the ALB still serves 443 to clients)",
      });
    }
    if ((root || !s.readonlyRootFilesystem) && (s.securityExceptionReason ?? "").trim().length < 10) {
      problems.push({
        key: key("securityExceptionReason"),
        received: s.securityExceptionReason,
        allowed: `a stated reason (10+ characters) whenever ${root ? `user is root ("${s.user}")` : "readonlyRootFilesystem is false"}`,
        fix: `run as a non-root user with a read-only root filesystem, or explain why not in ${key("securityExceptionReason")}`,
      });
    }

    // Routing.
    const { hosts, paths } = s.routing;
    if (hosts.length === 0 && paths.length === 0) {
      problems.push({
        key: key("routing"),
        received: s.routing,
        allowed: "at least one host or path",
        fix: `add routing.paths (e.g. ["/*"]) or routing.hosts to the service in ${file}`,
      });
    }
    if (hosts.length + paths.length > MAX_RULE_VALUES) {
      problems.push({
        key: key("routing"),
        received: s.routing,
        allowed: `at most ${MAX_RULE_VALUES} hosts and paths in total (an ALB rule's limit on condition values)`,
        fix: "use wildcards (/api/*) or split the service",
      });
    }
    hosts.forEach((h, j) => {
      if (!HOST.test(h)) {
        problems.push({ key: key(`routing.hosts[${j}]`), received: h, allowed: "a DNS name, optionally with a leading *.", fix: "correct the host name" });
      } else if (c.alb?.domain && !certificateCovers([c.alb.domain, ...c.alb.alternativeNames], h)) {
        problems.push({
          key: key(`routing.hosts[${j}]`),
          received: h,
          allowed: `a name the ALB certificate covers (${[c.alb.domain, ...c.alb.alternativeNames].join(", ")})`,
          fix: `add "${h}" (or a wildcard) to platform:alb.alternativeNames, or route by path instead`,
        });
      }
    });
    paths.forEach((p, j) => {
      if (!p.startsWith("/") || p.length > 128 || /\s/.test(p)) {
        problems.push({ key: key(`routing.paths[${j}]`), received: p, allowed: "a path pattern starting with / of at most 128 characters, no spaces", fix: 'e.g. "/api/*"' });
      }
    });
    for (const rk of routeKeys(s.routing)) {
      const owner = routeOwners.get(rk);
      if (owner !== undefined && owner !== s.name) {
        const [h, p] = rk.split(" ");
        problems.push({
          key: key("routing"),
          received: s.routing,
          allowed: `routes no other service owns: ${p === "/*" ? "every path" : `path ${p}`} on ${h === "*" ? "any host" : `host ${h}`} already goes to service "${owner}"`,
          fix: `give "${s.name}" a different path or host, or remove the route from "${owner}"`,
        });
      } else routeOwners.set(rk, s.name);
    }
    if (s.routing.priority !== undefined) {
      const holder = priorities.get(s.routing.priority);
      if (holder !== undefined) {
        problems.push({ key: key("routing.priority"), received: s.routing.priority, allowed: `a priority no other service pins ("${holder}" has it)`, fix: "pick another priority, or drop it to let the planner choose" });
      } else priorities.set(s.routing.priority, s.name);
    }
    if (!s.healthCheckPath.startsWith("/")) {
      problems.push({ key: key("healthCheckPath"), received: s.healthCheckPath, allowed: "a path starting with /", fix: 'e.g. "/health"' });
    }

    // Environment and secrets.
    for (const name of Object.keys(s.environment)) {
      const k = key(`environment.${name}`);
      if (!ENV_NAME.test(name)) {
        problems.push({ key: k, received: name, allowed: "a variable name of letters, digits and underscores", fix: "rename the variable" });
      } else if ((FORBIDDEN_ENV as readonly string[]).includes(name) || SECRET_LIKE_ENV.test(name)) {
        problems.push({
          key: k,
          received: "(value hidden)",
          allowed: "plain, non-secret settings: a name containing PASS, SECRET, TOKEN, API_KEY or PRIVATE_KEY is treated as a secret",
          fix: `store the value in Secrets Manager or SSM and reference it under ${key("secrets")}.${name} (its ARN), never inline`,
        });
      }
      if (s.database && (DATABASE_ENV as readonly string[]).includes(name)) {
        problems.push({ key: k, received: s.environment[name], allowed: `none of ${DATABASE_ENV.join(", ")} (the platform sets them for database: true)`, fix: "remove it" });
      }
    }
    for (const [name, valueFrom] of Object.entries(s.secrets)) {
      const k = key(`secrets.${name}`);
      if (!ENV_NAME.test(name)) problems.push({ key: k, received: name, allowed: "a variable name of letters, digits and underscores", fix: "rename the variable" });
      if (!secretSourceOf(valueFrom)) {
        problems.push({
          key: k,
          received: valueFrom,
          allowed: "the full ARN of a Secrets Manager secret (optionally :json-key::) or an SSM parameter",
          fix: "reference the secret by ARN, e.g. arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf",
        });
      }
      if (name in s.environment) problems.push({ key: k, received: name, allowed: "a name not also set in environment", fix: "keep it in one of the two" });
      if (s.database && (DATABASE_ENV as readonly string[]).includes(name)) {
        problems.push({ key: k, received: valueFrom, allowed: `none of ${DATABASE_ENV.join(", ")} (the platform sets them for database: true)`, fix: "remove it" });
      }
      if (isRdsManagedSecret(valueFrom)) {
        problems.push({
          key: k,
          received: valueFrom,
          allowed: "any secret but an RDS-managed master secret (rds!...): RDS rotates it every 7 days and only the bootstrap task and operators may read it",
          fix: "set database: true instead; the service then logs in as its own user with IAM tokens (docs/database.md)",
        });
      }
    }
    s.secretKmsKeyArns.forEach((arn, j) => {
      if (!/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/.test(arn)) {
        problems.push({ key: key(`secretKmsKeyArns[${j}]`), received: arn, allowed: "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<uuid>)", fix: "use the key ARN, not an alias" });
      }
    });

    // Scaling and deployment.
    if (s.autoscaling) {
      const a = s.autoscaling;
      if (a.minCount > a.maxCount) {
        problems.push({ key: key("autoscaling.minCount"), received: a.minCount, allowed: `at most maxCount (${a.maxCount})`, fix: "lower minCount or raise maxCount" });
      }
      if (s.desiredCount !== undefined && (s.desiredCount < a.minCount || s.desiredCount > a.maxCount)) {
        problems.push({
          key: key("desiredCount"),
          received: s.desiredCount,
          allowed: `between autoscaling.minCount (${a.minCount}) and maxCount (${a.maxCount}): it is only the initial count`,
          fix: "remove desiredCount (it defaults to minCount) or bring it inside the range",
        });
      }
    }
    problems.push(...validateRelease(s, key, file));
    if (s.capacityProviderStrategy) problems.push(...validateStrategy(s.capacityProviderStrategy, key("capacityProviderStrategy"), file));
    if (s.database && c.database === undefined) {
      problems.push({
        key: key("database"),
        received: true,
        allowed: "true only when the stack has a platform:database section",
        fix: `add platform:database to ${file}, or set database: false`,
      });
    }
  });
  problems.push(...validateReleasePorts(services, file));
  return problems;
}

function validateAlb(alb: AlbConfig, ctx: AppValidationContext): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { file } = ctx;
  if (alb.domain !== undefined && alb.certificateArn !== undefined) {
    problems.push({
      key: "platform:alb.certificateArn",
      received: alb.certificateArn,
      allowed: "Only one of [domain] and [certificateArn] can be specified",
      fix: "keep domain (a certificate is created and validated) or certificateArn (an existing one), not both",
    });
  } else if (alb.domain === undefined && alb.certificateArn === undefined) {
    problems.push({
      key: "platform:alb.domain",
      received: undefined,
      allowed: "a domain (with hostedZone) or a certificateArn: every environment serves HTTPS",
      fix: `add platform:alb.domain (e.g. "dev.app.example.com") and platform:alb.hostedZone (e.g. "example.com") to ${file}, or platform:alb.certificateArn`,
    });
  }
  if (alb.domain !== undefined) {
    if (!HOST.test(alb.domain) || alb.domain.startsWith("*.")) {
      problems.push({ key: "platform:alb.domain", received: alb.domain, allowed: "a DNS name without wildcard (put wildcards in alternativeNames)", fix: 'e.g. "dev.app.example.com"' });
    }
    if (alb.hostedZone === undefined) {
      problems.push({
        key: "platform:alb.hostedZone",
        received: undefined,
        allowed: "the public Route 53 zone holding domain (required with domain, for DNS validation and the alias record)",
        fix: `add platform:alb.hostedZone, e.g. "${alb.domain.split(".").slice(-2).join(".")}"`,
      });
    } else {
      const zone = alb.hostedZone.replace(/\.$/, "").toLowerCase();
      for (const [k, n] of [["domain", alb.domain], ...alb.alternativeNames.map((a, i) => [`alternativeNames[${i}]`, a])] as [string, string][]) {
        const bare = certificateBaseName(n);
        if (bare !== zone && !bare.endsWith(`.${zone}`)) {
          problems.push({ key: `platform:alb.${k}`, received: n, allowed: `a name inside the hosted zone ${zone}`, fix: "use a name in the zone, or change hostedZone" });
        }
      }
    }
  } else {
    if (alb.hostedZone !== undefined) {
      problems.push({ key: "platform:alb.hostedZone", received: alb.hostedZone, allowed: "set only together with domain", fix: "add domain or remove hostedZone" });
    }
    if (alb.alternativeNames.length > 0) {
      problems.push({ key: "platform:alb.alternativeNames", received: alb.alternativeNames, allowed: "set only together with domain (they go on the certificate the ALB creates)", fix: "add domain, or remove alternativeNames" });
    }
  }
  alb.alternativeNames.forEach((n, i) => {
    if (!HOST.test(n)) problems.push({ key: `platform:alb.alternativeNames[${i}]`, received: n, allowed: "a DNS name, optionally *.", fix: "correct it" });
  });
  if (alb.certificateArn !== undefined) {
    const m = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]{36}$/.exec(alb.certificateArn);
    if (!m) {
      problems.push({ key: "platform:alb.certificateArn", received: alb.certificateArn, allowed: "an ACM certificate ARN", fix: "copy the ARN from ACM (arn:aws:acm:<region>:<account>:certificate/<uuid>)" });
    } else if (m[1] !== ctx.region) {
      problems.push({
        key: "platform:alb.certificateArn",
        received: alb.certificateArn,
        allowed: `a certificate in the stack's region ${ctx.region} (an ALB can only use certificates of its own region)`,
        fix: `request or import the certificate in ${ctx.region}`,
      });
    }
  }
  if (alb.wafWebAclArn !== undefined) {
    // arn:<partition>:wafv2:<region>:<account>:<scope>/webacl/<name>/<id>, scope `regional` or
    // `global` (CloudFront). "The web ACL and any AWS WAF resources that it uses must be located
    // in the Region where the associated resource is located" (AWS WAF Developer Guide, "Resources
    // that you can protect with AWS WAF",
    // https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html):
    // otherwise AssociateWebACL fails during `pulumi up`, after the ALB exists.
    const m = /^arn:aws[a-z-]*:wafv2:([a-z0-9-]+):\d{12}:(regional|global)\/webacl\/[^/]+\/[^/]+$/.exec(alb.wafWebAclArn);
    if (!m || m[2] !== "regional") {
      problems.push({
        key: "platform:alb.wafWebAclArn",
        received: alb.wafWebAclArn,
        allowed: "a REGIONAL WAFv2 web ACL ARN (CloudFront-scope ACLs cannot attach to an ALB)",
        fix: "use arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>",
      });
    } else if (m[1] !== ctx.region) {
      problems.push({
        key: "platform:alb.wafWebAclArn",
        received: alb.wafWebAclArn,
        allowed: `a web ACL in the stack's region ${ctx.region} (AWS WAF associates a regional web ACL only with resources of its own region)`,
        fix: `create the web ACL (scope REGIONAL) in ${ctx.region}, or use one that is there`,
      });
    }
  }
  return problems;
}

function validateStrategy(strategy: readonly CapacityProviderStrategyItem[], key: string, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const providers = strategy.map((s) => s.capacityProvider);
  if (new Set(providers).size !== providers.length) {
    problems.push({ key, received: strategy, allowed: "each capacity provider at most once", fix: `merge the duplicate entries in ${file}` });
  }
  if (strategy.filter((s) => s.base > 0).length > 1) {
    problems.push({ key, received: strategy, allowed: "a base on at most one provider (an ECS rule)", fix: "keep base on one entry" });
  }
  if (strategy.every((s) => s.weight === 0)) {
    problems.push({ key, received: strategy, allowed: "at least one provider with weight > 0", fix: "give one provider weight 1" });
  }
  return problems;
}
