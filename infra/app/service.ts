import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allowGroupToGroup } from "../shared/security-groups";
import { cacheConnectPolicy } from "../cache/plan";
import { dbConnectPolicy } from "../database/plan";
import { CapacityProviderStrategyItem, ImageOwner } from "./config";
import { buildImage } from "./image";
import {
  ReleasePlan,
  ecsDeploymentConfiguration,
  ecsLoadBalancerInfrastructurePolicyArn,
  ecsServiceTrustPolicy,
  hookInvokePolicy,
  isTrafficShift,
  releaseAlarmSpecs,
  requestsPerTargetMetrics,
} from "./release";
import {
  PlannedRule,
  builtImageRepositoryArn,
  ecrRepositoryArn,
  ecsTasksTrustPolicy,
  executionRolePolicy,
  planContainerDefinitions,
  planScratchVolumes,
  taskRoleExecPolicy,
} from "./plan";

/**
 * Where the first image comes from (config guarantees exactly one):
 *
 * | kind    | what happens                                                                       |
 * |---------|------------------------------------------------------------------------------------|
 * | `image` | the reference is used as is (pin it by digest)                                     |
 * | `build` | awsx.ecr.Repository + awsx.ecr.Image build `context` and push it; the digest is used |
 */
export type ImageSource =
  | { readonly kind: "image"; readonly image: string }
  | { readonly kind: "build"; readonly context: string; readonly repositoryName: string; readonly forceDelete: boolean };

/**
 * What a service needs to know about the database when it uses it. Deliberately no master secret:
 * a service logs in as its own user with IAM tokens (docs/database.md).
 */
export interface ServiceDatabase {
  readonly securityGroupId: pulumi.Input<string>;
  readonly port: number;
  readonly endpoint: pulumi.Input<string>;
  readonly readerEndpoint: pulumi.Input<string>;
  readonly databaseName: pulumi.Input<string>;
  /** `DbClusterResourceId` (`cluster-...`): what `rds-db:connect` ARNs name. */
  readonly clusterResourceId: pulumi.Input<string>;
  /** This service's database user (infra/database/plan.ts databaseUserName), created by the bootstrap task. */
  readonly userName: string;
}

/**
 * What a service needs to know about the session store when it uses it (`cache: true`). No
 * password: the service signs an IAM token with its task role per connection (docs/cache.md).
 */
export interface ServiceCache {
  readonly securityGroupId: pulumi.Input<string>;
  readonly port: number;
  /** The primary endpoint (follows the primary through a failover). */
  readonly endpoint: pulumi.Input<string>;
  /** The replication group id, which `elasticache:Connect` names. */
  readonly replicationGroupId: pulumi.Input<string>;
  /** The IAM-enabled RBAC user (user id = user name). */
  readonly userName: pulumi.Input<string>;
}

export interface ServiceAutoscaling {
  readonly minCount: number;
  readonly maxCount: number;
  readonly cpuTargetPercent: number;
  readonly requestsPerTarget: number;
  readonly scaleInCooldownSeconds: number;
  readonly scaleOutCooldownSeconds: number;
}

export interface FargateServiceArgs {
  // ---- identity
  /** ECS service name and container name (unique in the cluster). */
  readonly serviceName: string;
  /** Task definition family. */
  readonly family: string;
  /** Physical target group name (<= 32 characters; see names.ts). */
  readonly targetGroupName: string;
  readonly logGroupName: string;
  /** SSM parameter holding the running image when `imageOwner` is `pipeline`. */
  readonly imageParameterName: string;
  readonly region: string;

  // ---- placement
  readonly clusterArn: pulumi.Input<string>;
  readonly clusterName: pulumi.Input<string>;
  /** Resources the service must wait for (the cluster's capacity-provider association). */
  readonly clusterDependencies?: readonly pulumi.Resource[];
  readonly capacityProviderStrategy: readonly CapacityProviderStrategyItem[];
  readonly vpcId: pulumi.Input<string>;
  readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;

