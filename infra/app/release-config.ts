import { z } from "zod";
import { ConfigProblem } from "../config/problems";
import { suggest } from "../config/zod-problems";
import { contains, isRfc1918, parseCidr } from "../network/cidr";

/**
 * Per-service release settings (`platform:services[i].deployment`) and their validation. Pure: no
 * Pulumi. The planner that turns them into ECS/ALB inputs is infra/app/release.ts.
 *
 * AWS rules modelled here (Amazon ECS API Reference, "DeploymentConfiguration",
 * "CanaryConfiguration", "LinearConfiguration", "DeploymentLifecycleHook",
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html, and
 * the @pulumi/aws 7.48 ServiceDeploymentConfiguration docs in types/input.d.ts):
 * - `bakeTimeInMinutes` 0-1440, and it must be provided with BLUE_GREEN;
 * - canary percent 0.1-100, canary bake time 0-1440;
 * - linear step percent 3.0-100, step bake time 0-1440;
 * - the circuit breaker applies to rolling deployments only; blue/green-family deployments roll
 *   back on CloudWatch alarms (`alarms.rollback`) and failed lifecycle hooks instead;
 * - minimum/maximum percent bound rolling batches only.
 */

export const RELEASE_STYLES = ["rolling", "blueGreen", "canary", "linear"] as const;
export type ReleaseStyle = (typeof RELEASE_STYLES)[number];

/**
 * Stages a Lambda hook may run at (ECS `DeploymentLifecycleHook.lifecycleStages`, as listed in
 * @pulumi/aws 7.48 types/input.d.ts ServiceDeploymentConfigurationLifecycleHook).
 */
