import { DeploymentGraph, list, num, obj, prop, str } from "../cost/graph";
import { plainNumber } from "../cost/releases";
import type { DeploymentResource } from "../cost/types";

/**
 * A service's release style as the review's parity table prints it (docs/releases.md), read from
 * the plan: the ECS service's deploymentConfiguration (or its rolling percents), the container's
 * stopTimeout and the primary target group's deregistration delay. Pure.
 *
 *   rolling 100–200%; stop 30 s, drain 30 s
 *   blue/green, bake 15 min; stop 30 s, drain 30 s
 *   canary 10% for 5 min, bake 5 min; stop 30 s, drain 30 s
 *   linear 25% every 5 min, bake 10 min; stop 30 s, drain 30 s
 */

const TG_TYPES = ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"];
/** AWS defaults when a resource does not set them: stopTimeout 30 s (ECS), deregistration delay 300 s (ELB). */
const DEFAULT_STOP = 30;
const DEFAULT_DRAIN = 300;

export function releaseStyleOf(s: DeploymentResource, g: DeploymentGraph): string {
  const d = obj(prop(s, "deploymentConfiguration"));
  const strategy = str(d?.strategy) ?? "ROLLING";
  const bake = num(d?.bakeTimeInMinutes);
  let style: string;
  switch (strategy) {
    case "BLUE_GREEN":
      style = `blue/green, bake ${plainNumber(bake ?? 0)} min`;
      break;
    case "CANARY": {
      const c = obj(d?.canaryConfiguration);
      style = `canary ${plainNumber(num(c?.canaryPercent) ?? 0)}% for ${plainNumber(num(c?.canaryBakeTimeInMinutes) ?? 0)} min, bake ${plainNumber(bake ?? 0)} min`;
      break;
    }
    case "LINEAR": {
      const l = obj(d?.linearConfiguration);
      style = `linear ${plainNumber(num(l?.stepPercent) ?? 0)}% every ${plainNumber(num(l?.stepBakeTimeInMinutes) ?? 0)} min, bake ${plainNumber(bake ?? 0)} min`;
      break;
    }
    default: {
      const min = num(obj(d)?.minimumHealthyPercent) ?? num(prop(s, "deploymentMinimumHealthyPercent")) ?? 100;
      const max = num(obj(d)?.maximumPercent) ?? num(prop(s, "deploymentMaximumPercent")) ?? 200;
      style = `rolling ${min}–${max}%`;
    }
  }
  return `${style}; ${shutdownOf(s, g)}`;
}

function shutdownOf(s: DeploymentResource, g: DeploymentGraph): string {
  const td = g.follow(s, "taskDefinition", ["aws:ecs/taskDefinition:TaskDefinition"]);
  let stop: number | undefined;
  const raw = td ? prop(td, "containerDefinitions") : undefined;
  if (typeof raw === "string") {
    try {
      const defs = JSON.parse(raw) as Array<{ stopTimeout?: number }>;
      stop = Math.min(...defs.map((c) => (typeof c.stopTimeout === "number" ? c.stopTimeout : DEFAULT_STOP)));
    } catch {
      stop = undefined;
    }
  }
  const primary = str(obj((list(prop(s, "loadBalancers")) ?? [])[0])?.targetGroupArn);
  const tg = primary ? g.ofType(...TG_TYPES).find((t) => str(prop(t, "arn")) === primary || t.id === primary) : undefined;
  const drain = tg ? (num(prop(tg, "deregistrationDelay")) ?? DEFAULT_DRAIN) : undefined;
  const stopText = `stop ${stop !== undefined && Number.isFinite(stop) ? `${stop} s` : "?"}`;
  // A service without a load balancer has nothing to drain.
  if (!primary) return stopText;
  return `${stopText}, drain ${drain !== undefined ? `${drain} s` : "?"}`;
}
