import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { customerManagedKeyArgs } from "../shared/kms";
import { logsKeyPolicy } from "../app/plan";
import { AuroraEngine, SERVERLESS_CLASS, parameterGroupFamily, parseEngineVersion, planClusterParameters, planInstances } from "./plan";

/** Serverless v2 capacity (ACUs). */
export interface AuroraServerlessCapacity {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Only with minCapacity 0. @default - AWS's 300 s */
  readonly secondsUntilAutoPause?: number;
}

export interface AuroraArgs {
  // ---- placement
  /** Physical cluster identifier (it also names the exported log groups, which exist before the cluster). */
  readonly clusterIdentifier: string;
  readonly vpcId: pulumi.Input<string>;
  /** Isolated-tier subnets, one per AZ. */
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** The VPC's AZ names, in the order the subnets use; instance i goes to AZ i. */
  readonly availabilityZones: pulumi.Input<string[]>;
  /** How many AZs the subnets span (plain: it decides placement). Config keeps 1 + readers <= azCount. */
  readonly azCount: number;
  readonly region: string;

  // ---- engine
  readonly engine: AuroraEngine;
  readonly engineVersion: string;
  readonly port: number;
  readonly databaseName: string;
  readonly masterUsername: string;

  // ---- instances
  /** `db.serverless` or a provisioned class. */
  readonly instanceClass: string;
  /** Required with `db.serverless`. */
  readonly serverless?: AuroraServerlessCapacity;
  /** Readers besides the writer; decides how many instances exist, so a plain number. */
  readonly readers: number;
  /** @default - no reader autoscaling */
  readonly readerAutoscaling?: { readonly maxReaders: number; readonly cpuTargetPercent: number };

  // ---- backups and safety
  readonly backupRetentionDays: number;
  /** @default - AWS picks */
  readonly preferredBackupWindow?: string;
  /** @default - AWS picks */
  readonly preferredMaintenanceWindow?: string;
  readonly deletionProtection: boolean;
  /** Take `<clusterIdentifier>-final` when the cluster is deleted. */
  readonly finalSnapshot: boolean;
  /** Pulumi `protect` on the cluster and its KMS key. */
  readonly protect: boolean;
  /** @default false */
  readonly applyImmediately?: boolean;

  // ---- observability
  readonly logExports: readonly string[];
  readonly logRetentionDays: number;
  readonly performanceInsights: boolean;
  readonly performanceInsightsRetentionDays: number;

  // ---- access
  /**
   * Security groups allowed to reach the database port besides the services (which add their own
   * rules), by label: the label names the rule (`<name>-from-<label>`). Typically the management
   * VPC's bastion. Always by security-group reference, never by CIDR.
   * @default {}
   */
  readonly allowedSecurityGroups?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * CIDRs allowed to the database port, by label. Only for a peer whose security groups cannot be
   * referenced (cross-region peering): the management VPC's CIDR, never a wider range.
   * @default {}
   */
  readonly allowedCidrs?: Readonly<Record<string, string>>;
}

/**
 * An Aurora cluster (PostgreSQL or MySQL) in the isolated tier: a writer plus readers in distinct
 * AZs, encrypted with its own customer-managed key, master password managed by RDS in Secrets
 * Manager (never in Pulumi state), TLS required by the cluster parameter group, engine logs in
 * pre-created log groups with retention.
 *
 * Children: `<name>-key`, `<name>-sg`, `<name>-from-<label>`, `<name>-subnets`, `<name>-params`,
 * `<name>-log-<type>`, `<name>-cluster`, `<name>-instance-<n>`, `<name>-readers` (+ `-cpu`).
 *
 * Safety invariant: with `protect`, neither `pulumi destroy` nor a replacing change can delete the
 * cluster or the key its snapshots are encrypted with; `deletionProtection` stops the API from
 * doing it; `finalSnapshot` keeps the data if deletion is forced through anyway.
 */
export class Aurora extends pulumi.ComponentResource {
  public readonly clusterIdentifier: pulumi.Output<string>;
  public readonly clusterArn: pulumi.Output<string>;
  public readonly clusterResourceId: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  public readonly readerEndpoint: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  public readonly databaseName: pulumi.Output<string>;
  /** The Secrets Manager secret RDS manages (JSON with `username` and `password`). */
  public readonly masterUserSecretArn: pulumi.Output<string>;
  public readonly kmsKeyArn: pulumi.Output<string>;
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly instanceIdentifiers: pulumi.Output<string[]>;

  public readonly cluster: aws.rds.Cluster;
  public readonly instances: aws.rds.ClusterInstance[];
  public readonly securityGroup: aws.ec2.SecurityGroup;

