import { Policies } from "@pulumi/policy";
import { resourcePolicy, stackPolicy } from "./lib/define";
import { Resource, StackGraph, describe, prop } from "./lib/graph";
import { parseContainerDefinitions } from "./lib/ecs";
import { coversTcpPort } from "./lib/ports";
import { list, obj } from "./lib/props";
import { isPublic } from "./lib/sg";
import { T } from "./lib/types";
import { forEachKnown, isPresent, peek } from "./lib/unknowns";
import { effectiveRules } from "./securitygroup";

/**
 * Release styles (docs/releases.md): ECS native blue/green, canary and linear deployments, and
 * graceful shutdown. Catalog rows R1-R4 are this file's own (issue #15, "Release styles per
 * service"); X2 is the guardrails catalog's "the ALB is the only public entry".
 *
 * What ECS needs for a traffic-shift strategy (Amazon ECS Developer Guide, "Required resources for
 * Amazon ECS blue/green deployments" and "Application Load Balancer resources for blue/green,
 * linear, and canary deployments"): the ECS deployment controller, and per load balancer an
 * alternate target group, the production listener rule, an IAM role ECS assumes to rewrite the
 * rules; a test listener rule lets the new revision be checked before users reach it.
 */

/** Strategies that shift traffic between two target groups. */
export const TRAFFIC_SHIFT_STRATEGIES = ["BLUE_GREEN", "CANARY", "LINEAR"] as const;

/** The service's strategy when it shifts traffic (BLUE_GREEN, CANARY or LINEAR), else undefined. */
export function trafficShiftStrategy(props: Readonly<Record<string, unknown>>): string | undefined {
  const s = obj(props.deploymentConfiguration)?.strategy;
  return typeof s === "string" && (TRAFFIC_SHIFT_STRATEGIES as readonly string[]).includes(s) ? s : undefined;
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== "";
}

export const serviceRequireBlueGreenResources = resourcePolicy({
  name: "ecs-service-require-blue-green-resources",
  description: "ECS services deploying blue/green, canary or linear must use the ECS controller and give every load balancer an alternate target group, a production and a test listener rule, and a role.",
  enforcementLevel: "mandatory",
  category: "reliability",
  severity: "high",
  catalog: ["R1"],
  types: [T.ecsService],
  validate: (r, report) => {
    const strategy = trafficShiftStrategy(r.props);
    if (!strategy) return;
    const controller = obj(r.props.deploymentController)?.type;
    if (isSet(controller) && controller !== "ECS") {
      report(`Strategy ${strategy} needs the ECS deployment controller, not ${String(controller)}; set deploymentController.type: "ECS".`);
    }
    const lbs = list(r.props.loadBalancers);
    if (lbs.length === 0) {
      report(`Strategy ${strategy} shifts traffic through a load balancer, and the service has none; attach it to a target group with loadBalancers.`);
    }
    lbs.forEach((raw, i) => {
      const lb = obj(raw) ?? {};
      const adv = obj(lb.advancedConfiguration);
      const missing = ["alternateTargetGroupArn", "productionListenerRule", "testListenerRule", "roleArn"].filter((k) => !isPresent(adv, k));
      if (missing.length > 0) {
        report(`Strategy ${strategy} without ${missing.map((k) => `loadBalancers[${i}].advancedConfiguration.${k}`).join(", ")}; give the service a second target group, the production and test listener rules and the ECS infrastructure role.`);
      } else {
        const alt = peek(() => adv?.alternateTargetGroupArn);
        const primary = peek(() => lb.targetGroupArn);
        if (typeof alt === "string" && alt === primary) {
          report(`loadBalancers[${i}] uses the same target group as primary and alternate; create a second target group for the new revision.`);
        }
      }
    });
  },
});

export const serviceRequireRollbackAlarms = resourcePolicy({
  name: "ecs-service-require-rollback-alarms",
  description: "ECS services deploying blue/green, canary or linear must watch CloudWatch alarms that roll the deployment back.",
  enforcementLevel: "mandatory",
  category: "reliability",
  severity: "medium",
  catalog: ["R2"],
  types: [T.ecsService],
  validate: (r, report) => {
    const strategy = trafficShiftStrategy(r.props);
    if (!strategy) return;
    const alarms = obj(r.props.alarms);
    const rawNames = alarms?.alarmNames;
    const names = Array.isArray(rawNames) ? rawNames : [];
    if (!alarms || alarms.enable !== true || alarms.rollback !== true || names.length === 0) {
      report(`Strategy ${strategy} has no alarm-based rollback (the circuit breaker serves rolling deployments only); set alarms { alarmNames: [5xx and unhealthy-host alarms of both target groups], enable: true, rollback: true }.`);
    }
  },
});

