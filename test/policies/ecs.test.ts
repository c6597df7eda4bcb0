import { policies } from "../../policies/ecs";
import { Fixture } from "../support/policy-harness";
import { policyTests } from "./cases";
import { MASTER_SECRET, containerDefinitions } from "./fixtures";

const container = (overrides: Record<string, unknown>) => (f: Fixture) =>
  f.update("prod-app-td", (i) => (i.containerDefinitions = containerDefinitions(overrides)));

/** Puts the service's tasks in the named subnets, with the task security group. */
const placeTasks = (f: Fixture, subnets: readonly string[], assignPublicIp = false) =>
  f.update("prod-app-svc", (i) => (i.networkConfiguration = { subnets: subnets.map((s) => f.get(s).id), securityGroups: [f.get("prod-tasks-sg").id], assignPublicIp }));

policyTests("policies/ecs.ts", policies, [
  {
    policy: "ecs-taskdefinition-disallow-master-db-secret",
    title: "the service's task definition reads the master password from the RDS-managed secret",
    mutate: container({ secrets: [{ name: "DB_PASSWORD", valueFrom: `${MASTER_SECRET}:password::` }] }),
    messages: [
      'TaskDefinition "prod-app-td" (run by Service "prod-app-svc") passes the RDS-managed master secret to Container "app" as DB_PASSWORD; give the service its own database user with IAM authentication (rds-db:connect) and leave the master secret to the bootstrap task.',
    ],
  },
  {
    policy: "ecs-taskdefinition-disallow-master-db-secret",
    title: "a service runs the one-off bootstrap task definition",
    mutate: (f) => f.update("prod-app-svc", (i) => (i.taskDefinition = f.get("prod-db-bootstrap-td").arn)),
    messages: [
      'TaskDefinition "prod-db-bootstrap-td" (run by Service "prod-app-svc") passes the RDS-managed master secret to Container "db-bootstrap" as DB_MASTER_PASSWORD; give the service its own database user with IAM authentication (rds-db:connect) and leave the master secret to the bootstrap task.',
    ],
  },
  {
    policy: "ecs-service-disallow-public-ip",
    title: "tasks get public IPs",
    mutate: (f) => placeTasks(f, ["prod-private-1", "prod-private-2"], true),
    messages: ["Tasks get public IP addresses; set networkConfiguration.assignPublicIp: false and run them in private subnets."],
  },
  {
    policy: "ecs-service-configure-platform-version",
    title: "an old platform version is pinned",
    mutate: (f) => f.update("prod-app-svc", (i) => (i.platformVersion = "1.3.0")),
    messages: ['Platform version is "1.3.0"; use "LATEST" (or pin "1.4.0").'],
    level: "advisory",
  },
  {
    policy: "ecs-taskdefinition-disallow-host-namespaces",
    title: "tasks share the host PID namespace in host networking",
    mutate: (f) =>
      f.update("prod-app-td", (i) => {
        i.networkMode = "host";
        i.pidMode = "host";
      }),
    messages: ['Network mode is "host"; set networkMode: "awsvpc" (Fargate requires it).', 'Tasks share the host PID namespace; remove pidMode: "host".'],
  },
  {
    policy: "ecs-taskdefinition-disallow-privileged-containers",
    title: "a container runs privileged",
    mutate: container({ privileged: true }),
    messages: ['Container "app" runs privileged; remove privileged: true.'],
  },
  {
    policy: "ecs-taskdefinition-require-readonly-root-filesystem",
    title: "a container's root filesystem is writable",
    mutate: container({ readonlyRootFilesystem: false }),
    messages: ['Container "app" has a writable root filesystem; set readonlyRootFilesystem: true and mount a volume where it must write.'],
  },
  {
    policy: "ecs-taskdefinition-disallow-root-user",
    title: "a container runs as root",
    mutate: container({ user: "root" }),
    messages: ['Container "app" runs as root; set user to a non-root UID (for example "1000:1000").'],
  },
  {
    policy: "ecs-taskdefinition-require-log-configuration",
    title: "a container has no log configuration",
    mutate: container({ logConfiguration: undefined }),
    messages: ['Container "app" has no awslogs log configuration; set logConfiguration.logDriver "awslogs" with options["awslogs-group"] naming a managed log group.'],
  },
  {
    policy: "ecs-taskdefinition-disallow-plaintext-secrets",
    title: "a password is passed in the environment",
    mutate: container({ environment: [{ name: "DB_PASSWORD", value: "hunter2" }] }),
    messages: ['Container "app" passes DB_PASSWORD as a plaintext environment variable; move it to secrets[] with valueFrom pointing at Secrets Manager or SSM.'],
  },
  {
    policy: "ecs-taskdefinition-disallow-plaintext-secrets",
    title: "AWS keys are passed in the environment, next to an allowed pointer to a secret",
    mutate: container({
      environment: [
        { name: "DB_CREDENTIALS_ARN", value: "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:db" },
        { name: "AWS_SECRET_ACCESS_KEY", value: "x" },
      ],
    }),
    messages: ['Container "app" passes AWS_SECRET_ACCESS_KEY as a plaintext environment variable; move it to secrets[] with valueFrom pointing at Secrets Manager or SSM.'],
  },
  {
    policy: "ecs-taskdefinition-require-efs-transit-encryption",
    title: "an EFS volume is mounted without TLS",
    mutate: (f) => f.update("prod-app-td", (i) => (i.volumes = [{ name: "data", efsVolumeConfiguration: { fileSystemId: "fs-0123456789abcdef0" } }])),
    messages: ['EFS volume "data" is mounted without TLS and IAM authorization; set transitEncryption: "ENABLED" and authorizationConfig.iam: "ENABLED".'],
  },
  {
    policy: "ecs-cluster-enable-container-insights",
    title: "Container Insights is off",
    mutate: (f) => f.update("prod-cluster", (i) => (i.settings = [])),
    messages: ['Container Insights is off; add settings: [{ name: "containerInsights", value: "enhanced" }].'],
  },
  {
    policy: "ecs-taskdefinition-require-separate-roles",
    title: "the execution role doubles as the task role",
    mutate: (f) => f.update("prod-app-td", (i) => (i.taskRoleArn = f.get("prod-task-execution").arn)),
    messages: ['TaskDefinition "prod-app-td" uses one role as both execution role and task role; give the application its own task role.'],
  },
  {
    policy: "ecs-cluster-require-exec-logging",
    title: "ECS Exec is on without session logging",
    mutate: (f) => f.update("prod-app-svc", (i) => (i.enableExecuteCommand = true)),
    messages: [
      'Service "prod-app-svc" enables ECS Exec but Cluster "prod-cluster" does not log Exec sessions with KMS encryption; set configuration.executeCommandConfiguration with logging "OVERRIDE", a log group and kmsKeyId.',
    ],
  },
  {
    policy: "ecs-service-require-private-subnets",
    title: "tasks run in public subnets",
    mutate: (f) => placeTasks(f, ["prod-public-1", "prod-public-2"]),
    messages: [
      'Service "prod-app-svc" runs tasks in Subnet "prod-public-1" (tier public); run them only in private subnets.',
      'Service "prod-app-svc" runs tasks in Subnet "prod-public-2" (tier public); run them only in private subnets.',
    ],
  },
  {
    policy: "ecs-service-require-multi-az",
    title: "one task runs in one AZ",
    mutate: (f) => placeTasks(f, ["prod-private-1"]).update("prod-app-svc", (i) => (i.desiredCount = 1)),
    messages: [
      'Service "prod-app-svc" runs 1 task(s); set desiredCount to at least 2.',
      'Service "prod-app-svc" runs tasks in 1 availability zone(s); give it subnets in at least 2 AZs.',
    ],
  },
  {
    policy: "ecs-service-require-multi-az",
    title: "one task runs in dev (advisory there)",
    mutate: (f) => f.update("prod-app-svc", (i) => (i.desiredCount = 1)),
    messages: ['Service "prod-app-svc" runs 1 task(s); set desiredCount to at least 2.'],
    config: "dev",
    level: "advisory",
  },
]);
