import { Policies } from "@pulumi/policy";
import { Props, ResourceCheck, resourcePolicy, stackPolicy } from "./lib/define";
import { ContainerDefinition, isRdsManagedSecret, parseContainerDefinitions } from "./lib/ecs";
import { describe, prop } from "./lib/graph";
import { list, obj } from "./lib/props";
import { T } from "./lib/types";
import { forEachKnown, peek } from "./lib/unknowns";

/**
 * ECS on Fargate: services, task definitions, cluster. `containerDefinitions` is a JSON string;
 * when it embeds outputs (an image URI, a log group name) it is unknown during preview, and the
 * SDK reports these policies as not runnable until `pulumi up`, where they run on real values.
 */

/** The task definition's containers; a malformed document is reported rather than skipped. */
function containers(r: ResourceCheck<unknown>, report: (m: string) => void): ContainerDefinition[] {
  const defs = parseContainerDefinitions(r.props.containerDefinitions);
  if (defs === undefined) report("containerDefinitions is not valid JSON; pass the definitions through JSON.stringify.");
  return defs ?? [];
}

function label(c: ContainerDefinition): string {
  return `Container "${c.name ?? "(unnamed)"}"`;
}

function isLinux(r: ResourceCheck<unknown>): boolean {
  const family = obj(r.props.runtimePlatform)?.operatingSystemFamily;
  return family === undefined || family === null || family === "LINUX";
}

export const serviceDisallowPublicIp = resourcePolicy({
  name: "ecs-service-disallow-public-ip",
  description: "ECS services and task sets must not assign public IP addresses to tasks.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["46"],
  types: [T.ecsService, T.ecsTaskSet],
  validate: (r, report) => {
    if (obj(r.props.networkConfiguration)?.assignPublicIp === true) {
      report("Tasks get public IP addresses; set networkConfiguration.assignPublicIp: false and run them in private subnets.");
    }
  },
});

export const serviceConfigurePlatformVersion = resourcePolicy({
  name: "ecs-service-configure-platform-version",
  description: "Fargate services should run on platform version LATEST or 1.4.0.",
  enforcementLevel: "advisory",
  category: "security",
  severity: "low",
  catalog: ["47"],
  types: [T.ecsService],
  validate: (r, report) => {
    const v = r.props.platformVersion;
    if (v !== undefined && v !== null && v !== "LATEST" && v !== "1.4.0") {
      report(`Platform version is "${String(v)}"; use "LATEST" (or pin "1.4.0").`);
    }
  },
});

export const taskDefinitionDisallowHostNamespaces = resourcePolicy({
  name: "ecs-taskdefinition-disallow-host-namespaces",
  description: "Task definitions must use awsvpc networking and never share the host's network, PID or IPC namespace.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["48"],
  types: [T.ecsTaskDefinition],
  validate: (r, report) => {
    if (r.props.networkMode !== "awsvpc") {
      report(`Network mode is "${String(r.props.networkMode ?? "bridge")}"; set networkMode: "awsvpc" (Fargate requires it).`);
    }
    if (r.props.pidMode === "host") report('Tasks share the host PID namespace; remove pidMode: "host".');
    if (r.props.ipcMode === "host") report('Tasks share the host IPC namespace; remove ipcMode: "host".');
  },
});

export const taskDefinitionDisallowPrivilegedContainers = resourcePolicy({
  name: "ecs-taskdefinition-disallow-privileged-containers",
  description: "Containers must not run privileged.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["49"],
  types: [T.ecsTaskDefinition],
  validate: (r, report) => {
    for (const c of containers(r, report)) {
      if (c.privileged === true) report(`${label(c)} runs privileged; remove privileged: true.`);
    }
  },
});

export const taskDefinitionRequireReadonlyRootFilesystem = resourcePolicy({
  name: "ecs-taskdefinition-require-readonly-root-filesystem",
  description: "Linux containers must mount their root filesystem read-only.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "medium",
  catalog: ["50"],
  types: [T.ecsTaskDefinition],
  validate: (r, report) => {
    if (!isLinux(r)) return;
    for (const c of containers(r, report)) {
      if (c.readonlyRootFilesystem !== true) {
        report(`${label(c)} has a writable root filesystem; set readonlyRootFilesystem: true and mount a volume where it must write.`);
      }
    }
  },
});

export const taskDefinitionDisallowRootUser = resourcePolicy({
  name: "ecs-taskdefinition-disallow-root-user",
  description: "Linux containers must run as a non-root user.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "medium",
  catalog: ["51"],
  types: [T.ecsTaskDefinition],
  validate: (r, report) => {
    if (!isLinux(r)) return;
    for (const c of containers(r, report)) {
      const user = c.user?.trim();
      if (user === undefined || user === "" || user === "root" || user === "0" || user.startsWith("0:") || user.startsWith("root:")) {
        report(`${label(c)} runs as root; set user to a non-root UID (for example "1000:1000").`);
      }
    }
  },
});

