import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allowGroupToGroup } from "../shared/security-groups";
import { buildImage } from "../app/image";
import { builtImageRepositoryArn, ecsTasksTrustPolicy, executionRolePolicy, planContainerDefinitions, planScratchVolumes } from "../app/plan";
import { PolicyDocument } from "../shared/policy-documents";
import { AuroraEngine, masterSecretReadPolicy, planBootstrapSql } from "./plan";

/** The bootstrap container's name, and the name every bootstrap resource derives from. */
export const BOOTSTRAP_CONTAINER = "db-bootstrap";
/** Docker context of the bootstrap image (its Dockerfile and entrypoint are in this repository). */
export const BOOTSTRAP_CONTEXT = "services/db-bootstrap";
/** The smallest Fargate task: the script opens one connection and runs a few statements. */
export const BOOTSTRAP_CPU = 256;
export const BOOTSTRAP_MEMORY = 512;

export interface DatabaseBootstrapArgs {
  // ---- identity
  /** Task definition family. */
  readonly family: string;
  readonly logGroupName: string;
  readonly repositoryName: string;
  readonly region: string;

  // ---- placement (the task is started by `aws ecs run-task`, not by a service)
  readonly vpcId: pulumi.Input<string>;

  // ---- database
  readonly engine: AuroraEngine;
  readonly port: number;
  /** Writer endpoint: users and grants are written there. */
  readonly endpoint: pulumi.Input<string>;
  readonly databaseName: string;
  readonly securityGroupId: pulumi.Input<string>;
  /** The RDS-managed master secret: the only task definition allowed to reference it is this one. */
  readonly masterSecretArn: pulumi.Input<string>;
  /** The cluster's key, which encrypts the master secret. */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Database users to create (one per service with `database: true`). */
  readonly users: readonly string[];

  // ---- task
  readonly architecture: "X86_64" | "ARM64";
  readonly logsKmsKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  readonly repositoryForceDelete: boolean;
}

/** The bootstrap execution role's policy: start the task (logs, image) and read the master secret. */
export function bootstrapExecutionPolicy(input: {
  readonly logGroupArn: string;
  readonly ecrRepositoryArns: readonly string[];
  readonly masterSecretArn: string;
  readonly kmsKeyArn: string;
  readonly region: string;
}): PolicyDocument {
  const base = executionRolePolicy({ logGroupArn: input.logGroupArn, ecrRepositoryArns: input.ecrRepositoryArns, secretValueFroms: [], secretKmsKeyArns: [], region: input.region });
  const secret = masterSecretReadPolicy({ secretArn: input.masterSecretArn, kmsKeyArn: input.kmsKeyArn, region: input.region });
  return { Version: "2012-10-17", Statement: [...base.Statement, ...secret.Statement] };
}

/**
 * The one-off task that creates the services' database users: a Fargate task definition (no ECS
 * service, so nothing runs and nothing is billed until the deploy workflow starts it with
 * `aws ecs run-task` after `pulumi up`), its image built from `services/db-bootstrap`, its own
 * security group (admitted by the database's on the database port) and its own roles.
 *
 * The master secret reaches it the way ECS secrets do: the execution role reads the secret's
 * current version when the task starts, so a run after RDS rotated the password just works. The
 * task role has no policy at all: the script needs no AWS API.
 *
 * The SQL (planBootstrapSql) is idempotent and travels in the task definition as `BOOTSTRAP_SQL`;
 * a change of services changes the SQL, hence a new task definition revision, and the next run
 * applies it.
 *
 * Children: `<name>-sg`, `<name>-https-out`, `<name>-db-out`, `<name>-db-in`, `<name>-logs`,
 * `<name>-repo`, `<name>-image`, `<name>-execution-role` (+ policy), `<name>-task-role`,
 * `<name>-taskdef`.
 */
export class DatabaseBootstrap extends pulumi.ComponentResource {
  public readonly taskDefinitionArn: pulumi.Output<string>;
  public readonly family: pulumi.Output<string>;
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly logGroupName: pulumi.Output<string>;
  public readonly executionRoleArn: pulumi.Output<string>;

