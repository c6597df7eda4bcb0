/**
 * Pure planners of the application tier: no Pulumi, no AWS calls. The components in this folder
 * turn their results into resources; the tests exercise them directly.
 */

import { PolicyDocument, PolicyPrincipal, PolicyStatement, denyInsecureTransport, partitionOf } from "../shared/policy-documents";

export { PolicyDocument, PolicyPrincipal, PolicyStatement, logsKeyPolicy } from "../shared/policy-documents";

// ---------------------------------------------------------------------------------------------
// Fargate task sizes

function steps(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/**
 * The task-level cpu (units, 1024 = 1 vCPU) / memory (MiB) combinations Fargate accepts for Linux
 * tasks (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size).
 * Anything else fails at RegisterTaskDefinition, after the rest of the stack has been changed, so
 * config validation refuses it up front.
 */
export const FARGATE_TASK_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: steps(1024, 4096, 1024),
  1024: steps(2048, 8192, 1024),
  2048: steps(4096, 16384, 1024),
  4096: steps(8192, 30720, 1024),
  8192: steps(16384, 61440, 4096),
  16384: steps(32768, 122880, 8192),
};

export function isValidFargateSize(cpu: number, memory: number): boolean {
  return (FARGATE_TASK_SIZES[cpu] ?? []).includes(memory);
}

/** Human summary of the memory sizes allowed for `cpu` (for error messages). */
export function describeFargateMemory(cpu: number): string {
  const sizes = FARGATE_TASK_SIZES[cpu];
  if (!sizes) return `cpu must be one of ${Object.keys(FARGATE_TASK_SIZES).join(", ")}`;
  if (sizes.length <= 3) return `with cpu ${cpu}, memory ${sizes.join(", ")}`;
  return `with cpu ${cpu}, memory ${sizes[0]} to ${sizes[sizes.length - 1]} in steps of ${sizes[1] - sizes[0]}`;
}

// ---------------------------------------------------------------------------------------------
// Listener rules

export interface RouteSpec {
  readonly service: string;
  /** Host-header values; empty means any host. */
  readonly hosts: readonly string[];
  /** Path patterns; empty means any path. */
  readonly paths: readonly string[];
  /** Pinned priority from config; planned when absent. */
  readonly priority?: number;
}

export interface PlannedRule {
  readonly service: string;
  readonly priority: number;
  readonly hosts: readonly string[];
  readonly paths: readonly string[];
}

export const RULE_PRIORITY_START = 100;
export const RULE_PRIORITY_STEP = 10;
export const RULE_PRIORITY_MAX = 50000;

/** Sort key: rules with both a host and a path first, then path rules by specificity, then host-only. */
function specificity(r: RouteSpec): [number, number, string] {
  const longestPath = Math.max(0, ...r.paths.map((p) => p.replace(/\*/g, "").length));
  const klass = r.hosts.length > 0 && r.paths.length > 0 ? 0 : r.paths.length > 0 ? 1 : 2;
  return [klass, -longestPath, r.service];
}

/**
 * Listener-rule priorities. The ALB evaluates rules lowest priority first and stops at the first
 * match, so overlapping rules must be ordered most specific first: host+path, then paths (longest
 * literal prefix first, so `/api/admin/*` precedes `/api/*` and `/*` comes last), then host-only.
 * Pinned priorities are kept; the others get 100, 110, 120, ... skipping pinned values. Gaps of
 * 10 leave room to pin a new rule between two existing ones without renumbering them.
 */
export function planListenerRules(routes: readonly RouteSpec[]): PlannedRule[] {
  const pinned = new Set(routes.filter((r) => r.priority !== undefined).map((r) => r.priority as number));
  const auto = routes
    .filter((r) => r.priority === undefined)
    .sort((a, b) => {
      const ka = specificity(a);
      const kb = specificity(b);
      return ka[0] - kb[0] || ka[1] - kb[1] || ka[2].localeCompare(kb[2]);
    });
  const assigned = new Map<string, number>();
  let next = RULE_PRIORITY_START;
  for (const r of auto) {
    while (pinned.has(next)) next += RULE_PRIORITY_STEP;
    assigned.set(r.service, next);
    next += RULE_PRIORITY_STEP;
  }
  return routes
    .map((r) => ({ service: r.service, priority: r.priority ?? (assigned.get(r.service) as number), hosts: [...r.hosts], paths: [...r.paths] }))
    .sort((a, b) => a.priority - b.priority);
}