export const taskDefinitionRequireLogConfiguration = resourcePolicy({
  name: "ecs-taskdefinition-require-log-configuration",
  description: "Every container must send its logs to a CloudWatch log group through awslogs (or FireLens).",
  enforcementLevel: "mandatory",
  category: "operations",
  severity: "medium",
  catalog: ["52"],
  types: [T.ecsTaskDefinition],
  validate: (r, report) => {
    for (const c of containers(r, report)) {
      const lc = c.logConfiguration;
      if (lc?.logDriver === "awsfirelens") continue;
      if (lc?.logDriver !== "awslogs" || !lc.options?.["awslogs-group"]) {
        report(`${label(c)} has no awslogs log configuration; set logConfiguration.logDriver "awslogs" with options["awslogs-group"] naming a managed log group.`);
      }
    }
  },
});

export const DEFAULT_SECRET_NAME_PATTERN = "PASS|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|CREDENTIAL";
export const FORBIDDEN_ENVIRONMENT = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ECS_ENGINE_AUTH_DATA"];

export const taskDefinitionDisallowPlaintextSecrets = resourcePolicy<{ secretNamePattern: string }>({
  name: "ecs-taskdefinition-disallow-plaintext-secrets",
  description: "Secrets must reach containers through `secrets` (Secrets Manager / SSM), never as plaintext environment variables.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["53"],
  configSchema: {
    properties: {
      secretNamePattern: {
        type: "string",
        default: DEFAULT_SECRET_NAME_PATTERN,
        description: "Case-insensitive regular expression of environment variable names that hold secrets.",
      },
    },
  },
  defaults: { secretNamePattern: DEFAULT_SECRET_NAME_PATTERN },
  types: [T.ecsTaskDefinition],
  validate: (r, report) => {
    const re = new RegExp(r.config.secretNamePattern, "i");
    for (const c of containers(r, report)) {
      for (const e of c.environment ?? []) {
        const name = e.name ?? "";
        // A variable that names where a secret lives (DB_CREDENTIALS_ARN = "arn:aws:secretsmanager:…")
        // carries no secret; the container reads the secret through its role.
        const pointer = /_(ARN|NAME|PATH)$/i.test(name) || (typeof e.value === "string" && e.value.startsWith("arn:"));
        if (FORBIDDEN_ENVIRONMENT.includes(name) || (re.test(name) && !pointer)) {
          report(`${label(c)} passes ${name} as a plaintext environment variable; move it to secrets[] with valueFrom pointing at Secrets Manager or SSM.`);
        }
      }
    }
  },
});

export const taskDefinitionRequireEfsTransitEncryption = resourcePolicy({
  name: "ecs-taskdefinition-require-efs-transit-encryption",
  description: "EFS volumes of tasks must use TLS and IAM authorization.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["54"],
  types: [T.ecsTaskDefinition],
  validate: (r, report) => {
    for (const v of list(r.props.volumes)) {
      const efs = obj(v.efsVolumeConfiguration);
      if (!efs) continue;
      if (efs.transitEncryption !== "ENABLED" || obj(efs.authorizationConfig)?.iam !== "ENABLED") {
        report(`EFS volume "${String(v.name ?? "")}" is mounted without TLS and IAM authorization; set transitEncryption: "ENABLED" and authorizationConfig.iam: "ENABLED".`);
      }
    }
  },
});

export const clusterEnableContainerInsights = resourcePolicy({
  name: "ecs-cluster-enable-container-insights",
  description: "ECS clusters must have Container Insights on.",
  enforcementLevel: "mandatory",
  category: "operations",
  severity: "low",
  catalog: ["56"],
  types: [T.ecsCluster],
  validate: (r, report) => {
    const settings = Array.isArray(r.props.settings) ? (r.props.settings as Props[]) : [];
    const on = settings.some((s) => s.name === "containerInsights" && (s.value === "enabled" || s.value === "enhanced"));
    if (!on) report('Container Insights is off; add settings: [{ name: "containerInsights", value: "enhanced" }].');
  },
});

// --- stack-wide -------------------------------------------------------------------------------

export const taskDefinitionRequireSeparateRoles = stackPolicy({
  name: "ecs-taskdefinition-require-separate-roles",
  description: "A task's execution role (pulls images, reads secrets) and task role (what the app may do) must be different roles.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "medium",
  catalog: ["55"],
  appliesTo: [T.ecsTaskDefinition],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.ecsTaskDefinition), (td) => {
      const exec = graph.refs(td, "executionRoleArn", [T.iamRole]);
      const task = graph.refs(td, "taskRoleArn", [T.iamRole]);
      const sameResource = exec.some((r) => task.includes(r));
      const e = peek(() => prop(td, "executionRoleArn"));
      const t = peek(() => prop(td, "taskRoleArn"));
      const sameValue = typeof e === "string" && e !== "" && e === t;
      if (sameResource || sameValue) {
        report(`${describe(td)} uses one role as both execution role and task role; give the application its own task role.`, td.urn);
      }
    });
  },
});