/** The listener rules a service's load balancers name as test rules, found through the graph. */
function testRulesOf(graph: StackGraph, svc: Resource): Resource[] {
  const wanted = new Set(
    list(peek(() => prop(svc, "loadBalancers")))
      .map((lb) => peek(() => obj(obj(lb)?.advancedConfiguration)?.testListenerRule))
      .filter((v): v is string => typeof v === "string" && v !== ""),
  );
  return graph.refs(svc, "loadBalancers", [T.listenerRule]).filter((rule) => wanted.has(peek(() => prop(rule, "arn")) as string));
}

export const listenerDisallowPublicTestListener = stackPolicy({
  name: "lb-listener-disallow-public-test-listener",
  description: "A blue/green test listener must not be reachable from the internet: its port may not be open to 0.0.0.0/0 or ::/0 in the load balancer's security groups.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["R3", "X2"],
  appliesTo: [T.ecsService],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.ecsService), (svc) => {
      if (!trafficShiftStrategy(svc.props)) return;
      for (const rule of testRulesOf(graph, svc)) {
        for (const listener of graph.refs(rule, "listenerArn", [T.listener])) {
          const port = peek(() => prop(listener, "port"));
          if (typeof port !== "number") continue;
          for (const lb of graph.refs(listener, "loadBalancerArn", [T.loadBalancer])) {
            for (const sg of graph.securityGroupsOf(lb)) {
              const open = effectiveRules(graph, sg).filter((e) => e.rule.direction === "ingress" && isPublic(e.rule) && coversTcpPort(e.rule.range, port));
              for (const e of open) {
                report(
                  `${describe(listener)} is the test listener of ${describe(svc)} (it serves the unreleased revision), and ${describe(e.source)} opens its port ${port} to ${e.rule.cidr}; admit only the VPC and office CIDRs.`,
                  e.source.urn,
                );
              }
            }
          }
        }
      }
    });
  },
});

/** ALB's default deregistration delay when a target group sets none (ELB User Guide, "Deregistration delay"). */
export const DEFAULT_DEREGISTRATION_DELAY = 300;
/** ECS's default stopTimeout when a container sets none (ECS Developer Guide, task definition parameters). */
export const DEFAULT_STOP_TIMEOUT = 30;

export const serviceConfigureGracefulShutdown = stackPolicy({
  name: "ecs-service-configure-graceful-shutdown",
  description: "A load-balanced ECS service's containers must get at least the target group's deregistration delay between SIGTERM and SIGKILL.",
  enforcementLevel: "mandatory",
  category: "reliability",
  severity: "medium",
  catalog: ["R4"],
  appliesTo: [T.ecsService],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.ecsService), (svc) => {
      const tds = graph.refs(svc, "taskDefinition", [T.ecsTaskDefinition]);
      const tgs = graph.refs(svc, "loadBalancers", [T.targetGroup]);
      for (const td of tds) {
        const defs = parseContainerDefinitions(peek(() => prop(td, "containerDefinitions")));
        if (!defs) continue;
        for (const tg of tgs) {
          const raw = peek(() => prop(tg, "deregistrationDelay"));
          const delay = raw === undefined || raw === null || raw === "" ? DEFAULT_DEREGISTRATION_DELAY : Number(raw);
          for (const c of defs) {
            const declared = (c as { stopTimeout?: unknown }).stopTimeout;
            const stop = typeof declared === "number" ? declared : DEFAULT_STOP_TIMEOUT;
            if (delay > stop) {
              report(
                `${describe(tg)} drains for ${delay} s but Container "${c.name ?? "(unnamed)"}" of ${describe(td)} is killed ${stop} s after SIGTERM; set the target group's deregistrationDelay to at most ${stop} or raise the container's stopTimeout (Fargate max 120).`,
                svc.urn,
              );
            }
          }
        }
      }
    });
  },
});

export const policies: Policies = [serviceRequireBlueGreenResources, serviceRequireRollbackAlarms, listenerDisallowPublicTestListener, serviceConfigureGracefulShutdown];