/** The (host, path) pairs a route matches; host `*` means any host, and no path means `/*`. */
export function routeKeys(r: Pick<RouteSpec, "hosts" | "paths">): string[] {
  const hosts = r.hosts.length > 0 ? r.hosts.map((h) => h.toLowerCase()) : ["*"];
  const paths = r.paths.length > 0 ? [...r.paths] : ["/*"];
  return hosts.flatMap((h) => paths.map((p) => `${h} ${p}`));
}

/** Whether a certificate for `names` (exact names or `*.domain` wildcards) covers `host`. */
export function certificateCovers(names: readonly string[], host: string): boolean {
  const h = host.toLowerCase();
  return names.some((n) => {
    const name = n.toLowerCase();
    if (name === h) return true;
    if (!name.startsWith("*.")) return false;
    // A wildcard covers exactly one label: *.example.com covers a.example.com, not a.b.example.com.
    const rest = name.slice(2);
    return h.endsWith(`.${rest}`) && !h.slice(0, -rest.length - 1).includes(".");
  });
}

/** A certificate name without its wildcard, lower-cased: `x` for both `x` and `*.x`. */
export function certificateBaseName(name: string): string {
  return name.toLowerCase().replace(/^\*\./, "");
}

/**
 * The DNS names ACM asks to validate for a certificate. ACM gives `x` and `*.x` the same CNAME,
 * so one record per base name; two Route 53 records for one name would fight each other.
 */
export function validationRecordDomains(domain: string, alternativeNames: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of [domain, ...alternativeNames]) {
    const base = certificateBaseName(n);
    if (!out.includes(base)) out.push(base);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// ARNs

/**
 * The IAM resource ARN of a Secrets Manager secret from an ECS `valueFrom`. ECS accepts
 * `<secret arn>:<json key>:<version stage>:<version id>`; IAM wants the secret's ARN alone. A
 * complete secret ARN ends in `-` plus 6 random characters; for a partial ARN (no suffix) IAM needs
 * the `-??????` wildcard that AWS documents for exactly this case.
 */
export function secretsManagerResourceArn(valueFrom: string): string {
  const parts = valueFrom.split(":");
  const arn = parts.slice(0, 7).join(":");
  return /-[A-Za-z0-9]{6}$/.test(parts[6] ?? "") ? arn : `${arn}-??????`;
}

export type SecretSource = "secretsmanager" | "ssm";

export function secretSourceOf(valueFrom: string): SecretSource | undefined {
  if (/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+/.test(valueFrom)) return "secretsmanager";
  if (/^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/.+/.test(valueFrom)) return "ssm";
  return undefined;
}

const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9._/-]*?)(?:[:@].*)?$/;

/**
 * The ECR repository ARN of a private ECR image reference, or undefined for anything else
 * (public.ecr.aws, Docker Hub, ...), which needs no ECR permission.
 */
export function ecrRepositoryArn(image: string): string | undefined {
  const m = ECR_IMAGE.exec(image);
  if (!m) return undefined;
  const [, account, region, repo] = m;
  return `arn:${partitionOf(region)}:ecr:${region}:${account}:repository/${repo}`;
}

/**
 * The ECR repository ARN of an image this program built into `repositoryName`. Throws when the
 * image URI is not in that repository: the execution role's pull permissions are scoped to the
 * repository, so without them the task would only fail when it starts
 * (CannotPullContainerError), long after the deploy succeeded.
 */
export function builtImageRepositoryArn(image: string, repositoryName: string): string {
  const arn = ecrRepositoryArn(image);
  const repo = ECR_IMAGE.exec(image)?.[3];
  if (arn === undefined || repo !== repositoryName) {
    throw new Error(
      `The image URI "${image}" is not in the ECR repository "${repositoryName}" it was built into: the execution role could not pull it (CannotPullContainerError). Expected <account>.dkr.ecr.<region>.amazonaws.com/${repositoryName}[:tag|@digest].`,
    );
  }
  return arn;
}

/**
 * Who may write ALB access logs into a bucket in `region`. Regions that existed before August
 * 2022 deliver from a regional Elastic Load Balancing account; newer regions use the
 * `logdelivery.elasticloadbalancing.amazonaws.com` service principal
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html).
 */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "af-south-1": "098369216593",
  "ap-east-1": "754344448648",
  "ap-south-1": "718504428378",
  "ap-northeast-1": "582318560864",
  "ap-northeast-2": "600734575887",
  "ap-northeast-3": "383597477331",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ca-central-1": "985666609251",
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-west-3": "009996457667",
  "eu-south-1": "635631232127",
  "eu-north-1": "897822967062",
  "me-south-1": "076674570225",
  "sa-east-1": "507241528517",
};


export function elbLogDeliveryPrincipal(region: string): PolicyPrincipal {
  const account = ELB_LOG_DELIVERY_ACCOUNTS[region];
  return account ? { AWS: `arn:aws:iam::${account}:root` } : { Service: "logdelivery.elasticloadbalancing.amazonaws.com" };
}