export const LIFECYCLE_STAGES = [
  "RECONCILE_SERVICE",
  "PRE_SCALE_UP",
  "POST_SCALE_UP",
  "TEST_TRAFFIC_SHIFT",
  "POST_TEST_TRAFFIC_SHIFT",
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export const DEFAULT_RELEASE_STYLE: ReleaseStyle = "rolling";
export const DEFAULT_MIN_HEALTHY_PERCENT = 100;
export const DEFAULT_MAX_PERCENT = 200;
export const DEFAULT_BAKE_TIME_MINUTES = 10;
export const DEFAULT_CANARY_PERCENT = 10;
export const DEFAULT_CANARY_BAKE_TIME_MINUTES = 5;
export const DEFAULT_LINEAR_STEP_PERCENT = 25;
export const DEFAULT_LINEAR_STEP_BAKE_TIME_MINUTES = 5;
/** ECS bake-time bounds (minutes). */
export const BAKE_TIME_MAX_MINUTES = 1440;
/**
 * Test listener ports: 1024-65535 minus 3389. The public tier's NACL admits exactly those from
 * anywhere as return traffic (infra/network/nacl.ts ephemeralFromAnywhere, which steps around RDP),
 * so the port needs no NACL rule of its own and the ALB security group alone decides who reaches
 * it (the VPC and the configured CIDRs, never the internet).
 */
export const TEST_PORT_MIN = 1024;
export const RDP_PORT = 3389;

const HookSchema = z.strictObject({
  /** ARN of the Lambda function ECS invokes (e.g. a CloudFront invalidation before PRODUCTION_TRAFFIC_SHIFT). Required. */
  lambdaArn: z.string(),
  /** Stages at which ECS invokes it. Required, at least one. */
  stages: z.array(z.string()).min(1),
  /** JSON-serialisable parameters ECS passes to the function. @default - none */
  details: z.record(z.string(), z.string()).optional(),
});
export type LifecycleHookConfig = z.infer<typeof HookSchema>;

export const ReleaseConfigSchema = z.strictObject({
  /** `rolling`, `blueGreen`, `canary` or `linear` (see the table on `deployment`). @default "rolling" */
  style: z.string().default(DEFAULT_RELEASE_STYLE),
  /** rolling only: tasks kept running during a deployment, in percent of the desired count. @default 100 */
  minHealthyPercent: z.number().int().min(0).max(100).optional(),
  /** rolling only: tasks allowed during a deployment; must exceed minHealthyPercent. @default 200 */
  maxPercent: z.number().int().min(100).max(200).optional(),
  /** blueGreen/canary/linear: minutes blue keeps running after all traffic reached green, for an instant rollback. @default 10 */
  bakeTimeMinutes: z.number().int().min(0).max(BAKE_TIME_MAX_MINUTES).optional(),
  /** canary only. @default { percent: 10, bakeTimeMinutes: 5 } */
  canary: z
    .strictObject({
      /** Share of production traffic green receives first (0.1-100, in steps of 0.1). @default 10 */
      percent: z.number().min(0.1).max(100).default(DEFAULT_CANARY_PERCENT),
      /** Minutes at that share before the rest shifts. @default 5 */
      bakeTimeMinutes: z.number().int().min(0).max(BAKE_TIME_MAX_MINUTES).default(DEFAULT_CANARY_BAKE_TIME_MINUTES),
    })
    .optional(),
  /** linear only. @default { stepPercent: 25, stepBakeTimeMinutes: 5 } */
  linear: z
    .strictObject({
      /** Share of traffic shifted per step (3-100, in steps of 0.1). @default 25 */
      stepPercent: z.number().min(3).max(100).default(DEFAULT_LINEAR_STEP_PERCENT),
      /** Minutes between steps. @default 5 */
      stepBakeTimeMinutes: z.number().int().min(0).max(BAKE_TIME_MAX_MINUTES).default(DEFAULT_LINEAR_STEP_BAKE_TIME_MINUTES),
    })
    .optional(),
  /** blueGreen/canary/linear: ALB port of the test listener (HTTPS, same certificate), unique per service, 1024-65535 except 3389. Required for those styles. */
  testListenerPort: z.number().int().min(1).max(65535).optional(),
  /** Extra IPv4 CIDRs allowed to the test listener besides the VPC: the office's public (NAT) range, never a private range outside the VPC (an office LAN behind the VPN cannot reach the internet-facing ALB), never wider than /8. @default [] */
  testListenerCidrs: z.array(z.string()).default([]),
  /** blueGreen/canary/linear: Lambda hooks ECS runs at deployment stages; a failing hook rolls back. @default [] */
  lifecycleHooks: z.array(HookSchema).default([]),
  /** blueGreen/canary/linear: roll back when the 5xx or unhealthy-host alarms fire. @default true */
  alarmRollback: z.boolean().default(true),
});
export type ReleaseConfig = z.infer<typeof ReleaseConfigSchema>;

/** What validateRelease reads of a service. */
export interface ReleaseServiceView {
  readonly name: string;
  readonly stopTimeoutSeconds: number;
  readonly deregistrationDelaySeconds: number;
  readonly deployment: ReleaseConfig;
}

export function isReleaseStyle(s: string): s is ReleaseStyle {
  return (RELEASE_STYLES as readonly string[]).includes(s);
}

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?$/;

/**
 * The release rules of one service the schema cannot express. Invariants:
 * - the style is one of RELEASE_STYLES (with a did-you-mean);
 * - rolling-only keys (min/max percent) are refused on the other styles and vice versa, so a
 *   setting never silently does nothing;
 * - blueGreen/canary/linear have a test listener port other than 80/443, and its extra CIDRs are
 *   valid, non-world ranges;
 * - the deregistration delay is at most stopTimeoutSeconds (docs/releases.md, "Graceful shutdown").
 */
export function validateRelease(s: ReleaseServiceView, key: (k: string) => string, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const d = s.deployment;
  if (!isReleaseStyle(d.style)) {
    const hint = suggest(d.style, RELEASE_STYLES);
    problems.push({
      key: key("deployment.style"),
      received: d.style,
      allowed: `one of ${RELEASE_STYLES.map((x) => `"${x}"`).join(", ")}`,
      fix: hint ? `did you mean "${hint}"? Set deployment.style to "${hint}" in ${file}` : `set deployment.style to one of ${RELEASE_STYLES.join(", ")} in ${file}`,
    });
    return problems;
  }
  const rolling = d.style === "rolling";
  if (rolling) {
    for (const k of ["bakeTimeMinutes", "canary", "linear", "testListenerPort"] as const) {
      if (d[k] !== undefined) {
        problems.push({ key: key(`deployment.${k}`), received: d[k], allowed: `set only with style blueGreen, canary or linear (style is "rolling")`, fix: `remove deployment.${k}, or change deployment.style` });
      }
    }
    if (d.testListenerCidrs.length > 0) {
      problems.push({ key: key("deployment.testListenerCidrs"), received: d.testListenerCidrs, allowed: "set only with style blueGreen, canary or linear (rolling has no test listener)", fix: "remove deployment.testListenerCidrs, or change deployment.style" });
    }
    if (d.lifecycleHooks.length > 0) {
      problems.push({ key: key("deployment.lifecycleHooks"), received: d.lifecycleHooks, allowed: "set only with style blueGreen, canary or linear", fix: "remove deployment.lifecycleHooks, or change deployment.style" });
    }
    const min = d.minHealthyPercent ?? DEFAULT_MIN_HEALTHY_PERCENT;
    const max = d.maxPercent ?? DEFAULT_MAX_PERCENT;
    if (max <= min) {
      problems.push({
        key: key("deployment.maxPercent"),
        received: max,
        allowed: `more than minHealthyPercent (${min}), or a rolling deployment cannot start a new task`,
        fix: "use minHealthyPercent 100 with maxPercent 200 (or 50 with 100 to deploy in place)",
      });
    }
  } else {
    for (const k of ["minHealthyPercent", "maxPercent"] as const) {
      if (d[k] !== undefined) {
        problems.push({
          key: key(`deployment.${k}`),
          received: d[k],
          allowed: `set only with style rolling: ECS starts a full green revision beside blue for style "${d.style}"`,
          fix: `remove deployment.${k}`,
        });
      }
    }
    if (d.canary !== undefined && d.style !== "canary") {
      problems.push({ key: key("deployment.canary"), received: d.canary, allowed: `set only with style canary (style is "${d.style}")`, fix: "remove deployment.canary, or set style: canary" });
    }
    if (d.linear !== undefined && d.style !== "linear") {
      problems.push({ key: key("deployment.linear"), received: d.linear, allowed: `set only with style linear (style is "${d.style}")`, fix: "remove deployment.linear, or set style: linear" });
    }
    // ECS API Reference, CanaryConfiguration.canaryPercent / LinearConfiguration.stepPercent:
    // "Valid values are multiples of 0.1" (0.1-100 and 3.0-100). The provider checks only the
    // range, so 12.25 would pass the preview and fail in UpdateService.
    const shares: [string, number | undefined][] = [
      ["deployment.canary.percent", d.style === "canary" ? d.canary?.percent : undefined],
      ["deployment.linear.stepPercent", d.style === "linear" ? d.linear?.stepPercent : undefined],
    ];
    for (const [k, v] of shares) {
      if (v !== undefined && !isTenth(v)) {
        const near = Math.round(v * 10) / 10;
        problems.push({ key: key(k), received: v, allowed: "a multiple of 0.1 (ECS takes traffic shares in tenths of a percent)", fix: `use ${near}` });
      }
    }
    if (d.testListenerPort === undefined) {
      problems.push({
        key: key("deployment.testListenerPort"),
        received: undefined,
        allowed: `a port (1024-65535, not 3389) for the test listener that style "${d.style}" needs`,
        fix: `add deployment.testListenerPort (e.g. 8443) to service "${s.name}" in ${file}`,
      });
    } else if (d.testListenerPort < TEST_PORT_MIN || d.testListenerPort === RDP_PORT) {
      problems.push({
        key: key("deployment.testListenerPort"),
        received: d.testListenerPort,
        allowed: `${TEST_PORT_MIN}-65535 except ${RDP_PORT}: the public subnets' network ACL admits those (its return-traffic rules) and the ALB security group decides who reaches the port; 80 and 443 are the production listeners`,
        fix: "use e.g. 8443",
      });
    }
    d.testListenerCidrs.forEach((c, j) => {
      const parsed = parseCidr(c);
      if (!parsed) {
        problems.push({ key: key(`deployment.testListenerCidrs[${j}]`), received: c, allowed: "an IPv4 CIDR block a.b.c.d/n without host bits", fix: 'e.g. "203.0.113.0/24" (the office)' });
      } else if (parsed.prefix < 8) {
        problems.push({
          key: key(`deployment.testListenerCidrs[${j}]`),
          received: c,
          allowed: "a block of at most /8: the test listener serves unreleased code and is never open to the world",
          fix: "name the office's public range (e.g. 203.0.113.0/24)",
        });
      }
    });
    d.lifecycleHooks.forEach((h, j) => {
      if (!LAMBDA_ARN.test(h.lambdaArn)) {
        problems.push({ key: key(`deployment.lifecycleHooks[${j}].lambdaArn`), received: h.lambdaArn, allowed: "a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)", fix: "copy the function ARN from Lambda" });
      }
      h.stages.forEach((st, k) => {
        if (!(LIFECYCLE_STAGES as readonly string[]).includes(st)) {
          const hint = suggest(st, LIFECYCLE_STAGES);
          problems.push({
            key: key(`deployment.lifecycleHooks[${j}].stages[${k}]`),
            received: st,
            allowed: `one of ${LIFECYCLE_STAGES.join(", ")}`,
            fix: hint ? `did you mean "${hint}"?` : "use one of the listed stages",
          });
        }
      });
    });
  }
  if (s.deregistrationDelaySeconds > s.stopTimeoutSeconds) {
    problems.push({
      key: key("deregistrationDelaySeconds"),
      received: s.deregistrationDelaySeconds,
      allowed: `at most stopTimeoutSeconds (${s.stopTimeoutSeconds}): when a task gets SIGTERM while the ALB still drains it (a Fargate Spot interruption, a StopTask call), SIGKILL must not come before the drain ends`,
      fix: `lower deregistrationDelaySeconds to ${s.stopTimeoutSeconds} or raise stopTimeoutSeconds (Fargate max 120)`,
    });
  }
  return problems;
}

/** Whether a percentage is a whole number of tenths (floating-point tolerant: 12.3 is). */
export function isTenth(v: number): boolean {
  return Math.abs(v * 10 - Math.round(v * 10)) < 1e-9;
}

/** Test listener ports must be unique across the stack's services (one listener per port per ALB). */
export function validateReleasePorts(services: readonly { name: string; deployment: ReleaseConfig }[], file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const owners = new Map<number, string>();
  services.forEach((s, i) => {
    const port = s.deployment.testListenerPort;
    if (port === undefined || !isReleaseStyle(s.deployment.style) || s.deployment.style === "rolling") return;
    const owner = owners.get(port);
    if (owner !== undefined) {
      problems.push({
        key: `platform:services[${i}].deployment.testListenerPort`,
        received: port,
        allowed: `a port no other service's test listener uses ("${owner}" has ${port})`,
        fix: `give "${s.name}" another test listener port in ${file}`,
      });
    } else owners.set(port, s.name);
  });
  return problems;
}

/**
 * A test listener range must be somewhere the office can arrive FROM. The ALB is internet-facing:
 * its DNS name resolves to the nodes' public addresses only (ELB API Reference, CreateLoadBalancer,
 * `Scheme`), so an office arrives from its public (NAT) address. A private (RFC 1918) range
 * outside this VPC never matches: an office behind the site-to-site VPN ends in the management
 * VPC, and AWS does not route edge to edge across a peering ("VPC peering limitations", Amazon VPC
 * Peering Guide: no edge-to-edge routing through a VPN connection), while the peering's own NACL
 * entries never carry the test port. Ranges inside the VPC are admitted anyway (the `-test-in-1`
 * rule), so they are left alone.
 */
export function validateTestListenerSources(
  services: readonly { name: string; deployment: ReleaseConfig }[],
  vpcCidr: string,
  file: string,
): ConfigProblem[] {
  const vpc = parseCidr(vpcCidr);
  const problems: ConfigProblem[] = [];
  services.forEach((s, i) => {
    if (!isReleaseStyle(s.deployment.style) || s.deployment.style === "rolling") return;
    s.deployment.testListenerCidrs.forEach((text, j) => {
      const c = parseCidr(text);
      if (!c || c.prefix < 8 || !isRfc1918(c) || (vpc !== undefined && contains(vpc, c))) return;
      problems.push({
        key: `platform:services[${i}].deployment.testListenerCidrs[${j}]`,
        received: text,
        allowed:
          `a public range, or one inside this VPC (${vpcCidr}, admitted already): the ALB is internet-facing, so the office arrives from its public address; ` +
          "a private range elsewhere (an office LAN behind the VPN, another VPC) never reaches it, since the VPN ends in the management VPC and AWS does not route edge to edge across the peering",
        fix: `replace it with the office's public (NAT) range, e.g. "203.0.113.0/24", in ${file} (docs/releases.md, "Who reaches the test listener")`,
      });
    });
  });
  return problems;
}
