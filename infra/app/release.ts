import { PolicyDocument, partitionOf } from "../shared/policy-documents";
import { TARGET_GROUP_NAME_MAX, boundedName, shortHash } from "./names";
import {
  DEFAULT_BAKE_TIME_MINUTES,
  DEFAULT_CANARY_BAKE_TIME_MINUTES,
  DEFAULT_CANARY_PERCENT,
  DEFAULT_LINEAR_STEP_BAKE_TIME_MINUTES,
  DEFAULT_LINEAR_STEP_PERCENT,
  DEFAULT_MAX_PERCENT,
  DEFAULT_MIN_HEALTHY_PERCENT,
  LifecycleStage,
  ReleaseConfig,
  ReleaseStyle,
  isReleaseStyle,
} from "./release-config";

/**
 * Pure planning of a service's release style: what the ECS service's `deploymentConfiguration`,
 * `alarms` and load balancer `advancedConfiguration` become, the alternate target group's name,
 * the test listener's sources, and the rollback alarms. The wiring is infra/app/service.ts.
 *
 * How ECS native blue/green works with an ALB (Amazon ECS Developer Guide, "Application Load
 * Balancer resources for blue/green, linear, and canary deployments",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html,
 * and "Amazon ECS blue/green service deployments workflow",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html):
 * two target groups with the same port, protocol and health check; a production listener RULE and
 * an optional test listener rule, each forwarding to both groups; during a deployment ECS
 * registers the green tasks in the alternate group and shifts traffic by rewriting the rules'
 * forward weights, using the infrastructure role; the listener's default action is never touched.
 */

/** ECS `deploymentConfiguration.strategy` per style. */
export const ECS_STRATEGY: Readonly<Record<ReleaseStyle, "ROLLING" | "BLUE_GREEN" | "CANARY" | "LINEAR">> = {
  rolling: "ROLLING",
  blueGreen: "BLUE_GREEN",
  canary: "CANARY",
  linear: "LINEAR",
};

export interface LifecycleHookPlan {
  readonly lambdaArn: string;
  readonly stages: readonly LifecycleStage[];
  readonly details?: Readonly<Record<string, string>>;
}

export interface RollingRelease {
  readonly style: "rolling";
  readonly minHealthyPercent: number;
  readonly maxPercent: number;
}

export interface TrafficShiftRelease {
  readonly style: "blueGreen" | "canary" | "linear";
  readonly bakeTimeMinutes: number;
  /** canary only */
  readonly canary?: { readonly percent: number; readonly bakeTimeMinutes: number };
  /** linear only */
  readonly linear?: { readonly stepPercent: number; readonly stepBakeTimeMinutes: number };
  readonly testListenerPort: number;
  /** Who may reach the test listener: the VPC first, then the configured extra CIDRs (deduplicated). */
  readonly testListenerCidrs: readonly string[];
  readonly lifecycleHooks: readonly LifecycleHookPlan[];
  readonly alarmRollback: boolean;
}

export type ReleasePlan = RollingRelease | TrafficShiftRelease;

export function isTrafficShift(p: ReleasePlan): p is TrafficShiftRelease {
  return p.style !== "rolling";
}

/** Resolves every release default in one place. Config validation has run: a bad style here is a bug. */
export function planRelease(d: ReleaseConfig, vpcCidr: string): ReleasePlan {
  if (!isReleaseStyle(d.style)) throw new Error(`unknown release style "${d.style}" (config validation should have refused it)`);
  if (d.style === "rolling") {
    return { style: "rolling", minHealthyPercent: d.minHealthyPercent ?? DEFAULT_MIN_HEALTHY_PERCENT, maxPercent: d.maxPercent ?? DEFAULT_MAX_PERCENT };
  }
  if (d.testListenerPort === undefined) throw new Error(`style ${d.style} without testListenerPort (config validation should have refused it)`);
  return {
    style: d.style,
    bakeTimeMinutes: d.bakeTimeMinutes ?? DEFAULT_BAKE_TIME_MINUTES,
    canary: d.style === "canary" ? { percent: d.canary?.percent ?? DEFAULT_CANARY_PERCENT, bakeTimeMinutes: d.canary?.bakeTimeMinutes ?? DEFAULT_CANARY_BAKE_TIME_MINUTES } : undefined,
    linear:
      d.style === "linear"
        ? { stepPercent: d.linear?.stepPercent ?? DEFAULT_LINEAR_STEP_PERCENT, stepBakeTimeMinutes: d.linear?.stepBakeTimeMinutes ?? DEFAULT_LINEAR_STEP_BAKE_TIME_MINUTES }
        : undefined,
    testListenerPort: d.testListenerPort,
    testListenerCidrs: [...new Set([vpcCidr, ...d.testListenerCidrs])],
    lifecycleHooks: d.lifecycleHooks.map((h) => ({ lambdaArn: h.lambdaArn, stages: h.stages as LifecycleStage[], details: h.details })),
    alarmRollback: d.alarmRollback,
  };
}

