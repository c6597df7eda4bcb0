import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CapacityProviderStrategyItem } from "./config";

export interface EcsClusterArgs {
  /** Physical cluster name. */
  readonly clusterName: string;
  readonly region: string;
  /**
   * Log-group namespace of this environment (e.g. `/platform/dev`): the logs key may encrypt only
   * log groups under it, and the exec and service log groups live there.
   */
  readonly logGroupPrefix: string;
  readonly containerInsights: "enhanced" | "enabled" | "disabled";
  /** The cluster's default strategy (services set theirs explicitly, from this or an override). */
  readonly capacityProviderStrategy: readonly CapacityProviderStrategyItem[];
  readonly logRetentionDays: number;
  /** The environment's logs key (infra/shared/logs-key.ts), for the exec log group and sessions. */
  readonly logsKmsKeyArn: pulumi.Input<string>;
}

/**
 * One ECS cluster per environment, with FARGATE and FARGATE_SPOT associated, Container Insights as
 * configured, and ECS Exec sessions logged to an encrypted log group (configured even when no
 * service enables Exec: it costs nothing idle, and turning Exec on later is then always audited).
 *
 * Its log groups are encrypted with the environment's logs key, which CloudWatch Logs may use only
 * for log groups under `logGroupPrefix`.
 *
 * Children: `<name>-exec-logs`, `<name>-cluster`, `<name>-capacity-providers`.
 */
export class EcsCluster extends pulumi.ComponentResource {
  public readonly clusterArn: pulumi.Output<string>;
  public readonly clusterName: pulumi.Output<string>;
  public readonly logsKeyArn: pulumi.Output<string>;
  public readonly execLogGroupName: pulumi.Output<string>;
  public readonly execLogGroupArn: pulumi.Output<string>;
  /** Services depend on it: a strategy naming FARGATE_SPOT fails until the association exists. */
  public readonly capacityProviders: aws.ecs.ClusterCapacityProviders;

  constructor(name: string, args: EcsClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:app:EcsCluster", name, {}, opts);
    const parent = { parent: this };
    const logsKeyArn = pulumi.output(args.logsKmsKeyArn);

    const execLogs = new aws.cloudwatch.LogGroup(
      `${name}-exec-logs`,
      { name: `${args.logGroupPrefix}/ecs-exec`, retentionInDays: args.logRetentionDays, kmsKeyId: logsKeyArn, tags: { Name: `${name}-exec-logs` } },
      parent,
    );

    const cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      {
        name: args.clusterName,
        settings: [{ name: "containerInsights", value: args.containerInsights }],
        configuration: {
          executeCommandConfiguration: {
            kmsKeyId: logsKeyArn,
            logging: "OVERRIDE",
            logConfiguration: { cloudWatchLogGroupName: execLogs.name, cloudWatchEncryptionEnabled: true },
          },
        },
        tags: { Name: args.clusterName },
      },
      parent,
    );

    this.capacityProviders = new aws.ecs.ClusterCapacityProviders(
      `${name}-capacity-providers`,
      {
        clusterName: cluster.name,
        capacityProviders: ["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategies: args.capacityProviderStrategy.map((s) => ({ capacityProvider: s.capacityProvider, weight: s.weight, base: s.base })),
      },
      parent,
    );

    this.clusterArn = cluster.arn;
    this.clusterName = cluster.name;
    this.logsKeyArn = logsKeyArn;
    this.execLogGroupName = execLogs.name;
    this.execLogGroupArn = execLogs.arn;
    this.registerOutputs({
      clusterArn: this.clusterArn,
      clusterName: this.clusterName,
      logsKeyArn: this.logsKeyArn,
      execLogGroupName: this.execLogGroupName,
      execLogGroupArn: this.execLogGroupArn,
    });
  }
}