  constructor(name: string, args: AuroraArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:database:Aurora", name, {}, opts);
    const parent = { parent: this };
    const version = parseEngineVersion(args.engine, args.engineVersion);
    if (!version) throw new Error(`Aurora ${name}: unparseable engineVersion "${args.engineVersion}" (config validation should have refused it)`);
    const id = args.clusterIdentifier;
    const serverless = args.instanceClass === SERVERLESS_CLASS;
    if (serverless && !args.serverless) throw new Error(`Aurora ${name}: db.serverless needs a serverless capacity range`);

    const account = aws.getCallerIdentityOutput({}, parent).accountId;

    // One key per cluster: storage, the master-user secret, Performance Insights and the exported
    // logs. Protected with the cluster, because snapshots (including the final one) are useless
    // without it; deleting a key is a 30-day scheduled operation AWS lets you cancel.
    const key = new aws.kms.Key(
      `${name}-key`,
      customerManagedKeyArgs({ description: `Aurora ${id}: storage, master secret, Performance Insights and exported logs`, policy: account.apply((acct) => JSON.stringify(logsKeyPolicy(acct, args.region, [`/aws/rds/cluster/${id}/*`]))), name: `${name}-key` }),
      { parent: this, protect: args.protect },
    );

    // No egress at all (the provider removes AWS's default allow-all egress rule on create), and
    // ingress only by security-group reference: the services add theirs, the rest come from args.
    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.vpcId,
        description: `Aurora ${id}: port ${args.port} from allowed security groups only, no egress`,
        tags: { Name: `${name}-sg` },
      },
      parent,
    );
    for (const [label, sgId] of Object.entries(args.allowedSecurityGroups ?? {})) {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-from-${label}`,
        {
          securityGroupId: this.securityGroup.id,
          referencedSecurityGroupId: sgId,
          ipProtocol: "tcp",
          fromPort: args.port,
          toPort: args.port,
          description: `Database port from the ${label} security group`,
          tags: { Name: `${name}-from-${label}` },
        },
        parent,
      );
    }

    for (const [label, cidr] of Object.entries(args.allowedCidrs ?? {})) {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-from-${label}-cidr`,
        {
          securityGroupId: this.securityGroup.id,
          cidrIpv4: cidr,
          ipProtocol: "tcp",
          fromPort: args.port,
          toPort: args.port,
          description: `Database port from the ${label} VPC ${cidr} (its security groups cannot be referenced across regions)`,
          tags: { Name: `${name}-from-${label}-cidr` },
        },
        parent,
      );
    }

    const subnetGroup = new aws.rds.SubnetGroup(
      `${name}-subnets`,
      { subnetIds: args.subnetIds, description: `Isolated subnets of Aurora ${id} (no route out of the VPC)`, tags: { Name: `${name}-subnets` } },
      parent,
    );

    const family = parameterGroupFamily(args.engine, version);
    const parameterGroup = new aws.rds.ClusterParameterGroup(
      `${name}-params`,
      {
        family,
        description: `Aurora ${id}: TLS required, audit and slow-query logging`,
        parameters: planClusterParameters(args.engine).map((p) => ({ name: p.name, value: p.value, applyMethod: p.applyMethod })),
        tags: { Name: `${name}-params` },
      },
      parent,
    );

    // Pre-created so they carry retention and encryption; RDS would otherwise create them on
    // first write with no retention at all (logs kept forever, billed forever).
    const logGroups = args.logExports.map(
      (type) =>
        new aws.cloudwatch.LogGroup(
          `${name}-log-${type}`,
          {
            name: `/aws/rds/cluster/${id}/${type}`,
            retentionInDays: args.logRetentionDays,
            kmsKeyId: key.arn,
            tags: { Name: `${name}-log-${type}` },
          },
          parent,
        ),
    );

    this.cluster = new aws.rds.Cluster(
      `${name}-cluster`,
      {
        clusterIdentifier: id,
        engine: args.engine,
        engineVersion: args.engineVersion,
        engineMode: "provisioned",
        databaseName: args.databaseName,
        port: args.port,
        masterUsername: args.masterUsername,
        // RDS generates and rotates the password in Secrets Manager; it never enters Pulumi state.
        manageMasterUserPassword: true,
        masterUserSecretKmsKeyId: key.arn,
        iamDatabaseAuthenticationEnabled: true,
        storageEncrypted: true,
        kmsKeyId: key.arn,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: [this.securityGroup.id],
        dbClusterParameterGroupName: parameterGroup.name,
        serverlessv2ScalingConfiguration: args.serverless
          ? {
              minCapacity: args.serverless.minCapacity,
              maxCapacity: args.serverless.maxCapacity,
              secondsUntilAutoPause: args.serverless.minCapacity === 0 ? args.serverless.secondsUntilAutoPause : undefined,
            }
          : undefined,
        backupRetentionPeriod: args.backupRetentionDays,
        preferredBackupWindow: args.preferredBackupWindow,
        preferredMaintenanceWindow: args.preferredMaintenanceWindow,
        copyTagsToSnapshot: true,
        deletionProtection: args.deletionProtection,
        skipFinalSnapshot: !args.finalSnapshot,
        finalSnapshotIdentifier: args.finalSnapshot ? `${id}-final` : undefined,
        // Automated backups outlive the cluster for their retention period: a deleted cluster can
        // still be restored to a point in time.
        deleteAutomatedBackups: false,
        enabledCloudwatchLogsExports: [...args.logExports],
        allowMajorVersionUpgrade: false,
        applyImmediately: args.applyImmediately ?? false,
        tags: { Name: id },
      },
      { parent: this, protect: args.protect, dependsOn: logGroups },
    );

    const placements = planInstances(args.readers, args.azCount);
    const azs = pulumi.output(args.availabilityZones);
    const instances: aws.rds.ClusterInstance[] = [];
    for (const p of placements) {
      const logical = `${name}-instance-${p.ordinal}`;
      instances.push(
        new aws.rds.ClusterInstance(
          logical,
          {
            clusterIdentifier: this.cluster.id,
            engine: args.engine,
            engineVersion: this.cluster.engineVersion,
            instanceClass: args.instanceClass,
            availabilityZone: azs.apply((list) => list[p.azIndex]),
            dbSubnetGroupName: subnetGroup.name,
            publiclyAccessible: false,
            autoMinorVersionUpgrade: true,
            caCertIdentifier: "rds-ca-rsa2048-g1",
            promotionTier: p.promotionTier,
            performanceInsightsEnabled: args.performanceInsights,
            performanceInsightsKmsKeyId: args.performanceInsights ? key.arn : undefined,
            performanceInsightsRetentionPeriod: args.performanceInsights ? args.performanceInsightsRetentionDays : undefined,
            monitoringInterval: 0,
            copyTagsToSnapshot: true,
            applyImmediately: args.applyImmediately ?? false,
            tags: { Name: logical, Role: p.role },
          },
          // The first instance of a cluster becomes its writer, so readers wait for it.
          { parent: this, dependsOn: p.role === "reader" && instances.length > 0 ? [instances[0]] : [] },
        ),
      );
    }
    this.instances = instances;

    if (args.readerAutoscaling) {
      const target = new aws.appautoscaling.Target(
        `${name}-readers`,
        {
          serviceNamespace: "rds",
          scalableDimension: "rds:cluster:ReadReplicaCount",
          resourceId: pulumi.interpolate`cluster:${this.cluster.clusterIdentifier}`,
          minCapacity: args.readers,
          maxCapacity: args.readerAutoscaling.maxReaders,
          tags: { Name: `${name}-readers` },
        },
        { parent: this, dependsOn: instances },
      );
      new aws.appautoscaling.Policy(
        `${name}-readers-cpu`,
        {
          policyType: "TargetTrackingScaling",
          resourceId: target.resourceId,
          scalableDimension: target.scalableDimension,
          serviceNamespace: target.serviceNamespace,
          targetTrackingScalingPolicyConfiguration: {
            predefinedMetricSpecification: { predefinedMetricType: "RDSReaderAverageCPUUtilization" },
            targetValue: args.readerAutoscaling.cpuTargetPercent,
            scaleInCooldown: 300,
            scaleOutCooldown: 300,
          },
        },
        parent,
      );
    }

    this.clusterIdentifier = this.cluster.clusterIdentifier;
    this.clusterArn = this.cluster.arn;
    this.clusterResourceId = this.cluster.clusterResourceId;
    this.endpoint = this.cluster.endpoint;
    this.readerEndpoint = this.cluster.readerEndpoint;
    this.port = this.cluster.port;
    this.databaseName = this.cluster.databaseName;
    this.masterUserSecretArn = this.cluster.masterUserSecrets.apply((s) => s[0]?.secretArn as string);
    this.kmsKeyArn = key.arn;
    this.securityGroupId = this.securityGroup.id;
    this.instanceIdentifiers = pulumi.all(instances.map((i) => i.identifier));

    this.registerOutputs({
      clusterIdentifier: this.clusterIdentifier,
      clusterArn: this.clusterArn,
      clusterResourceId: this.clusterResourceId,
      endpoint: this.endpoint,
      readerEndpoint: this.readerEndpoint,
      port: this.port,
      databaseName: this.databaseName,
      masterUserSecretArn: this.masterUserSecretArn,
      kmsKeyArn: this.kmsKeyArn,
      securityGroupId: this.securityGroupId,
      instanceIdentifiers: this.instanceIdentifiers,
    });
  }
}