// ---------------------------------------------------------------------------------------------
// IAM policy documents (the shapes live in infra/shared/policy-documents.ts)

/** The ALB log bucket's policy: log delivery may write under its prefix, nobody may use plain HTTP. */
export function accessLogBucketPolicy(bucketArn: string, prefix: string, accountId: string, region: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowElbLogDelivery",
        Effect: "Allow",
        Principal: elbLogDeliveryPrincipal(region),
        Action: "s3:PutObject",
        // Only this account's path under the prefix: another account's load balancer cannot
        // write here even if it names this bucket.
        Resource: `${bucketArn}/${prefix}/AWSLogs/${accountId}/*`,
      },
      denyInsecureTransport(bucketArn),
    ],
  };
}

export interface ExecutionPolicyInput {
  readonly logGroupArn: string;
  /** Private ECR repositories the task's image may come from. */
  readonly ecrRepositoryArns: readonly string[];
  /** `valueFrom` of every ECS secret (Secrets Manager or SSM ARNs, possibly with JSON keys). */
  readonly secretValueFroms: readonly string[];
  /** KMS keys that encrypt those secrets (customer-managed keys only; AWS-managed keys need no grant). */
  readonly secretKmsKeyArns: readonly string[];
  readonly region: string;
}

/**
 * The execution role's policy: what the ECS agent needs to start the task, and nothing more.
 * AWS's managed AmazonECSTaskExecutionRolePolicy grants ECR and Logs on `*`; this one names the
 * repository, the log group and each referenced secret. `ecr:GetAuthorizationToken` is the one
 * wildcard, because that API has no resource-level permissions.
 */
