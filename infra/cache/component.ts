import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { customerManagedKeyArgs } from "../shared/kms";
import { partitionOf } from "../shared/policy-documents";
import {
  CACHE_APP_ACCESS_STRING,
  CACHE_DEFAULT_ACCESS_STRING,
  CACHE_PORT,
  CacheEngine,
  CacheNames,
  cacheKeyPolicy,
  cacheParameterGroupFamily,
  planCacheNodes,
} from "./plan";

export interface SessionStoreArgs {
  // ---- placement
  /** Physical names (plan.ts cacheNames). */
  readonly names: CacheNames;
  readonly vpcId: pulumi.Input<string>;
  /** Isolated-tier subnets, one per AZ. */
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** The VPC's AZ names, in the order the subnets use; node i goes to AZ i. */
  readonly availabilityZones: pulumi.Input<string[]>;
  /** How many AZs the subnets span (plain: it decides placement). Config keeps 1 + replicas <= azCount. */
  readonly azCount: number;
  readonly region: string;

  // ---- engine
  readonly engine: CacheEngine;
  /** major.minor, validated by config (plan.ts CACHE_ENGINE_VERSIONS). */
  readonly engineVersion: string;
  readonly nodeType: string;
  /** Engine parameters on top of the family's defaults. @default {} */
  readonly parameters?: Readonly<Record<string, string>>;

  // ---- availability
  /** Replicas besides the primary; decides how many nodes exist, so a plain number. */
  readonly replicas: number;
  readonly automaticFailover: boolean;
  readonly multiAz: boolean;

  // ---- snapshots and safety
  /** 0 turns automatic snapshots off. */
  readonly snapshotRetentionDays: number;
  /** @default - ElastiCache picks */
  readonly snapshotWindow?: string;
  /** @default - ElastiCache picks */
  readonly maintenanceWindow?: string;
  /** Take `names.finalSnapshotIdentifier` when the replication group is deleted. */
  readonly finalSnapshot: boolean;
  /** Pulumi `protect` on the replication group and its key. */
  readonly protect: boolean;
  /** @default false */
  readonly applyImmediately?: boolean;

  // ---- observability
  readonly logRetentionDays: number;
  /** The environment's logs key (infra/shared/logs-key.ts): the log groups live under its prefix. */
  readonly logsKmsKeyArn: pulumi.Input<string>;
}

/**
 * The environment's session store: an ElastiCache for Valkey / Redis OSS replication group in the
 * isolated tier. One shard (cluster mode disabled): a primary plus `replicas` replicas, node i in
 * AZ i. Encrypted at rest with its own customer-managed key and in transit (TLS required),
 * authenticated through RBAC with IAM: services connect as one IAM-enabled user with a token signed
 * by their task role; the `default` user every user group must contain is switched off. Slow and
 * engine logs go to log groups under the environment's prefix, encrypted with its logs key.
 *
 * The security group admits nothing by itself: each service with `cache: true` adds its own
 * ingress rule (by group reference), so a service's access disappears with it.
 *
 * Children: `<name>-key`, `<name>-sg`, `<name>-subnets`, `<name>-params`, `<name>-log-slow`,
 * `<name>-log-engine`, `<name>-default-user`, `<name>-user`, `<name>-users`, `<name>-group`.
 *
 * Safety invariant: with `protect`, neither `pulumi destroy` nor a replacing change can delete the
 * replication group or the key its snapshots are encrypted with; `finalSnapshot` keeps the data if
 * deletion is forced through anyway.
 */
export class SessionStore extends pulumi.ComponentResource {
  public readonly replicationGroupId: pulumi.Output<string>;
  public readonly replicationGroupArn: pulumi.Output<string>;
  /** The primary endpoint: follows the primary through a failover. */
  public readonly endpoint: pulumi.Output<string>;
  public readonly readerEndpoint: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  /** The IAM-enabled user services connect as (user id = user name). */
  public readonly userName: pulumi.Output<string>;
  public readonly userArn: pulumi.Output<string>;
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly kmsKeyArn: pulumi.Output<string>;