  // ---- load balancer
  readonly albSecurityGroupId: pulumi.Input<string>;
  readonly albArnSuffix: pulumi.Input<string>;
  readonly listenerArn: pulumi.Input<string>;
  /** Priority and conditions, from planListenerRules. */
  readonly rule: PlannedRule;
  /**
   * Behind CloudFront (platform:edge): the header CloudFront adds, which the listener rule also
   * requires, so a request that reaches the ALB without it falls through to the 403 default.
   * @default - no header condition
   */
  readonly originHeader?: { readonly name: string; readonly value: pulumi.Input<string> };
  readonly healthCheckPath: string;
  readonly healthCheckGracePeriodSeconds: number;
  /** Seconds the ALB drains a deregistering task (<= stopTimeoutSeconds; config checks it). @default 30 */
  readonly deregistrationDelaySeconds?: number;
  /**
   * The test listener's settings (blueGreen/canary/linear only): the ALB, and the production
   * listener's certificate and TLS policy, which the test listener reuses.
   * @default - none (required when `release` is a traffic-shift style)
   */
  readonly testListener?: {
    readonly albArn: pulumi.Input<string>;
    readonly certificateArn: pulumi.Input<string>;
    readonly sslPolicy: string;
  };
  /** Physical name of the alternate target group (traffic-shift styles). @default - none */
  readonly alternateTargetGroupName?: string;

  // ---- task
  readonly image: ImageSource;
  readonly imageOwner: ImageOwner;
  readonly port: number;
  readonly cpu: number;
  readonly memory: number;
  readonly architecture: "X86_64" | "ARM64";
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
  readonly secretKmsKeyArns: readonly string[];
  readonly user: string;
  readonly readonlyRootFilesystem: boolean;
  readonly stopTimeoutSeconds: number;
  readonly logsKmsKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;

  // ---- service
  readonly desiredCount: number;
  /** @default - fixed desiredCount */
  readonly autoscaling?: ServiceAutoscaling;
  /** How new revisions replace running ones (infra/app/release.ts planRelease). */
  readonly release: ReleasePlan;
  /** ECS Exec; needs the cluster's exec log group and key. @default - off */
  readonly exec?: { readonly logGroupArn: pulumi.Input<string>; readonly kmsKeyArn: pulumi.Input<string> };
  /** @default - no database access */
  readonly database?: ServiceDatabase;
  /** @default - no session store access */
  readonly cache?: ServiceCache;
}

/**
 * One Fargate service behind the shared ALB: its own security group, target group, listener rule,
 * log group, execution and task roles, task definition, service and (optionally) autoscaling.
 *
 * Network invariants: tasks run in private subnets without public IPs; the service security group
 * admits only the ALB security group on the container port; it sends HTTPS anywhere (ECR, AWS
 * APIs) and the database port only to the database security group. The matching rules on the ALB
 * and database security groups are created here too, so a service's access disappears with it.
 *
 * Ownership between Pulumi and application pipelines:
 * - with autoscaling, Application Auto Scaling owns the running count: `desiredCount` is set at
 *   creation and ignored afterwards, so `pulumi up` never resets a scaled-out service;
 * - with `imageOwner: "pipeline"` the running image is read at deploy time from an SSM parameter
 *   the pipeline writes (Pulumi creates it once and ignores its value), so `pulumi up` keeps the
 *   pipeline's image while still owning every other field of the task definition.
 *
 * Children: `<name>-sg`, `<name>-from-alb`, `<name>-alb-out`, `<name>-https-out`, `<name>-db-out`,
 * `<name>-db-in`, `<name>-cache-out`, `<name>-cache-in`, `<name>-tg`, `<name>-rule`, `<name>-logs`, `<name>-repo`, `<name>-image`,
 * `<name>-image-param`, `<name>-execution-role`, `<name>-task-role` (+ policies: `-exec`, `-db`, `-cache`), `<name>-taskdef`,
 * `<name>-service`, `<name>-scaling`, `<name>-scale-cpu`, `<name>-scale-requests`; with a blueGreen, canary
 * or linear release also `<name>-tg-green`, `<name>-test` (listener), `<name>-test-rule`,
 * `<name>-test-in-<n>`, `<name>-ecs-lb-role` (+ attachment), `<name>-hook-role` (+ policy, with
 * hooks) and `<name>-alarm-{5xx,unhealthy}-{blue,green}`.
 */