export const clusterRequireExecLogging = stackPolicy({
  name: "ecs-cluster-require-exec-logging",
  description: "When ECS Exec is enabled on a service, its cluster must log Exec sessions, encrypted with KMS.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "medium",
  catalog: ["57"],
  appliesTo: [T.ecsService],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.ecsService), (svc) => {
      if (prop(svc, "enableExecuteCommand") !== true) return;
      for (const cluster of graph.refs(svc, "cluster", [T.ecsCluster])) {
        const exec = obj(obj(prop(cluster, "configuration"))?.executeCommandConfiguration);
        const logged = exec !== undefined && exec.logging !== "NONE";
        const encrypted = exec !== undefined && (exec.kmsKeyId !== undefined && exec.kmsKeyId !== null && exec.kmsKeyId !== "");
        if (!logged || !encrypted) {
          report(
            `${describe(svc)} enables ECS Exec but ${describe(cluster)} does not log Exec sessions with KMS encryption; ` +
              `set configuration.executeCommandConfiguration with logging "OVERRIDE", a log group and kmsKeyId.`,
            svc.urn,
          );
        }
      }
    });
  },
});

export const serviceRequirePrivateSubnets = stackPolicy({
  name: "ecs-service-require-private-subnets",
  description: "ECS services must run their tasks only in private-tier subnets.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["X3", "46"],
  appliesTo: [T.ecsService],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.ecsService, T.ecsTaskSet), (svc) => {
      for (const s of graph.refs(svc, "networkConfiguration", [T.subnet])) {
        const tier = graph.tierOf(s);
        if (tier !== "private") {
          report(`${describe(svc)} runs tasks in ${describe(s)} (tier ${tier ?? "unknown"}); run them only in private subnets.`, svc.urn);
        }
      }
    });
  },
});

export const serviceRequireMultiAz = stackPolicy<{ minimumAzs: number; minimumDesiredCount: number }>({
  name: "ecs-service-require-multi-az",
  description: "ECS services must spread tasks over at least two availability zones and run at least two tasks.",
  enforcementLevel: "mandatory",
  category: "reliability",
  severity: "medium",
  catalog: ["X14"],
  configSchema: {
    properties: {
      minimumAzs: { type: "integer", minimum: 1, default: 2 },
      minimumDesiredCount: { type: "integer", minimum: 1, default: 2 },
    },
  },
  defaults: { minimumAzs: 2, minimumDesiredCount: 2 },
  appliesTo: [T.ecsService],
  validate: ({ graph, config }, report) => {
    forEachKnown(graph.ofType(T.ecsService), (svc) => {
      const azs = graph.availabilityZonesOf(graph.refs(svc, "networkConfiguration", [T.subnet]));
      if (azs.size < config.minimumAzs) {
        report(`${describe(svc)} runs tasks in ${azs.size} availability zone(s); give it subnets in at least ${config.minimumAzs} AZs.`, svc.urn);
      }
      const desired = prop(svc, "desiredCount");
      if (typeof desired === "number" && desired < config.minimumDesiredCount) {
        report(`${describe(svc)} runs ${desired} task(s); set desiredCount to at least ${config.minimumDesiredCount}.`, svc.urn);
      }
    });
  },
});

export const taskDefinitionDisallowMasterDbSecret = stackPolicy({
  name: "ecs-taskdefinition-disallow-master-db-secret",
  description:
    "No task definition an ECS service runs may read an RDS-managed master secret; services log in as their own IAM-authenticated database users.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["X19", "53"],
  appliesTo: [T.ecsTaskDefinition],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.ecsTaskDefinition), (td) => {
      // A one-off task (the database bootstrap, started by run-task) may read it: it runs for
      // seconds and reads the current version at each start. A service's tasks read secrets once,
      // at start, and hold them for days: RDS rotates the master password every 7 days.
      const services = graph.referrers(td, T.ecsService, "taskDefinition");
      if (services.length === 0) return;
      for (const c of parseContainerDefinitions(prop(td, "containerDefinitions")) ?? []) {
        for (const sec of c.secrets ?? []) {
          if (typeof sec.valueFrom === "string" && isRdsManagedSecret(sec.valueFrom)) {
            report(
              `${describe(td)} (run by ${services.map(describe).join(", ")}) passes the RDS-managed master secret to ${label(c)} as ${sec.name ?? "(unnamed)"}; ` +
                "give the service its own database user with IAM authentication (rds-db:connect) and leave the master secret to the bootstrap task.",
              td.urn,
            );
          }
        }
      }
    });
  },
});

export const policies: Policies = [
  serviceDisallowPublicIp,
  serviceConfigurePlatformVersion,
  taskDefinitionDisallowHostNamespaces,
  taskDefinitionDisallowPrivilegedContainers,
  taskDefinitionRequireReadonlyRootFilesystem,
  taskDefinitionDisallowRootUser,
  taskDefinitionRequireLogConfiguration,
  taskDefinitionDisallowPlaintextSecrets,
  taskDefinitionRequireEfsTransitEncryption,
  clusterEnableContainerInsights,
  taskDefinitionRequireSeparateRoles,
  clusterRequireExecLogging,
  serviceRequirePrivateSubnets,
  serviceRequireMultiAz,
  taskDefinitionDisallowMasterDbSecret,
];