export function executionRolePolicy(input: ExecutionPolicyInput): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "WriteLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${input.logGroupArn}:log-stream:*`,
    },
  ];
  const repos = unique(input.ecrRepositoryArns);
  if (repos.length > 0) {
    statements.push(
      { Sid: "EcrAuth", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      {
        Sid: "PullImage",
        Effect: "Allow",
        Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Resource: repos,
      },
    );
  }
  const secrets = unique(input.secretValueFroms.filter((v) => secretSourceOf(v) === "secretsmanager").map(secretsManagerResourceArn));
  if (secrets.length > 0) {
    statements.push({ Sid: "ReadSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secrets });
  }
  const parameters = unique(input.secretValueFroms.filter((v) => secretSourceOf(v) === "ssm"));
  if (parameters.length > 0) {
    statements.push({ Sid: "ReadParameters", Effect: "Allow", Action: "ssm:GetParameters", Resource: parameters });
  }
  const keys = unique(input.secretKmsKeyArns);
  if (keys.length > 0) {
    statements.push({
      Sid: "DecryptSecrets",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: keys,
      // Only when Secrets Manager or SSM ask on the task's behalf, not for arbitrary ciphertext.
      Condition: {
        StringEquals: {
          "kms:ViaService": [`secretsmanager.${input.region}.amazonaws.com`, `ssm.${input.region}.amazonaws.com`],
        },
      },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

export interface ExecPolicyInput {
  readonly logGroupArn: string;
  readonly kmsKeyArn: string;
}

/**
 * The task role's policy for ECS Exec, when the service enables it: the SSM data channel (whose
 * `ssmmessages` APIs have no resource-level permissions, hence `*`), the cluster's exec log group
 * and the session key. Undefined when exec is off: the task role then carries no policy at all,
 * and application permissions are added by the owning team, scoped to their resources.
 */
export function taskRoleExecPolicy(exec: ExecPolicyInput | undefined): PolicyDocument | undefined {
  if (!exec) return undefined;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ExecChannel",
        Effect: "Allow",
        Action: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
        Resource: "*",
      },
      { Sid: "ExecLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: `${exec.logGroupArn}:*` },
      { Sid: "ExecLogGroups", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
      { Sid: "ExecSessionKey", Effect: "Allow", Action: "kms:Decrypt", Resource: exec.kmsKeyArn },
    ],
  };
}

/** Trust policy for ECS task and execution roles, pinned to this account's ECS (confused deputy). */
export function ecsTasksTrustPolicy(accountId: string, region: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": accountId },
          ArnLike: { "aws:SourceArn": `arn:aws:ecs:${region}:${accountId}:*` },
        },
      },
    ],
  };
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

// ---------------------------------------------------------------------------------------------
// Container definitions

/** The subset of the ECS container definition JSON this platform writes. */
export interface ContainerDefinition {
  readonly name: string;
  readonly image: string;
  readonly essential: true;
  readonly cpu: number;
  readonly memory: number;
  readonly portMappings: readonly { containerPort: number; hostPort: number; protocol: "tcp"; name: string; appProtocol: "http" }[];
  readonly environment: readonly { name: string; value: string }[];
  readonly secrets: readonly { name: string; valueFrom: string }[];
  readonly user: string;
  readonly readonlyRootFilesystem: boolean;
  readonly privileged: false;
  readonly stopTimeout: number;
  readonly linuxParameters: { readonly initProcessEnabled: true };
  readonly mountPoints: readonly { sourceVolume: string; containerPath: string; readOnly: false }[];
  readonly logConfiguration: {
    readonly logDriver: "awslogs";
    readonly options: Readonly<Record<string, string>>;
  };
}

export interface ContainerPlanInput {
  readonly name: string;
  readonly image: string;
  /** The port the ALB sends to. @default - none: a one-off task (the database bootstrap) listens on nothing */
  readonly port?: number;
  readonly cpu: number;
  readonly memory: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
  readonly user: string;
  readonly readonlyRootFilesystem: boolean;
  readonly stopTimeoutSeconds: number;
  readonly logGroupName: string;
  readonly region: string;
  /** ECS Exec on: its agent gets writable scratch directories (see planScratchVolumes). @default false */
  readonly execEnabled?: boolean;
}

export interface ScratchVolume {
  /** Task-definition volume name (Fargate task storage, discarded with the task). */
  readonly name: string;
  readonly containerPath: string;
}

/**
 * Writable task-storage volumes for a container whose root filesystem is read-only: /tmp always;
 * with ECS Exec, also the directories the SSM agent that ECS injects writes its state and logs to
 * (/var/lib/amazon, /var/log/amazon). Without them the agent fails on a read-only root; this is
 * the workaround the ECS team documents in aws-containers/amazon-ecs-exec-checker#21 and
 * aws/containers-roadmap#1359, which keeps the root read-only instead of giving it up for Exec.
 */
export function planScratchVolumes(execEnabled: boolean): ScratchVolume[] {
  const volumes: ScratchVolume[] = [{ name: "tmp", containerPath: "/tmp" }];
  if (execEnabled) {
    volumes.push({ name: "ssm-agent-state", containerPath: "/var/lib/amazon" }, { name: "ssm-agent-logs", containerPath: "/var/log/amazon" });
  }
  return volumes;
}

/**
 * The container definitions of a service's task: one essential container. Environment variables
 * and secrets are sorted by name (byte order), so the JSON, and with it the task definition, only
 * changes when a value does, never because of the order of keys in a config file.
 */
export function planContainerDefinitions(input: ContainerPlanInput): ContainerDefinition[] {
  const byName = <T extends { name: string }>(xs: T[]) => xs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [
    {
      name: input.name,
      image: input.image,
      essential: true,
      // The one container gets the whole task; set explicitly so the JSON is what AWS stores.
      cpu: input.cpu,
      memory: input.memory,
      portMappings:
        input.port === undefined ? [] : [{ containerPort: input.port, hostPort: input.port, protocol: "tcp", name: "http", appProtocol: "http" }],
      environment: byName(Object.entries(input.environment).map(([name, value]) => ({ name, value }))),
      secrets: byName(Object.entries(input.secrets).map(([name, valueFrom]) => ({ name, valueFrom }))),
      user: input.user,
      readonlyRootFilesystem: input.readonlyRootFilesystem,
      privileged: false,
      // ECS sends SIGTERM, waits this long, then SIGKILL (Fargate allows up to 120 s).
      stopTimeout: input.stopTimeoutSeconds,
      // A minimal init as PID 1 forwards SIGTERM to the app and reaps zombies (and ECS Exec needs it).
      linuxParameters: { initProcessEnabled: true },
      mountPoints: planScratchVolumes(input.execEnabled ?? false).map((v) => ({ sourceVolume: v.name, containerPath: v.containerPath, readOnly: false as const })),
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": input.logGroupName,
          "awslogs-region": input.region,
          "awslogs-stream-prefix": input.name,
          // Never block the app on a slow log pipe; drop beyond the buffer instead.
          mode: "non-blocking",
          "max-buffer-size": "25m",
        },
      },
    },
  ];
}

/** Users that mean root inside a container. */
export function isRootUser(user: string): boolean {
  const u = user.split(":")[0];
  return u === "0" || u === "root";
}

/** Environment variable names that look like secrets (Security Hub ECS.8 plus the platform's own list). */
export const SECRET_LIKE_ENV = /PASS|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY/i;
export const FORBIDDEN_ENV = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ECS_ENGINE_AUTH_DATA"] as const;