export class FargateService extends pulumi.ComponentResource {
  public readonly serviceName: pulumi.Output<string>;
  public readonly serviceArn: pulumi.Output<string>;
  public readonly taskDefinitionArn: pulumi.Output<string>;
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly targetGroupArn: pulumi.Output<string>;
  /** The green target group (blueGreen/canary/linear). */
  public readonly alternateTargetGroupArn: pulumi.Output<string | undefined>;
  public readonly logGroupName: pulumi.Output<string>;
  /** The image the task definition runs. */
  public readonly image: pulumi.Output<string>;
  /** The SSM parameter pipelines write, when `imageOwner` is `pipeline`. */
  public readonly imageParameterName: pulumi.Output<string | undefined>;

  constructor(name: string, args: FargateServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:app:FargateService", name, {}, opts);
    const parent = { parent: this };
    const account = aws.getCallerIdentityOutput({}, parent).accountId;
    const tags = (n: string) => ({ Name: n, Service: args.serviceName });
    const db = args.database;

    // ---- network
    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: `Service ${args.serviceName}: port ${args.port} from the ALB only`, tags: tags(`${name}-sg`) },
      parent,
    );
    allowGroupToGroup(
      {
        from: args.albSecurityGroupId,
        to: sg.id,
        port: args.port,
        ingress: { name: `${name}-from-alb`, description: `Port ${args.port} from the ALB security group` },
        egress: { name: `${name}-alb-out`, description: `ALB to service ${args.serviceName} on port ${args.port}` },
        tags,
        first: "ingress",
      },
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
        description: "HTTPS to ECR, Secrets Manager, CloudWatch Logs and other AWS APIs",
        tags: tags(`${name}-https-out`),
      },
      parent,
    );
    if (db) {
      allowGroupToGroup(
        {
          from: sg.id,
          to: db.securityGroupId,
          port: db.port,
          egress: { name: `${name}-db-out`, description: `Database port to the database security group` },
          ingress: { name: `${name}-db-in`, description: `Database port from service ${args.serviceName}` },
          tags,
        },
        parent,
      );
    }

    const cache = args.cache;
    if (cache) {
      allowGroupToGroup(
        {
          from: sg.id,
          to: cache.securityGroupId,
          port: cache.port,
          egress: { name: `${name}-cache-out`, description: "Session store port to the cache security group" },
          ingress: { name: `${name}-cache-in`, description: `Session store port from service ${args.serviceName}` },
          tags,
        },
        parent,
      );
    }

    // ---- load balancing
    // Blue and green groups are identical but for their names: ECS moves tasks between them and
    // judges green by the same health check (ECS Developer Guide, "Application Load Balancer
    // resources for blue/green, linear, and canary deployments").
    const targetGroupArgs = (tgName: string): aws.lb.TargetGroupArgs => ({
      name: tgName,
      port: args.port,
      protocol: "HTTP",
      protocolVersion: "HTTP1",
      targetType: "ip",
      ipAddressType: "ipv4",
      vpcId: args.vpcId,
      // In-flight requests get this long to finish before the ALB closes a deregistering task's
      // connections; ECS deregisters before it sends SIGTERM (docs/releases.md).
      deregistrationDelay: args.deregistrationDelaySeconds ?? 30,
      healthCheck: {
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path: args.healthCheckPath,
        matcher: "200-299",
        interval: 15,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
      tags: tags(tgName),
    });
    const tg = new aws.lb.TargetGroup(`${name}-tg`, targetGroupArgs(args.targetGroupName), parent);
    const release = args.release;
    const shift = isTrafficShift(release) ? release : undefined;
    let greenTg: aws.lb.TargetGroup | undefined;
    if (shift) {
      if (!args.alternateTargetGroupName || !args.testListener) throw new Error(`service ${args.serviceName}: style ${shift.style} needs alternateTargetGroupName and testListener`);
      greenTg = new aws.lb.TargetGroup(`${name}-tg-green`, targetGroupArgs(args.alternateTargetGroupName), parent);
    }
    const conditions: aws.types.input.lb.ListenerRuleCondition[] = [];
    if (args.rule.hosts.length > 0) conditions.push({ hostHeader: { values: [...args.rule.hosts] } });
    if (args.rule.paths.length > 0) conditions.push({ pathPattern: { values: [...args.rule.paths] } });
    // Traffic-shift styles: the rule forwards to both groups and ECS shifts traffic by rewriting
    // the weights (blue 100 / green 0 at rest). ECS, not Pulumi, owns the weights from then on:
    // after a deployment green may hold 100, so `actions` is ignored, or the next `pulumi up`
    // would swing traffic back to a group with no tasks. Changing the conditions still applies.
    const weighted = (blue: aws.lb.TargetGroup, green: aws.lb.TargetGroup): aws.types.input.lb.ListenerRuleAction[] => [
      { type: "forward", forward: { targetGroups: [{ arn: blue.arn, weight: 100 }, { arn: green.arn, weight: 0 }] } },
    ];
    // Behind the edge only CloudFront carries the origin secret; the production rule requires it
    // (docs/edge.md). The test listener's rule does not: its callers are the VPC and the office,
    // which never pass through CloudFront.
    const productionConditions: aws.types.input.lb.ListenerRuleCondition[] = args.originHeader
      ? [...conditions, { httpHeader: { httpHeaderName: args.originHeader.name, values: [args.originHeader.value] } }]
      : conditions;
    const rule = new aws.lb.ListenerRule(
      `${name}-rule`,
      {
        listenerArn: args.listenerArn,
        priority: args.rule.priority,
        actions: greenTg ? weighted(tg, greenTg) : [{ type: "forward", targetGroupArn: tg.arn }],
        conditions: productionConditions,
        tags: tags(`${name}-rule`),
      },
      { parent: this, ignoreChanges: greenTg ? ["actions"] : [] },
    );
    let testRule: aws.lb.ListenerRule | undefined;
    if (shift && greenTg && args.testListener) {
      const t = args.testListener;
      // The test listener: HTTPS with the production certificate and TLS policy, 404 unless a
      // service's test rule matches; ECS points its rule at green before production traffic moves.
      const testListener = new aws.lb.Listener(
        `${name}-test`,
        {
          loadBalancerArn: t.albArn,
          port: shift.testListenerPort,
          protocol: "HTTPS",
          sslPolicy: t.sslPolicy,
          certificateArn: t.certificateArn,
          defaultActions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", messageBody: "Not Found", statusCode: "404" } }],
          tags: tags(`${name}-test`),
        },
        parent,
      );
      testRule = new aws.lb.ListenerRule(
        `${name}-test-rule`,
        { listenerArn: testListener.arn, priority: args.rule.priority, actions: weighted(tg, greenTg), conditions, tags: tags(`${name}-test-rule`) },
        { parent: this, ignoreChanges: ["actions"] },
      );
      // Only the VPC and the configured CIDRs (the office) reach the test listener: it serves
      // the unreleased revision. Never 0.0.0.0/0 (config refuses anything wider than /8).
      // The ALB is internet-facing, so its DNS name resolves to public addresses only (ELB API
      // Reference, CreateLoadBalancer `Scheme`), and a client in the VPC that uses the name leaves
      // through the NAT, arriving from the NAT's public address, which the private tier's network
      // ACL (HTTPS-only egress) drops on the test port anyway. The VPC CIDR rule serves a client
      // that dials an ALB node's private address (`curl --resolve <host>:<port>:<node-ip>`);
      // everyone else is an office CIDR (docs/releases.md, "Who reaches the test listener").
      shift.testListenerCidrs.forEach((cidr, i) =>
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-test-in-${i + 1}`,
          {
            securityGroupId: args.albSecurityGroupId,
            ipProtocol: "tcp",
            fromPort: shift.testListenerPort,
            toPort: shift.testListenerPort,
            cidrIpv4: cidr,
            description: `Test listener of ${args.serviceName} (port ${shift.testListenerPort}) from ${i === 0 ? "the VPC" : cidr}`,
            tags: tags(`${name}-test-in-${i + 1}`),
          },
          parent,
        ),
      );
    }

    // ---- logs
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: args.logGroupName, retentionInDays: args.logRetentionDays, kmsKeyId: args.logsKmsKeyArn, tags: tags(`${name}-logs`) },
      parent,
    );

    // ---- image
    let seedImage: pulumi.Output<string>;
    if (args.image.kind === "build") {
      seedImage = buildImage(
        name,
        { repositoryName: args.image.repositoryName, context: args.image.context, architecture: args.architecture, forceDelete: args.image.forceDelete, tags: { Service: args.serviceName } },
        this,
      );
    } else {
      seedImage = pulumi.output(args.image.image);
    }
    // Pull rights are scoped to the seed image's repository; a pipeline-owned service must push
    // its releases to that same repository.
    // An image this stack built must be in its repository (else a clear error now, not a task
    // that cannot pull); an external image may be public and need no ECR permission.
    const built = args.image.kind === "build" ? args.image.repositoryName : undefined;
    const repositoryArn = seedImage.apply((img) => (built !== undefined ? builtImageRepositoryArn(img, built) : ecrRepositoryArn(img)));

    let image: pulumi.Output<string>;
    let imageParameterName: pulumi.Output<string | undefined> = pulumi.output(undefined);
    if (args.imageOwner === "pipeline") {
      // Created once with the seed image; from then on the application pipeline owns the value
      // (ignoreChanges), and every `pulumi up` reads the live value, so it deploys whatever the
      // pipeline last released instead of reverting it.
      const param = new aws.ssm.Parameter(
        `${name}-image-param`,
        {
          name: args.imageParameterName,
          type: "String",
          dataType: "text",
          // insecureValue: an image reference is not a secret, and `value` would mark the task
          // definition's container definitions secret in state and previews.
          insecureValue: seedImage,
          description: `Image running in service ${args.serviceName}; written by its release pipeline, read by Pulumi`,
          tags: tags(`${name}-image-param`),
        },
        { parent: this, ignoreChanges: ["insecureValue", "value"] },
      );
      image = aws.ssm.getParameterOutput({ name: param.name, withDecryption: false }, { parent: this, dependsOn: [param] }).insecureValue;
      imageParameterName = param.name;
    } else {
      image = seedImage;
    }

    // ---- roles
    const trust = account.apply((acct) => JSON.stringify(ecsTasksTrustPolicy(acct, args.region)));
    const executionRole = new aws.iam.Role(
      `${name}-execution-role`,
      { description: `ECS agent for ${args.serviceName}: pull its image, write its logs, read its secrets`, assumeRolePolicy: trust, tags: tags(`${name}-execution-role`) },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-execution-role`,
      {
        role: executionRole.id,
        policy: pulumi.all([logGroup.arn, repositoryArn]).apply(([logArn, repoArn]) =>
          JSON.stringify(
            executionRolePolicy({
              logGroupArn: logArn,
              ecrRepositoryArns: repoArn ? [repoArn] : [],
              secretValueFroms: Object.values(args.secrets),
              secretKmsKeyArns: args.secretKmsKeyArns,
              region: args.region,
            }),
          ),
        ),
      },
      parent,
    );
    const taskRole = new aws.iam.Role(
      `${name}-task-role`,
      { description: `Application role of ${args.serviceName}`, assumeRolePolicy: trust, tags: tags(`${name}-task-role`) },
      parent,
    );
    if (db) {
      // The service's only database right: log in as its own user with a 15-minute IAM token.
      // Nothing here can read the master secret, so RDS rotating it never touches the service.
      new aws.iam.RolePolicy(
        `${name}-task-role-db`,
        {
          role: taskRole.id,
          policy: pulumi
            .all([account, db.clusterResourceId])
            .apply(([acct, resourceId]) => JSON.stringify(dbConnectPolicy(args.region, acct, resourceId, db.userName))),
        },
        parent,
      );
    }
    if (cache) {
      // The service's only cache right: connect as the cache's IAM user with a 15-minute token.
      new aws.iam.RolePolicy(
        `${name}-task-role-cache`,
        {
          role: taskRole.id,
          policy: pulumi
            .all([account, cache.replicationGroupId, cache.userName])
            .apply(([acct, groupId, userName]) => JSON.stringify(cacheConnectPolicy(args.region, acct, groupId, userName))),
        },
        parent,
      );
    }
    if (args.exec) {
      const exec = args.exec;
      new aws.iam.RolePolicy(
        `${name}-task-role-exec`,
        {
          role: taskRole.id,
          policy: pulumi
            .all([exec.logGroupArn, exec.kmsKeyArn])
            .apply(([logGroupArn, kmsKeyArn]) => JSON.stringify(taskRoleExecPolicy({ logGroupArn, kmsKeyArn }))),
        },
        parent,
      );
    }

    // ---- task definition
    // Where and as whom to connect; the password is an IAM token the app signs per connection
    // with its task role (docs/database.md), so no credential is in the task definition at all.
    const dbEnv = db
      ? pulumi.all([db.endpoint, db.readerEndpoint, db.databaseName]).apply(
          ([host, reader, dbName]): Record<string, string> => ({
            AWS_REGION: args.region,
            DB_HOST: host,
            DB_IAM_AUTH: "true",
            DB_NAME: dbName,
            DB_PORT: String(db.port),
            DB_READER_HOST: reader,
            DB_USER: db.userName,
          }),
        )
      : pulumi.output({} as Record<string, string>);
    // The session store: where and as whom; the password is an IAM token, TLS is mandatory.
    const cacheEnv = cache
      ? pulumi.all([cache.endpoint, cache.userName, cache.replicationGroupId]).apply(
          // CACHE_NAME: the replication group id, which the IAM token signs (docs/cache.md).
          ([host, userName, groupId]): Record<string, string> => ({
            // The region the token is signed for (as for the database's IAM tokens).
            AWS_REGION: args.region,
            CACHE_HOST: host,
            CACHE_NAME: groupId,
            CACHE_PORT: String(cache.port),
            CACHE_TLS: "true",
            CACHE_USER: userName,
          }),
        )
      : pulumi.output({} as Record<string, string>);
    const containerDefinitions = pulumi.all([image, logGroup.name, dbEnv, cacheEnv]).apply(([img, logGroupName, dbVariables, cacheVariables]) =>
      JSON.stringify(
        planContainerDefinitions({
          name: args.serviceName,
          image: img,
          port: args.port,
          cpu: args.cpu,
          memory: args.memory,
          environment: { ...args.environment, ...dbVariables, ...cacheVariables },
          secrets: args.secrets,
          user: args.user,
          readonlyRootFilesystem: args.readonlyRootFilesystem,
          stopTimeoutSeconds: args.stopTimeoutSeconds,
          logGroupName,
          region: args.region,
          execEnabled: args.exec !== undefined,
        }),
      ),
    );
    const taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-taskdef`,
      {
        family: args.family,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(args.cpu),
        memory: String(args.memory),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.architecture },
        executionRoleArn: executionRole.arn,
        taskRoleArn: taskRole.arn,
        containerDefinitions,
        volumes: planScratchVolumes(args.exec !== undefined).map((v) => ({ name: v.name })),
        tags: tags(args.family),
      },
      parent,
    );

    // ---- release (blueGreen/canary/linear): the roles ECS assumes and the rollback alarms
    let advancedConfiguration: aws.types.input.ecs.ServiceLoadBalancerAdvancedConfiguration | undefined;
    let deploymentConfiguration: aws.types.input.ecs.ServiceDeploymentConfiguration | undefined;
    let alarms: aws.types.input.ecs.ServiceAlarms | undefined;
    const releaseDependencies: pulumi.Resource[] = [];
    if (shift && greenTg && testRule) {
      const ecsTrust = JSON.stringify(ecsServiceTrustPolicy());
      // The infrastructure role ECS uses to rewrite the listener rules and move targets (Amazon
      // ECS Developer Guide, "Amazon ECS infrastructure IAM role for load balancers"); the AWS
      // managed policy is the documented one and AWS keeps it in step with ECS's needs.
      const lbRole = new aws.iam.Role(
        `${name}-ecs-lb-role`,
        { description: `ECS shifts ${args.serviceName}'s traffic between its target groups`, assumeRolePolicy: ecsTrust, tags: tags(`${name}-ecs-lb-role`) },
        parent,
      );
      const lbRolePolicy = new aws.iam.RolePolicyAttachment(
        `${name}-ecs-lb-role`,
        { role: lbRole.name, policyArn: ecsLoadBalancerInfrastructurePolicyArn(args.region) },
        parent,
      );
      releaseDependencies.push(lbRolePolicy);
      let hookRoleArn: pulumi.Output<string> | undefined;
      if (shift.lifecycleHooks.length > 0) {
        // A separate role for the hooks: ECS invokes them with the role named on each hook
        // ("Permissions required for Lambda functions in Amazon ECS blue/green deployments"),
        // and it needs lambda:InvokeFunction on those functions only.
        const hookRole = new aws.iam.Role(
          `${name}-hook-role`,
          { description: `ECS invokes ${args.serviceName}'s deployment lifecycle hooks`, assumeRolePolicy: ecsTrust, tags: tags(`${name}-hook-role`) },
          parent,
        );
        const hookPolicy = new aws.iam.RolePolicy(
          `${name}-hook-role`,
          { role: hookRole.id, policy: JSON.stringify(hookInvokePolicy(shift.lifecycleHooks.map((h) => h.lambdaArn))) },
          parent,
        );
        releaseDependencies.push(hookPolicy);
        hookRoleArn = hookRole.arn;
      }
      const alarmNames = releaseAlarmSpecs(args.serviceName).map((spec) => {
        const group = spec.targetGroup === "primary" ? tg : (greenTg as aws.lb.TargetGroup);
        const alarm = new aws.cloudwatch.MetricAlarm(
          `${name}-alarm-${spec.suffix}`,
          {
            // A fixed name: the service refers to its alarms by name.
            name: `${args.family}-${spec.suffix}`,
            alarmDescription: spec.description,
            namespace: "AWS/ApplicationELB",
            metricName: spec.metricName,
            dimensions: { LoadBalancer: args.albArnSuffix, TargetGroup: group.arnSuffix },
            statistic: spec.statistic,
            period: 60,
            evaluationPeriods: 2,
            datapointsToAlarm: 2,
            threshold: spec.threshold,
            comparisonOperator: "GreaterThanThreshold",
            // No requests, no datapoints: an idle green group is not a failure.
            treatMissingData: "notBreaching",
            tags: tags(`${name}-alarm-${spec.suffix}`),
          },
          parent,
        );
        return alarm.name;
      });
      const plannedDeployment = hookRoleArn
        ? hookRoleArn.apply((arn) => ecsDeploymentConfiguration(shift, arn))
        : pulumi.output(ecsDeploymentConfiguration(shift));
      deploymentConfiguration = plannedDeployment.apply((d) => ({
        strategy: d.strategy,
        bakeTimeInMinutes: d.bakeTimeInMinutes,
        canaryConfiguration: d.canaryConfiguration,
        linearConfiguration: d.linearConfiguration,
        lifecycleHooks: d.lifecycleHooks?.map((h) => ({ ...h, lifecycleStages: [...h.lifecycleStages] })),
      }));
      alarms = { alarmNames, enable: true, rollback: shift.alarmRollback };
      advancedConfiguration = { alternateTargetGroupArn: greenTg.arn, productionListenerRule: rule.arn, testListenerRule: testRule.arn, roleArn: lbRole.arn };
    }

    // ---- service
    const service = new aws.ecs.Service(
      `${name}-service`,
      {
        name: args.serviceName,
        cluster: args.clusterArn,
        taskDefinition: taskDefinition.arn,
        desiredCount: args.desiredCount,
        capacityProviderStrategies: args.capacityProviderStrategy.map((s) => ({ capacityProvider: s.capacityProvider, weight: s.weight, base: s.base })),
        platformVersion: "LATEST",
        networkConfiguration: { subnets: args.privateSubnetIds, securityGroups: [sg.id], assignPublicIp: false },
        loadBalancers: [{ targetGroupArn: tg.arn, containerName: args.serviceName, containerPort: args.port, advancedConfiguration }],
        healthCheckGracePeriodSeconds: args.healthCheckGracePeriodSeconds,
        // Native blue/green, canary and linear need the ECS controller (ECS Developer Guide,
        // "Required resources for Amazon ECS blue/green deployments").
        deploymentController: { type: "ECS" },
        ...(release.style === "rolling"
          ? {
              // The circuit breaker serves rolling deployments only (ECS API Reference,
              // DeploymentConfiguration.deploymentCircuitBreaker); min/max percent bound its batches.
              deploymentCircuitBreaker: { enable: true, rollback: true },
              deploymentMinimumHealthyPercent: release.minHealthyPercent,
              deploymentMaximumPercent: release.maxPercent,
              // Said explicitly, not left out: `deployment_configuration` is Optional+Computed in the
              // provider (terraform-provider-aws internal/service/ecs/service.go), so leaving it out
              // is "no change", and a service moved from blueGreen back to rolling would keep
              // strategy BLUE_GREEN in ECS while its green group, rules and role are deleted.
              deploymentConfiguration: { strategy: ecsDeploymentConfiguration(release).strategy },
            }
          : {
              deploymentConfiguration,
              alarms,
              // Off, said explicitly: the provider suppresses a removed circuit-breaker block and
              // sends the block only when it changed, so a service moved here from rolling would
              // keep its circuit breaker enabled in ECS; a disabled breaker is what ECS reports
              // for a service that never had one (the provider's "empty object" removal).
              deploymentCircuitBreaker: { enable: false, rollback: false },
            }),
        availabilityZoneRebalancing: "ENABLED",
        enableExecuteCommand: args.exec !== undefined,
        enableEcsManagedTags: true,
        propagateTags: "SERVICE",
        tags: tags(args.serviceName),
      },
      {
        parent: this,
        // The target group must be attached to the listener before a service can register into
        // it; with a traffic-shift style, the test rule and ECS's roles must exist first too.
        dependsOn: [rule, ...(testRule ? [testRule] : []), ...releaseDependencies, ...(args.clusterDependencies ?? [])],
        // A fixed service name cannot exist twice in a cluster: replace by delete-then-create.
        deleteBeforeReplace: true,
        // Application Auto Scaling owns the count once it manages the service.
        ignoreChanges: args.autoscaling ? ["desiredCount"] : [],
      },
    );

    if (args.autoscaling) {
      const a = args.autoscaling;
      const target = new aws.appautoscaling.Target(
        `${name}-scaling`,
        {
          serviceNamespace: "ecs",
          scalableDimension: "ecs:service:DesiredCount",
          resourceId: pulumi.interpolate`service/${args.clusterName}/${service.name}`,
          minCapacity: a.minCount,
          maxCapacity: a.maxCount,
          tags: tags(`${name}-scaling`),
        },
        parent,
      );
      const common = {
        policyType: "TargetTrackingScaling",
        resourceId: target.resourceId,
        scalableDimension: target.scalableDimension,
        serviceNamespace: target.serviceNamespace,
      };
      new aws.appautoscaling.Policy(
        `${name}-scale-cpu`,
        {
          ...common,
          targetTrackingScalingPolicyConfiguration: {
            predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
            targetValue: a.cpuTargetPercent,
            scaleInCooldown: a.scaleInCooldownSeconds,
            scaleOutCooldown: a.scaleOutCooldownSeconds,
          },
        },
        parent,
      );
      new aws.appautoscaling.Policy(
        `${name}-scale-requests`,
        {
          ...common,
          targetTrackingScalingPolicyConfiguration: {
            // A traffic-shift service's traffic moves to the other target group every release, so
            // the predefined metric (one group) would read an idle group every other release and
            // scale in under load: requests per target are summed over both groups instead
            // (./release.ts requestsPerTargetMetrics).
            ...(greenTg
              ? {
                  customizedMetricSpecification: {
                    metrics: requestsPerTargetMetrics().map((m) =>
                      m.expression !== undefined
                        ? { id: m.id, expression: m.expression, label: m.label, returnData: true }
                        : {
                            id: m.id,
                            metricStat: {
                              metric: {
                                namespace: "AWS/ApplicationELB",
                                metricName: "RequestCountPerTarget",
                                dimensions: [{ name: "TargetGroup", value: (m.targetGroup === "primary" ? tg : (greenTg as aws.lb.TargetGroup)).arnSuffix }],
                              },
                              stat: "Sum",
                            },
                            returnData: false,
                          },
                    ),
                  },
                }
              : {
                  predefinedMetricSpecification: {
                    predefinedMetricType: "ALBRequestCountPerTarget",
                    resourceLabel: pulumi.interpolate`${args.albArnSuffix}/${tg.arnSuffix}`,
                  },
                }),
            targetValue: a.requestsPerTarget,
            scaleInCooldown: a.scaleInCooldownSeconds,
            scaleOutCooldown: a.scaleOutCooldownSeconds,
          },
        },
        parent,
      );
    }

    this.serviceName = service.name;
    this.serviceArn = service.arn;
    this.taskDefinitionArn = taskDefinition.arn;
    this.securityGroupId = sg.id;
    this.targetGroupArn = tg.arn;
    this.alternateTargetGroupArn = greenTg ? greenTg.arn : pulumi.output(undefined);
    this.logGroupName = logGroup.name;
    this.image = image;
    this.imageParameterName = imageParameterName;
    this.registerOutputs({
      serviceName: this.serviceName,
      serviceArn: this.serviceArn,
      taskDefinitionArn: this.taskDefinitionArn,
      securityGroupId: this.securityGroupId,
      targetGroupArn: this.targetGroupArn,
      alternateTargetGroupArn: this.alternateTargetGroupArn,
      logGroupName: this.logGroupName,
      image: this.image,
      imageParameterName: this.imageParameterName,
    });
  }
}
