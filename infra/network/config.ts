import { z } from "zod";
import { ConfigProblem, duplicateProblems } from "../config/problems";
import { REGION_AZ_COUNT } from "../config/regions";
import { isRfc1918, parseCidr } from "./cidr";
import { LARGEST_VPC_PREFIX_FOR_LAYOUT, MAX_AZS, VPC_PREFIX_MAX, VPC_PREFIX_MIN } from "./plan";

/**
 * NAT strategies (`platform:network.natStrategy`):
 *
 * | value      | resources                                         | monthly cost (ap-northeast-2) | failure domain            |
 * |------------|---------------------------------------------------|-------------------------------|---------------------------|
 * | `none`     | no NAT; private tier reaches AWS via endpoints    | 0                             | no internet egress at all |
 * | `single`   | one NAT gateway + EIP in the first AZ             | ~43 USD + 0.059/GB            | one AZ takes egress down  |
 * | `perAz`    | one NAT gateway + EIP per AZ, AZ-local routes     | ~43 USD x AZs + 0.059/GB      | none beyond the AZ itself |
 * | `instance` | one NAT instance (Graviton, e.g. t4g.nano)        | ~4 USD + IPv4 3.65 USD        | one instance, no HA       |
 */
export const NAT_STRATEGIES = ["none", "single", "perAz", "instance"] as const;
export type NatStrategy = (typeof NAT_STRATEGIES)[number];

/** Interface endpoints that may be enabled; each costs per AZ per hour. */
export const INTERFACE_ENDPOINTS = [
  "ssm",
  "ssmmessages",
  "ec2messages",
  "ecr.api",
  "ecr.dkr",
  "logs",
  "secretsmanager",
  "sts",
  "kms",
] as const;
export type InterfaceEndpoint = (typeof INTERFACE_ENDPOINTS)[number];

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const DEFAULT_AZ_COUNT = 2;
export const DEFAULT_NAT_STRATEGY: NatStrategy = "single";
export const DEFAULT_NAT_INSTANCE_TYPE = "t4g.nano";
export const DEFAULT_FLOW_LOG_RETENTION_DAYS = 90;

export const retentionDays = z
  .number()
  .int()
  .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
    message: "invalid log retention",
    params: {
      allowed: `one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`,
      fix: "pick the nearest allowed number of days",
    },
  });

export const NetworkConfigSchema = z.strictObject({
  /** The VPC's IPv4 CIDR: RFC 1918, /16 to /23, unique across peered stacks. Required. */
  cidr: z.string(),
  /** How many AZs the subnets span. @default 2 */
  azCount: z.number().int().min(1).default(DEFAULT_AZ_COUNT),
  /** Explicit AZ names; when set, azCount must not exceed its length. @default - the region's first azCount AZs */
  availabilityZones: z.array(z.string()).min(1).optional(),
  /** How the private tier reaches the internet: `none` (endpoints only), `single` (one NAT gateway in the first AZ), `perAz` (one per AZ, AZ-local routes) or `instance` (one NAT instance, no HA); costs and failure domains in docs/network.md. @default "single" */
  natStrategy: z.enum(NAT_STRATEGIES).default(DEFAULT_NAT_STRATEGY),
  /** Instance type of the NAT instance (strategy `instance`). @default "t4g.nano" */
  natInstanceType: z.string().default(DEFAULT_NAT_INSTANCE_TYPE),
  /** VPC flow logs, to a KMS-encrypted CloudWatch log group written through a least-privilege role. */
  flowLogs: z
    .strictObject({
      /** Days the flow log group keeps events. @default 90 */
      retentionDays: retentionDays.default(DEFAULT_FLOW_LOG_RETENTION_DAYS),
      /** What the flow logs capture: all traffic, accepted only or rejected only. @default "ALL" */
      trafficType: z.enum(["ALL", "ACCEPT", "REJECT"]).default("ALL"),
    })
    .prefault({}),
  /** Interface endpoints to create in the private tier (each billed per AZ-hour). @default [] */
  interfaceEndpoints: z.array(z.enum(INTERFACE_ENDPOINTS)).default([]),
});
export type NetworkConfig = z.infer<typeof NetworkConfigSchema>;

/**
 * Invariants of a network config that a schema cannot express. Each returns a ConfigProblem
 * naming the key, the value, what is allowed and the fix.
 */
export function validateNetworkConfig(network: NetworkConfig, region: string, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const cidr = parseCidr(network.cidr);
  if (!cidr) {
    problems.push({
      key: "platform:network.cidr",
      received: network.cidr,
      allowed: "an IPv4 CIDR block a.b.c.d/n whose address has no host bits set (e.g. 10.20.0.0/16)",
      fix: `set platform:network.cidr in ${file} to a block such as "10.20.0.0/16"`,
    });
  } else if (!isRfc1918(cidr)) {
    problems.push({
      key: "platform:network.cidr",
      received: network.cidr,
      allowed: "a block inside RFC 1918 private space: 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
      fix: `choose an unused private range, e.g. "10.20.0.0/16", in ${file}`,
    });
  } else if (cidr.prefix < VPC_PREFIX_MIN || cidr.prefix > VPC_PREFIX_MAX) {
    problems.push({
      key: "platform:network.cidr",
      received: network.cidr,
      allowed: `a prefix between /${VPC_PREFIX_MIN} and /${VPC_PREFIX_MAX} (AWS's VPC limits)`,
      fix: `use a /${VPC_PREFIX_MIN} block such as "10.20.0.0/16"`,
    });
  } else if (cidr.prefix > LARGEST_VPC_PREFIX_FOR_LAYOUT) {
    problems.push({
      key: "platform:network.cidr",
      received: network.cidr,
      allowed: `/${LARGEST_VPC_PREFIX_FOR_LAYOUT} or larger: the subnet layout gives public and isolated subnets 1/32 of the VPC each and AWS's smallest subnet is /28`,
      fix: `widen the VPC to at least /${LARGEST_VPC_PREFIX_FOR_LAYOUT} (recommended /16)`,
    });
  }

  const regionMax = REGION_AZ_COUNT[region];
  const limit = Math.min(MAX_AZS, regionMax ?? MAX_AZS);
  if (network.azCount > limit) {
    problems.push({
      key: "platform:network.azCount",
      received: network.azCount,
      allowed:
        regionMax !== undefined && regionMax < MAX_AZS
          ? `at most ${regionMax} (the AZs ${region} has)`
          : `at most ${MAX_AZS} (the AZ slots the subnet layout reserves)`,
      fix: `set platform:network.azCount to ${limit} or fewer (2 for dev, 3 for production)`,
    });
  }
  if (network.availabilityZones) {
    if (network.azCount > network.availabilityZones.length) {
      problems.push({
        key: "platform:network.azCount",
        received: network.azCount,
        allowed: `at most ${network.availabilityZones.length}, the number of AZs listed in platform:network.availabilityZones`,
        fix: "list more availabilityZones or lower azCount",
      });
    }
    network.availabilityZones.forEach((az, i) => {
      if (!new RegExp(`^${region}[a-z]$`).test(az)) {
        problems.push({
          key: `platform:network.availabilityZones[${i}]`,
          received: az,
          allowed: `an AZ name of the stack's region ${region}, e.g. "${region}a"`,
          fix: `use AZs of ${region}, or change aws:region`,
        });
      }
    });
    problems.push(...duplicateProblems("platform:network.availabilityZones", network.availabilityZones, "distinct AZ names"));
  }
  problems.push(...duplicateProblems("platform:network.interfaceEndpoints", network.interfaceEndpoints, "each endpoint at most once"));
  return problems;
}