/** The shape of `aws.ecs.Service` `deploymentConfiguration` (numbers as the provider's strings). */
export interface EcsDeploymentConfiguration {
  readonly strategy: "ROLLING" | "BLUE_GREEN" | "CANARY" | "LINEAR";
  readonly bakeTimeInMinutes?: string;
  readonly canaryConfiguration?: { readonly canaryPercent: number; readonly canaryBakeTimeInMinutes: string };
  readonly linearConfiguration?: { readonly stepPercent: number; readonly stepBakeTimeInMinutes: string };
  readonly lifecycleHooks?: readonly {
    readonly hookTargetArn: string;
    readonly roleArn: string;
    readonly lifecycleStages: readonly string[];
    readonly hookDetails?: string;
  }[];
}

/**
 * `deploymentConfiguration` for the plan. `hookRoleArn` is the role ECS assumes to invoke the hooks
 * (required with any hook). Field names as in @pulumi/aws 7.48 types/input.d.ts
 * (ServiceDeploymentConfiguration; bake times are strings there).
 */
export function ecsDeploymentConfiguration(p: ReleasePlan, hookRoleArn?: string): EcsDeploymentConfiguration {
  if (!isTrafficShift(p)) return { strategy: "ROLLING" };
  if (p.lifecycleHooks.length > 0 && hookRoleArn === undefined) throw new Error("lifecycle hooks need the hook role's ARN");
  return {
    strategy: ECS_STRATEGY[p.style],
    bakeTimeInMinutes: String(p.bakeTimeMinutes),
    canaryConfiguration: p.canary ? { canaryPercent: p.canary.percent, canaryBakeTimeInMinutes: String(p.canary.bakeTimeMinutes) } : undefined,
    linearConfiguration: p.linear ? { stepPercent: p.linear.stepPercent, stepBakeTimeInMinutes: String(p.linear.stepBakeTimeMinutes) } : undefined,
    lifecycleHooks:
      p.lifecycleHooks.length > 0
        ? p.lifecycleHooks.map((h) => ({
            hookTargetArn: h.lambdaArn,
            roleArn: hookRoleArn as string,
            lifecycleStages: [...h.stages],
            hookDetails: h.details ? JSON.stringify(h.details) : undefined,
          }))
        : undefined,
  };
}

/**
 * The alternate ("green") target group's name: like targetGroupName (names.ts) but hashed with a
 * marker no service name can contain, so it never equals another service's primary group, and
 * within the 32-character limit.
 */
export function alternateTargetGroupName(project: string, stack: string, service: string, port: number): string {
  const hash = shortHash(`${project}/${stack}/${service}/${port}/HTTP/ip#alternate`);
  const head = boundedName(`${project}-${stack}-${service}`, TARGET_GROUP_NAME_MAX - 9);
  return `${head}-g-${hash}`;
}

/** The AWS managed policy ECS's infrastructure role for load balancers needs. */
export const ECS_LB_INFRASTRUCTURE_POLICY = "AmazonECSInfrastructureRolePolicyForLoadBalancers";

export function ecsLoadBalancerInfrastructurePolicyArn(region: string): string {
  return `arn:${partitionOf(region)}:iam::aws:policy/${ECS_LB_INFRASTRUCTURE_POLICY}`;
}