  public readonly replicationGroup: aws.elasticache.ReplicationGroup;
  public readonly securityGroup: aws.ec2.SecurityGroup;

  constructor(name: string, args: SessionStoreArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:cache:SessionStore", name, {}, opts);
    const parent = { parent: this };
    const n = args.names;
    const nodes = planCacheNodes(args.replicas, args.azCount);
    if (args.multiAz && !args.automaticFailover) throw new Error(`SessionStore ${name}: multiAz needs automaticFailover (config validation should have refused this)`);
    if (args.automaticFailover && args.replicas < 1) throw new Error(`SessionStore ${name}: automaticFailover needs a replica (config validation should have refused this)`);
    const account = aws.getCallerIdentityOutput({}, parent).accountId;

    // Its own key: the logs key may encrypt only CloudWatch Logs, and snapshots (the final one
    // included) are unreadable without this key, hence protected with the group.
    const key = new aws.kms.Key(
      `${name}-key`,
      customerManagedKeyArgs({ description: `ElastiCache ${n.replicationGroupId}: data at rest and snapshots`, policy: account.apply((acct) => JSON.stringify(cacheKeyPolicy(acct, partitionOf(args.region)))), name: `${name}-key` }),
      { parent: this, protect: args.protect },
    );

    // No rules at all: the provider removes AWS's default allow-all egress rule on create, and
    // each service with `cache: true` adds its own ingress by group reference (infra/app/service.ts).
    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: `ElastiCache ${n.replicationGroupId}: port ${CACHE_PORT} from services with cache: true only, no egress`, tags: { Name: `${name}-sg` } },
      parent,
    );

    const subnetGroup = new aws.elasticache.SubnetGroup(
      `${name}-subnets`,
      { subnetIds: args.subnetIds, description: `Isolated subnets of ElastiCache ${n.replicationGroupId} (no route out of the VPC)`, tags: { Name: `${name}-subnets` } },
      parent,
    );

    const family = cacheParameterGroupFamily(args.engine, args.engineVersion);
    const parameterGroup = new aws.elasticache.ParameterGroup(
      `${name}-params`,
      {
        family,
        description: `ElastiCache ${n.replicationGroupId}: ${family} parameters from platform:cache.parameters`,
        parameters: Object.entries(args.parameters ?? {})
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([pName, value]) => ({ name: pName, value })),
        tags: { Name: `${name}-params` },
      },
      parent,
    );

    // Pre-created with retention and the environment's logs key; delivery writes into them.
    const slowLog = new aws.cloudwatch.LogGroup(
      `${name}-log-slow`,
      { name: n.slowLogGroupName, retentionInDays: args.logRetentionDays, kmsKeyId: args.logsKmsKeyArn, tags: { Name: `${name}-log-slow` } },
      parent,
    );
    const engineLog = new aws.cloudwatch.LogGroup(
      `${name}-log-engine`,
      { name: n.engineLogGroupName, retentionInDays: args.logRetentionDays, kmsKeyId: args.logsKmsKeyArn, tags: { Name: `${name}-log-engine` } },
      parent,
    );

    // RBAC. Every user group must contain a user named `default` (AWS::ElastiCache::UserGroup,
    // UserIds: "A user named default must be included"), and an unauthenticated connection is that
    // user; here it is switched off and may run nothing. It needs no password because it can never
    // log in ("off"); the engine is "redis" because a no-password user cannot join a "valkey" user
    // group, and a "redis" group serves a Valkey cache too (Role-Based Access Control (RBAC),
    // https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html).
    // "No password" is said with CreateUser's NoPasswordRequired, not authenticationMode
    // { type: "no-password-required" }: AWS reads that mode back as "no-password" (API
    // AuthenticationMode.Type vs Authentication.Type), and terraform-provider-aws user.go stores
    // the read-back type, so the input would differ from the state on every preview and each
    // `pulumi up` would call ModifyUser again. authenticationMode is Optional+Computed, so left
    // unset it takes AWS's answer without a diff.
    const defaultUser = new aws.elasticache.User(
      `${name}-default-user`,
      {
        userId: n.defaultUserId,
        userName: "default",
        engine: "redis",
        accessString: CACHE_DEFAULT_ACCESS_STRING,
        noPasswordRequired: true,
        tags: { Name: `${name}-default-user` },
      },
      parent,
    );
    // IAM authentication: user id and user name identical and lowercase (auth-iam.html,
    // Limitations); no password exists.
    const user = new aws.elasticache.User(
      `${name}-user`,
      {
        userId: n.userId,
        userName: n.userId,
        engine: "redis",
        accessString: CACHE_APP_ACCESS_STRING,
        authenticationMode: { type: "iam" },
        tags: { Name: `${name}-user` },
      },
      parent,
    );
    const userGroup = new aws.elasticache.UserGroup(
      `${name}-users`,
      { userGroupId: n.userGroupId, engine: "redis", userIds: [defaultUser.userId, user.userId], tags: { Name: `${name}-users` } },
      parent,
    );

    const azs = pulumi.output(args.availabilityZones);
    this.replicationGroup = new aws.elasticache.ReplicationGroup(
      `${name}-group`,
      {
        replicationGroupId: n.replicationGroupId,
        description: `Session store of ${n.replicationGroupId}: ${args.engine} ${args.engineVersion}, ${nodes.length} node(s)`,
        engine: args.engine,
        engineVersion: args.engineVersion,
        nodeType: args.nodeType,
        port: CACHE_PORT,
        clusterMode: "disabled",
        numCacheClusters: nodes.length,
        preferredCacheClusterAzs: azs.apply((list) => nodes.map((node) => list[node.azIndex])),
        automaticFailoverEnabled: args.automaticFailover,
        multiAzEnabled: args.multiAz,
        subnetGroupName: subnetGroup.name,
        securityGroupIds: [this.securityGroup.id],
        parameterGroupName: parameterGroup.name,
        atRestEncryptionEnabled: true,
        kmsKeyId: key.arn,
        // TLS only: "required" refuses plaintext connections (IAM authentication needs TLS).
        transitEncryptionEnabled: true,
        transitEncryptionMode: "required",
        userGroupIds: [userGroup.userGroupId],
        snapshotRetentionLimit: args.snapshotRetentionDays,
        snapshotWindow: args.snapshotRetentionDays > 0 ? args.snapshotWindow : undefined,
        maintenanceWindow: args.maintenanceWindow,
        finalSnapshotIdentifier: args.finalSnapshot ? n.finalSnapshotIdentifier : undefined,
        autoMinorVersionUpgrade: true,
        applyImmediately: args.applyImmediately ?? false,
        logDeliveryConfigurations: [
          { destinationType: "cloudwatch-logs", destination: slowLog.name, logFormat: "json", logType: "slow-log" },
          { destinationType: "cloudwatch-logs", destination: engineLog.name, logFormat: "json", logType: "engine-log" },
        ],
        tags: { Name: n.replicationGroupId },
      },
      { parent: this, protect: args.protect },
    );

    this.replicationGroupId = this.replicationGroup.id;
    this.replicationGroupArn = this.replicationGroup.arn;
    this.endpoint = this.replicationGroup.primaryEndpointAddress;
    this.readerEndpoint = this.replicationGroup.readerEndpointAddress;
    this.port = this.replicationGroup.port.apply((p) => p ?? CACHE_PORT);
    this.userName = user.userName;
    this.userArn = user.arn;
    this.securityGroupId = this.securityGroup.id;
    this.kmsKeyArn = key.arn;

    this.registerOutputs({
      replicationGroupId: this.replicationGroupId,
      replicationGroupArn: this.replicationGroupArn,
      endpoint: this.endpoint,
      readerEndpoint: this.readerEndpoint,
      port: this.port,
      userName: this.userName,
      userArn: this.userArn,
      securityGroupId: this.securityGroupId,
      kmsKeyArn: this.kmsKeyArn,
    });
  }
}
