import { num, obj, prop, str } from "./graph";
import { PricingContext } from "./lines";
import { CostLine, DeploymentResource } from "./types";

/**
 * Costs of release styles (docs/releases.md, "Cost"):
 *
 * - the second target group, the test listener and its rule cost nothing of their own: Elastic
 *   Load Balancing bills the load balancer hour and LCUs, not target groups, listeners or rules
 *   ("Elastic Load Balancing pricing", https://aws.amazon.com/elasticloadbalancing/pricing/). Rule
 *   evaluations are one of the four LCU dimensions, but only beyond the first 10 rules processed
 *   per request; the platform's ALBs evaluate at most a handful, so the extra rule adds no LCU and
 *   the `average_lcu` usage assumption is unchanged;
 * - each rollback alarm is a standard-resolution CloudWatch alarm, $0.10 a month (priced on the
 *   alarm, ./rules.ts metricAlarm);
 * - during a blue/green, canary or linear deployment ECS runs the full green revision beside blue
 *   from the moment green is up until the bake time after the last traffic shift ends. That
 *   overlap is extra task-hours: `monthly_deployments` (usage) × overlap minutes (from the plan) ×
 *   the service's tasks.
 */

/** Minutes blue and green both run in one deployment, from the service's deploymentConfiguration. */
export function overlapMinutes(deployment: Readonly<Record<string, unknown>> | undefined): number | undefined {
  const strategy = str(deployment?.strategy);
  if (strategy !== "BLUE_GREEN" && strategy !== "CANARY" && strategy !== "LINEAR") return undefined;
  const bake = num(deployment?.bakeTimeInMinutes) ?? 0;
  if (strategy === "CANARY") return bake + (num(obj(deployment?.canaryConfiguration)?.canaryBakeTimeInMinutes) ?? 0);
  if (strategy === "LINEAR") {
    const linear = obj(deployment?.linearConfiguration);
    const step = num(linear?.stepPercent) ?? 100;
    // ceil(100 / step) shifts, with a bake between consecutive ones.
    const steps = Math.max(1, Math.ceil(100 / step));
    return bake + (steps - 1) * (num(linear?.stepBakeTimeInMinutes) ?? 0);
  }
  return bake;
}

export interface TaskClassShare {
  readonly label: string;
  readonly tasks: number;
  readonly factor: number;
}

/**
 * The overlap's extra task-hours as vCPU and memory lines, per billing class (on-demand, Spot) in
 * the service's proportions. No lines for rolling services; a zero-quantity line naming the usage
 * key when `monthly_deployments` is not set.
 */
export function releaseOverlapLines(
  r: DeploymentResource,
  ctx: PricingContext,
  classes: readonly TaskClassShare[],
  size: { vcpu: number; gb: number; arch: string },
): { lines: CostLine[]; notes: string[] } {
  const minutes = overlapMinutes(obj(prop(r, "deploymentConfiguration")));
  if (minutes === undefined) return { lines: [], notes: [] };
  const deployments = ctx.usageOf(r, "monthly_deployments");
  const strategy = str(obj(prop(r, "deploymentConfiguration"))?.strategy);
  if (deployments.value === null) {
    const line = ctx.line(`${strategy} deployment overlap vCPU (green beside blue)`, 0, `fargate-vcpu-hour:${size.arch}`, { unit: "vCPU-hours" });
    return { lines: [ctx.usageUnknown(r, line, "monthly_deployments", deployments.source)], notes: [] };
  }
  const hours = (deployments.value * minutes) / 60;
  const lines: CostLine[] = [];
  for (const c of classes) {
    if (c.tasks <= 0) continue;
    const who = `${plainNumber(deployments.value)} deployments × ${plainNumber(minutes)} min × ${plainNumber(c.tasks)} ${c.label} task${c.tasks === 1 ? "" : "s"}`;
    lines.push(
      { ...ctx.line(`${strategy} overlap vCPU (${who})`, hours * c.tasks * size.vcpu, `fargate-vcpu-hour:${size.arch}`, { unit: "vCPU-hours", factor: c.factor }), usageKey: "monthly_deployments", ...(deployments.source ? { usageSource: deployments.source } : {}) },
      { ...ctx.line(`${strategy} overlap memory (${who})`, hours * c.tasks * size.gb, `fargate-gb-hour:${size.arch}`, { unit: "GB-hours", factor: c.factor }), usageKey: "monthly_deployments", ...(deployments.source ? { usageSource: deployments.source } : {}) },
    );
  }
  return { lines, notes: [`${strategy}: green runs beside blue for ${plainNumber(minutes)} min per deployment (bake times from deploymentConfiguration)`] };
}

/** A count or duration as people write it: 2, 2.5, 0.25 (at most two decimals, no trailing zeros). */
export function plainNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/\.?0+$/, "");
}