/**
 * Trust of the roles ECS itself assumes (the load balancer infrastructure role and the hook role):
 * `ecs.amazonaws.com`, as "Amazon ECS infrastructure IAM role for load balancers"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AmazonECSInfrastructureRolePolicyForLoadBalancers.html)
 * and "Permissions required for Lambda functions in Amazon ECS blue/green deployments"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-permissions.html) give it.
 * Note: `ecs.amazonaws.com`, not `ecs-tasks.amazonaws.com` (that is the tasks' own roles).
 */
export function ecsServiceTrustPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
}

/**
 * The hook role's only right: invoke the configured functions (and their versions/aliases). AWS's
 * example grants `arn:aws:lambda:*:*:function:*`; this is scoped to the named functions.
 */
export function hookInvokePolicy(lambdaArns: readonly string[]): PolicyDocument {
  const functions = [...new Set(lambdaArns.map((a) => a.split(":").slice(0, 7).join(":")))].sort();
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: functions.flatMap((f) => [f, `${f}:*`]) }],
  };
}

/** One rollback alarm of a traffic-shift release, on one target group. */
export interface ReleaseAlarmSpec {
  /** Logical-name suffix, e.g. `5xx-blue`. */
  readonly suffix: string;
  readonly metricName: "HTTPCode_Target_5XX_Count" | "UnHealthyHostCount";
  readonly statistic: "Sum" | "Maximum";
  readonly threshold: number;
  readonly targetGroup: "primary" | "alternate";
  readonly description: string;
}

/**
 * Alarms ECS watches during a blue/green-family deployment (`alarms { enable, rollback }`): target
 * 5xx responses and unhealthy hosts, on BOTH target groups, because the groups swap roles every
 * deployment (green of one release is blue of the next), so an alarm on one group only would be
 * blind every other release. Period 60 s, 2 of 2 datapoints: one bad minute is not a rollback.
 */
export function releaseAlarmSpecs(service: string): ReleaseAlarmSpec[] {
  const specs: ReleaseAlarmSpec[] = [];
  for (const tg of ["primary", "alternate"] as const) {
    const colour = tg === "primary" ? "blue" : "green";
    specs.push(
      {
        suffix: `5xx-${colour}`,
        metricName: "HTTPCode_Target_5XX_Count",
        statistic: "Sum",
        threshold: 5,
        targetGroup: tg,
        description: `${service}: more than 5 target 5xx responses a minute on the ${tg} target group; rolls back a deployment`,
      },
      {
        suffix: `unhealthy-${colour}`,
        metricName: "UnHealthyHostCount",
        statistic: "Maximum",
        threshold: 0,
        targetGroup: tg,
        description: `${service}: an unhealthy task in the ${tg} target group; rolls back a deployment`,
      },
    );
  }
  return specs;
}

/** One query of the request-scaling metric math of a traffic-shift service. */
export type RequestMetricQuery =
  | { readonly id: string; readonly targetGroup: "primary" | "alternate"; readonly expression?: undefined; readonly label?: undefined }
  | { readonly id: string; readonly expression: string; readonly label: string; readonly targetGroup?: undefined };

/**
 * Requests per target of a traffic-shift service, for target tracking: `RequestCountPerTarget`
 * (Sum) of each target group, an idle group counting 0 (`FILL`), added. Between releases one group
 * carries everything, so this equals the predefined ALBRequestCountPerTarget of the live group;
 * during a canary both carry a share and the sum is still requests per task. Application Auto
 * Scaling accepts metric math in target tracking ("Create a target tracking scaling policy for
 * Application Auto Scaling using metric math": any operator or function CloudWatch supports, one
 * time series returned).
 */
export function requestsPerTargetMetrics(): RequestMetricQuery[] {
  return [
    { id: "blue", targetGroup: "primary" },
    { id: "green", targetGroup: "alternate" },
    { id: "perTarget", expression: "FILL(blue, 0) + FILL(green, 0)", label: "ALB requests per target, both target groups" },
  ];
}