  constructor(name: string, args: DatabaseBootstrapArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:database:Bootstrap", name, {}, opts);
    const parent = { parent: this };
    const account = aws.getCallerIdentityOutput({}, parent).accountId;
    // Role marks the one-off task's security group and task definition for the policy pack
    // (policies/lib/ecs.ts runTaskSecurityGroups): run-task attaches the group outside the stack.
    const tags = (n: string) => ({ Name: n, Service: BOOTSTRAP_CONTAINER, Role: BOOTSTRAP_CONTAINER });
    // Fails the run before anything is created if a user name were invalid.
    const sql = planBootstrapSql(args.engine, args.databaseName, args.users);

    // ---- network: no ingress; out to AWS APIs (ECR, Logs, Secrets Manager) and the database.
    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: "Database bootstrap task: no inbound, HTTPS and the database port out", tags: tags(`${name}-sg`) },
      parent,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-https-out`,
      {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "0.0.0.0/0",
        description: "HTTPS to ECR, Secrets Manager and CloudWatch Logs",
        tags: tags(`${name}-https-out`),
      },
      parent,
    );
    allowGroupToGroup(
      {
        from: sg.id,
        to: args.securityGroupId,
        port: args.port,
        egress: { name: `${name}-db-out`, description: "Database port to the database security group" },
        ingress: { name: `${name}-db-in`, description: "Database port from the bootstrap task" },
        tags,
      },
      parent,
    );

    // ---- logs and image
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: args.logGroupName, retentionInDays: args.logRetentionDays, kmsKeyId: args.logsKmsKeyArn, tags: tags(`${name}-logs`) },
      parent,
    );
    const image = buildImage(
      name,
      { repositoryName: args.repositoryName, context: BOOTSTRAP_CONTEXT, architecture: args.architecture, forceDelete: args.repositoryForceDelete, tags: { Service: BOOTSTRAP_CONTAINER, Role: BOOTSTRAP_CONTAINER } },
      this,
    );

    // ---- roles
    const trust = account.apply((acct) => JSON.stringify(ecsTasksTrustPolicy(acct, args.region)));
    const executionRole = new aws.iam.Role(
      `${name}-execution-role`,
      { description: "ECS agent for the database bootstrap task: pull its image, write its logs, read the master secret", assumeRolePolicy: trust, tags: tags(`${name}-execution-role`) },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-execution-role`,
      {
        role: executionRole.id,
        policy: pulumi.all([logGroup.arn, image, args.masterSecretArn, args.kmsKeyArn]).apply(([logGroupArn, img, masterSecretArn, kmsKeyArn]) => {
          const repo = builtImageRepositoryArn(img, args.repositoryName);
          return JSON.stringify(bootstrapExecutionPolicy({ logGroupArn, ecrRepositoryArns: [repo], masterSecretArn, kmsKeyArn, region: args.region }));
        }),
      },
      parent,
    );
    const taskRole = new aws.iam.Role(
      `${name}-task-role`,
      { description: "Database bootstrap task: no AWS permissions (the script only talks to the database)", assumeRolePolicy: trust, tags: tags(`${name}-task-role`) },
      parent,
    );

    // ---- task definition
    const containerDefinitions = pulumi
      .all([image, logGroup.name, args.endpoint, args.masterSecretArn])
      .apply(([img, logGroupName, host, secretArn]) =>
        JSON.stringify(
          planContainerDefinitions({
            name: BOOTSTRAP_CONTAINER,
            image: img,
            cpu: BOOTSTRAP_CPU,
            memory: BOOTSTRAP_MEMORY,
            environment: {
              BOOTSTRAP_SQL: sql,
              DB_ENGINE: args.engine,
              DB_HOST: host,
              DB_NAME: args.databaseName,
              DB_PORT: String(args.port),
            },
            // Read by ECS at each task start: always the current version of the rotated secret.
            secrets: { DB_MASTER_USERNAME: `${secretArn}:username::`, DB_MASTER_PASSWORD: `${secretArn}:password::` },
            user: "1000:1000",
            readonlyRootFilesystem: true,
            stopTimeoutSeconds: 30,
            logGroupName,
            region: args.region,
          }),
        ),
      );
    const taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-taskdef`,
      {
        family: args.family,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(BOOTSTRAP_CPU),
        memory: String(BOOTSTRAP_MEMORY),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.architecture },
        executionRoleArn: executionRole.arn,
        taskRoleArn: taskRole.arn,
        containerDefinitions,
        volumes: planScratchVolumes(false).map((v) => ({ name: v.name })),
        tags: tags(args.family),
      },
      parent,
    );

    this.taskDefinitionArn = taskDefinition.arn;
    this.family = taskDefinition.family;
    this.securityGroupId = sg.id;
    this.logGroupName = logGroup.name;
    this.executionRoleArn = executionRole.arn;
    this.registerOutputs({
      taskDefinitionArn: this.taskDefinitionArn,
      family: this.family,
      securityGroupId: this.securityGroupId,
      logGroupName: this.logGroupName,
      executionRoleArn: this.executionRoleArn,
    });
  }
}
