import { UNKNOWN } from "../evaluate/property-values";
import { DeploymentGraph, bool, list, num, obj, prop, str } from "./graph";
import { ELASTICACHE_FREE_TYPES, ELASTICACHE_USAGE_KEYS, elasticacheReplicationGroup } from "./elasticache";
import { PricingContext, priced } from "./lines";
import { HOURS_PER_MONTH } from "./pricing";
import { CostLine, DeploymentResource } from "./types";
import { nameOfUrn } from "./usage";
import { releaseOverlapLines } from "./releases";
import { EDGE_FREE_TYPES, EDGE_RULES, EDGE_USAGE_KEYS } from "./edge";

/**
 * One pricing rule per billable AWS resource type the platform creates. A rule returns the
 * resource's cost lines (possibly none, e.g. a Gateway VPC endpoint) plus notes, or says why it
 * cannot price the resource.
 *
 * Billing behaviour each rule encodes is commented where it is encoded. Two conventions:
 *  - Public IPv4 addresses are billed per address-hour (since 2024-02-01, in use or not), so they
 *    are priced on the resource that holds the address: an EIP on the Eip resource (a NAT
 *    gateway's address included), an auto-assigned one on the instance/ASG/task, an internet-facing
 *    ALB's one per AZ on the ALB.
 *  - Quantities are monthly; always-on components are 730 hours.
 */

export type RuleResult =
  | { readonly kind: "priced"; readonly lines: CostLine[]; readonly notes: string[] }
  | { readonly kind: "skip"; readonly reason: string };

export type Rule = (r: DeploymentResource, ctx: PricingContext) => RuleResult;

/** Usage keys each type reads (validated against usage files; documented in usage.default.yml). */
export const USAGE_KEYS: Readonly<Record<string, readonly string[]>> = {
  "aws:ec2/natGateway:NatGateway": ["monthly_data_processed_gb"],
  "aws:ec2/instance:Instance": ["root_volume_gb"],
  "aws:autoscaling/group:Group": ["root_volume_gb"],
  "aws:ec2/vpcEndpoint:VpcEndpoint": ["monthly_data_processed_gb"],
  "aws:lb/loadBalancer:LoadBalancer": ["average_lcu"],
  "aws:alb/loadBalancer:LoadBalancer": ["average_lcu"],
  "aws:ecs/service:Service": ["average_task_count", "monthly_deployments"],
  "aws:rds/cluster:Cluster": ["storage_gb", "monthly_io_requests_millions", "backup_storage_gb"],
  "aws:rds/clusterInstance:ClusterInstance": ["average_acu", "monthly_active_hours"],
  "aws:cloudwatch/logGroup:LogGroup": ["monthly_data_ingested_gb", "storage_gb"],
  "aws:ecr/repository:Repository": ["storage_gb"],
  "awsx:ecr:Repository": ["storage_gb"],
  "aws:s3/bucket:Bucket": ["storage_gb"],
  "aws:ec2/vpnConnection:VpnConnection": ["monthly_data_transfer_out_gb"],
  ...ELASTICACHE_USAGE_KEYS,
  ...EDGE_USAGE_KEYS,
};


// ---------------------------------------------------------------------------------------------
// Network: NAT gateway, EIP, VPC endpoints

const natGateway: Rule = (r, ctx) =>
  // Billed per provisioned hour plus per GB processed, whatever the direction; a private NAT
  // gateway (connectivityType "private") is billed the same. The EIP is priced on its own resource.
  priced([
    ctx.hourly("NAT gateway", 1, "nat-gateway-hour"),
    ctx.usageLine(r, "Data processed", "monthly_data_processed_gb", "nat-gateway-gb", {
      unit: "GB",
    }),
  ]);

const eip: Rule = (_r, ctx) => priced([ctx.hourly("Public IPv4 address", 1, "public-ipv4-hour")]);

const vpcEndpoint: Rule = (r, ctx) => {
  const kind = str(prop(r, "vpcEndpointType")) ?? "Gateway";
  // Gateway endpoints (S3, DynamoDB) have no hourly or data charge.
  if (kind === "Gateway") return priced([], ["Gateway endpoint: no charge"]);
  if (kind !== "Interface") {
    return {
      kind: "skip",
      reason: `vpcEndpointType ${kind} is not priced (only Interface and Gateway are)`,
    };
  }
  // Interface endpoints are billed per hour per AZ: one ENI in each subnet given.
  const subnets = list(prop(r, "subnetIds"));
  const azs = subnets && subnets.length > 0 ? subnets.length : 1;
  const serviceName = str(prop(r, "serviceName")) ?? "interface endpoint";
  return priced(
    [
      ctx.hourly(
        `Interface endpoint ${serviceName} (${azs} AZ${azs === 1 ? "" : "s"})`,
        azs,
        "vpc-endpoint-hour",
      ),
      ctx.usageLine(r, "Data processed", "monthly_data_processed_gb", "vpc-endpoint-gb", {
        unit: "GB",
      }),
    ],
    [subnets && subnets.length > 0 ? undefined : "subnetIds unknown: priced as 1 AZ"],
  );
};

// ---------------------------------------------------------------------------------------------
// EC2: instances (NAT instance), bastion Auto Scaling group + launch template

interface Volume {
  readonly sizeGb?: number;
  readonly type: string;
  readonly label: string;
}

/** Volume lines for `count` copies of `volumes`; a missing size falls back to usage root_volume_gb. */
function volumeLines(
  r: DeploymentResource,
  ctx: PricingContext,
  volumes: readonly Volume[],
  count: number,
): CostLine[] {
  return volumes.map((v) => {
    const description = `${v.label} (${v.type}${count === 1 ? "" : `, ×${count}`})`;
    const priceKey = `ebs-gb-month:${v.type}`;
    if (v.sizeGb !== undefined)
      return ctx.line(description, v.sizeGb * count, priceKey, { unit: "GB-months" });
    // The size then comes from the AMI's block device mapping, which the plan does not hold.
    return ctx.usageLine(r, description, "root_volume_gb", priceKey, {
      unit: "GB-months",
      scale: count,
      note: "size from the AMI",
    });
  });
}

function rootVolume(block: Record<string, unknown> | undefined): Volume {
  return {
    sizeGb: num(block?.volumeSize),
    // AMIs such as Amazon Linux 2023 map their root volume as gp3; an explicit type wins.
    type: str(block?.volumeType) ?? "gp3",
    label: "Root volume",
  };
}

function instanceLine(
  ctx: PricingContext,
  instanceType: string | undefined,
  count: number,
): CostLine {
  if (!instanceType) {
    return ctx.line(
      `Instance usage (type unknown${count === 1 ? "" : `, ×${count}`})`,
      count * HOURS_PER_MONTH,
      "ec2-instance-hour:unknown",
      {
        unit: "hours",
      },
    );
  }
  return ctx.hourly(
    `Instance usage (Linux, on-demand, ${instanceType}${count === 1 ? "" : `, ×${count}`})`,
    count,
    `ec2-instance-hour:${instanceType}`,
  );
}

const instance: Rule = (r, ctx) => {
  const type = str(prop(r, "instanceType"));
  const volumes: Volume[] = [rootVolume(obj(prop(r, "rootBlockDevice")))];
  for (const [i, b] of (list(prop(r, "ebsBlockDevices")) ?? []).entries()) {
    const block = obj(b);
    volumes.push({
      sizeGb: num(block?.volumeSize),
      type: str(block?.volumeType) ?? "gp3",
      label: `EBS volume ${i + 1}`,
    });
  }
  const lines = [instanceLine(ctx, type, 1), ...volumeLines(r, ctx, volumes, 1)];
  // An auto-assigned public IPv4 is released when an EIP is associated, so count it only when
  // no EIP in the deployment points at this instance.
  const hasEip =
    ctx.graph.referrers(r, "instance", ["aws:ec2/eip:Eip", "aws:ec2/eipAssociation:EipAssociation"])
      .length > 0;
  if (bool(prop(r, "associatePublicIpAddress")) === true && !hasEip) {
    lines.push(ctx.hourly("Public IPv4 address", 1, "public-ipv4-hour"));
  }
  const notes: string[] = [];
  if (bool(prop(r, "sourceDestCheck")) === false) {
    notes.push(
      "NAT instance (sourceDestCheck off): no per-GB processing charge, unlike a NAT gateway",
    );
  }
  if (obj(prop(r, "instanceMarketOptions"))?.marketType === "spot") {
    notes.push("requested as Spot; priced on-demand");
  }
  return priced(lines, notes);
};

const autoscalingGroup: Rule = (r, ctx) => {
  // Cost = instances the group keeps running × (the launch template's instance + its volumes).
  const desired = num(prop(r, "desiredCapacity"));
  const min = num(prop(r, "minSize"));
  const count = desired ?? min ?? 0;
  const countNote =
    desired !== undefined
      ? `${count} instance(s): desiredCapacity`
      : `${count} instance(s): minSize (no desiredCapacity)`;
  const spec =
    obj(prop(r, "launchTemplate")) ??
    obj(obj(obj(prop(r, "mixedInstancesPolicy"))?.launchTemplate)?.launchTemplateSpecification);
  let template = ctx.graph.follow(r, "launchTemplate", ["aws:ec2/launchTemplate:LaunchTemplate"]);
  if (!template && spec) {
    const wanted = [spec.id, spec.launchTemplateId, spec.name, spec.launchTemplateName].filter(
      (v): v is string => typeof v === "string" && v !== UNKNOWN,
    );
    template = ctx.graph
      .ofType("aws:ec2/launchTemplate:LaunchTemplate")
      .find((t) =>
        [t.id, t.outputs?.id, t.outputs?.name, t.inputs?.name].some(
          (v) => typeof v === "string" && wanted.includes(v),
        ),
      );
  }
  if (!template) {
    return priced(
      [instanceLine(ctx, undefined, count)],
      [countNote, "launch template not found in the deployment"],
    );
  }
  const type = str(prop(template, "instanceType"));
  const volumes: Volume[] = [];
  for (const m of list(prop(template, "blockDeviceMappings")) ?? []) {
    const ebs = obj(obj(m)?.ebs);
    if (!ebs) continue;
    volumes.push({
      sizeGb: num(ebs.volumeSize),
      type: str(ebs.volumeType) ?? "gp3",
      label: `Volume ${str(obj(m)?.deviceName) ?? ""}`.trim(),
    });
  }
  if (volumes.length === 0) volumes.push(rootVolume(undefined));
  const lines = [instanceLine(ctx, type, count), ...volumeLines(r, ctx, volumes, count)];
  const publicIp = (list(prop(template, "networkInterfaces")) ?? []).some(
    (n) => bool(obj(n)?.associatePublicIpAddress) === true,
  );
  if (publicIp && count > 0)
    lines.push(
      ctx.hourly(
        `Public IPv4 address${count === 1 ? "" : ` (×${count})`}`,
        count,
        "public-ipv4-hour",
      ),
    );
  return priced(lines, [
    countNote,
    `instance type and volumes from launch template ${nameOfUrn(template.urn)}`,
  ]);
};

// ---------------------------------------------------------------------------------------------
// Load balancing

const loadBalancer: Rule = (r, ctx) => {
  const kind = str(prop(r, "loadBalancerType")) ?? "application";
  if (kind !== "application") {
    return {
      kind: "skip",
      reason: `loadBalancerType ${kind} is not priced (the price table has ALB entries only)`,
    };
  }
  const lines = [
    ctx.hourly("Application load balancer", 1, "alb-hour"),
    // LCUs are billed per hour on the busiest of four dimensions (new connections, active
    // connections, processed bytes, rule evaluations); the usage file gives the monthly average.
    ctx.usageLine(r, "Load balancer capacity units", "average_lcu", "alb-lcu-hour", {
      unit: "LCU-hours",
      scale: HOURS_PER_MONTH,
    }),
  ];
  const notes: string[] = [];
  if (bool(prop(r, "internal")) !== true) {
    // An internet-facing ALB holds one public IPv4 address per AZ it is enabled in (more under
    // load, as AWS scales the nodes); each is billed like any other public IPv4 address.
    const subnets = list(prop(r, "subnets")) ?? list(prop(r, "subnetMappings"));
    const azs = subnets && subnets.length > 0 ? subnets.length : 2;
    if (!subnets || subnets.length === 0)
      notes.push("subnets unknown: assumed 2 AZs (an ALB needs at least 2)");
    lines.push(ctx.hourly(`Public IPv4 addresses (${azs} AZs)`, azs, "public-ipv4-hour"));
  }
  return priced(lines, notes);
};

// ---------------------------------------------------------------------------------------------
// ECS on Fargate

/** Fargate task size: cpu as units ("256") or "0.25 vCPU"; memory as MiB ("512") or "2 GB". */
export function parseTaskSize(cpu: unknown, memory: unknown): { vcpu?: number; gb?: number } {
  const parse = (v: unknown, unitsPerOne: number, suffix: RegExp): number | undefined => {
    if (typeof v === "number") return v / unitsPerOne;
    if (typeof v !== "string") return undefined;
    const m = suffix.exec(v.trim());
    if (m) return Number(m[1]);
    const n = num(v);
    return n === undefined ? undefined : n / unitsPerOne;
  };
  return {
    vcpu: parse(cpu, 1024, /^([\d.]+)\s*vcpu$/i),
    gb: parse(memory, 1024, /^([\d.]+)\s*gb$/i),
  };
}

export interface Strategy {
  readonly provider: string;
  readonly weight: number;
  readonly base: number;
}

/**
 * How ECS splits `tasks` across a capacity provider strategy: the provider with a `base` gets
 * that many first, the rest go by weight. The estimate keeps the exact ratio (3 tasks at 1:1
 * are 1.5 + 1.5), the expected value of ECS's integer placement.
 */
export function splitTasks(tasks: number, strategies: readonly Strategy[]): Map<string, number> {
  const out = new Map<string, number>();
  let remaining = tasks;
  for (const s of strategies) {
    const b = Math.min(s.base, remaining);
    if (b > 0) out.set(s.provider, (out.get(s.provider) ?? 0) + b);
    remaining -= b;
  }
  const totalWeight = strategies.reduce((a, s) => a + s.weight, 0);
  if (remaining > 0) {
    if (totalWeight > 0) {
      for (const s of strategies) {
        if (s.weight > 0)
          out.set(s.provider, (out.get(s.provider) ?? 0) + (remaining * s.weight) / totalWeight);
      }
    } else if (strategies.length > 0) {
      out.set(strategies[0].provider, (out.get(strategies[0].provider) ?? 0) + remaining);
    }
  }
  return out;
}

/** A capacity provider strategy input as `{provider, weight, base}` items; undefined when empty. */
export function strategiesOf(value: unknown): Strategy[] | undefined {
  const items = list(value);
  if (!items || items.length === 0) return undefined;
  return items.map((i) => {
    const o = obj(i) ?? {};
    return {
      provider: str(o.capacityProvider) ?? "?",
      weight: num(o.weight) ?? 0,
      base: num(o.base) ?? 0,
    };
  });
}

const ecsService: Rule = (r, ctx) => {
  const notes: string[] = [];
  const taskDef = ctx.graph.follow(r, "taskDefinition", ["aws:ecs/taskDefinition:TaskDefinition"]);
  if (!taskDef) return { kind: "skip", reason: "task definition not found in the deployment" };

  // --- how many tasks
  let tasks: number;
  const scaling = ctx.graph
    .ofType("aws:appautoscaling/target:Target")
    .find((t) => str(prop(t, "serviceNamespace")) === "ecs" && targetsService(t, r, ctx.graph));
  if (scaling) {
    const average = ctx.usageOf(r, "average_task_count");
    const minCapacity = num(prop(scaling, "minCapacity")) ?? 0;
    if (average.value !== null) {
      tasks = average.value;
      notes.push(
        `${tasks} task(s): average_task_count from ${average.source}; autoscaled ${minCapacity}-${num(prop(scaling, "maxCapacity")) ?? "?"}`,
      );
    } else {
      // Application Auto Scaling owns desiredCount once a target exists; the floor it keeps is minCapacity.
      tasks = minCapacity;
      notes.push(
        `${tasks} task(s): minCapacity of autoscaling target ${nameOfUrn(scaling.urn)} (desiredCount is managed by the scaler)`,
      );
    }
  } else {
    // The AWS provider's default desiredCount is 0.
    tasks = num(prop(r, "desiredCount")) ?? 0;
    notes.push(`${tasks} task(s): desiredCount`);
  }

  // --- where they run
  let strategies = strategiesOf(prop(r, "capacityProviderStrategies"));
  const launchType = str(prop(r, "launchType"));
  if (!strategies && !launchType) {
    const cluster = ctx.graph.follow(r, "cluster", ["aws:ecs/cluster:Cluster"]);
    const defaults = cluster
      ? ctx.graph.referrers(cluster, "clusterName", [
          "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
        ])[0]
      : undefined;
    strategies = defaults
      ? strategiesOf(prop(defaults, "defaultCapacityProviderStrategies"))
      : undefined;
    if (strategies) notes.push(`capacity providers: the cluster's default strategy`);
  }
  if (!strategies) {
    if (launchType === "EC2" || launchType === "EXTERNAL") {
      return priced([], [`launchType ${launchType}: tasks run on instances priced elsewhere`]);
    }
    if (!launchType) notes.push("no launchType or capacity provider strategy: assumed FARGATE");
    strategies = [{ provider: "FARGATE", weight: 1, base: 0 }];
  }
  const split = splitTasks(tasks, strategies);

  // --- task size and architecture
  const { vcpu, gb } = parseTaskSize(prop(taskDef, "cpu"), prop(taskDef, "memory"));
  const cpuArch = str(obj(prop(taskDef, "runtimePlatform"))?.cpuArchitecture) ?? "X86_64";
  const arch = cpuArch.toUpperCase() === "ARM64" ? "arm64" : "x86_64";
  if (vcpu === undefined || gb === undefined) {
    return {
      kind: "skip",
      reason: `task definition ${nameOfUrn(taskDef.urn)} has no task-level cpu/memory (required on Fargate)`,
    };
  }
  const size = `${fmt(vcpu)} vCPU, ${fmt(gb)} GB, ${arch === "arm64" ? "ARM64" : "x86_64"}`;

  // Tasks per billing class: on-demand or Spot. ARM64 tasks run on Spot since platform version
  // 1.4.0 (API reference, CapacityProviderStrategyItem: "FARGATE_SPOT supports Linux tasks with
  // the ARM64 architecture on platform version 1.4.0 or later"; older guides still say it does
  // not), so Spot is priced at the ARM64 rate with the same assumed discount.
  const byClass = new Map<"ondemand" | "spot", number>();
  for (const [provider, n] of split) {
    if (n <= 0) continue;
    if (provider !== "FARGATE" && provider !== "FARGATE_SPOT") {
      notes.push(
        `capacity provider ${provider} is not Fargate: its ${fmt(n)} task(s) run on instances priced elsewhere`,
      );
      continue;
    }
    const spot = provider === "FARGATE_SPOT";
    if (spot && arch === "arm64") {
      notes.push("ARM64 on FARGATE_SPOT needs platform version 1.4.0 or later (LATEST is)");
    }
    const key = spot ? "spot" : "ondemand";
    byClass.set(key, (byClass.get(key) ?? 0) + n);
  }
  const lines: CostLine[] = [];
  for (const key of ["ondemand", "spot"] as const) {
    const n = byClass.get(key);
    if (n === undefined) continue;
    const spot = key === "spot";
    const label = spot ? "Fargate Spot" : "Fargate";
    const discount = spot ? ctx.price("fargate-spot-discount")?.usd : undefined;
    const factor = spot ? 1 - (discount ?? 0) : 1;
    const spotNote = spot
      ? discount !== undefined
        ? `Spot discount ${fmt(discount * 100)}% assumed (fargate-spot-discount)`
        : "no fargate-spot-discount for this region: priced on-demand"
      : undefined;
    const who = `${fmt(n)} task${n === 1 ? "" : "s"} × ${size}`;
    lines.push(
      ctx.line(`${label} vCPU (${who})`, n * vcpu * HOURS_PER_MONTH, `fargate-vcpu-hour:${arch}`, {
        unit: "vCPU-hours",
        factor,
        note: spotNote,
      }),
      ctx.line(`${label} memory (${who})`, n * gb * HOURS_PER_MONTH, `fargate-gb-hour:${arch}`, {
        unit: "GB-hours",
        factor,
        note: spotNote,
      }),
    );
  }
  const ephemeral = num(obj(prop(taskDef, "ephemeralStorage"))?.sizeInGib);
  // The first 20 GiB of task storage are included; only the excess is billed.
  if (ephemeral !== undefined && ephemeral > 20 && tasks > 0) {
    lines.push(
      ctx.line(
        `Ephemeral storage above 20 GB (${fmt(tasks)} tasks)`,
        (ephemeral - 20) * tasks * HOURS_PER_MONTH,
        `fargate-ephemeral-gb-hour:${arch}`,
        { unit: "GB-hours" },
      ),
    );
  }
  const network = obj(prop(r, "networkConfiguration"));
  if (bool(network?.assignPublicIp) === true && tasks > 0) {
    // Each task's ENI gets its own public IPv4 address.
    lines.push(
      ctx.hourly(`Public IPv4 addresses (${fmt(tasks)} tasks)`, tasks, "public-ipv4-hour"),
    );
  }
  // Blue/green, canary and linear: green beside blue during each deployment (./releases.ts).
  const overlap = releaseOverlapLines(
    r,
    ctx,
    (["ondemand", "spot"] as const).map((k) => ({
      label: k === "spot" ? "Spot" : "on-demand",
      tasks: byClass.get(k) ?? 0,
      // Read the Spot discount only when Spot tasks exist (reading a price marks it as used).
      factor: k === "spot" && (byClass.get(k) ?? 0) > 0 ? 1 - (ctx.price("fargate-spot-discount")?.usd ?? 0) : 1,
    })),
    { vcpu, gb, arch },
  );
  lines.push(...overlap.lines);
  notes.push(...overlap.notes);
  notes.push(`task size from ${nameOfUrn(taskDef.urn)}`);
  return priced(lines, notes);
};

/** Whether an Application Auto Scaling target scales this ECS service. */
/** Does the Application Auto Scaling target scale this ECS service? */
export function targetsService(
  target: DeploymentResource,
  service: DeploymentResource,
  graph: DeploymentGraph,
): boolean {
  if ((target.propertyDependencies?.resourceId ?? []).includes(service.urn)) return true;
  const resourceId = str(prop(target, "resourceId"));
  const serviceName = str(prop(service, "name"));
  if (!resourceId || !serviceName) return false;
  // resourceId is "service/<cluster name>/<service name>".
  const [kind, clusterName, svc] = resourceId.split("/");
  if (kind !== "service" || svc !== serviceName) return false;
  const cluster = graph.follow(service, "cluster", ["aws:ecs/cluster:Cluster"]);
  return !cluster || str(prop(cluster, "name")) === clusterName;
}

// ---------------------------------------------------------------------------------------------
// Aurora

function isIoOptimized(cluster: DeploymentResource | undefined): boolean {
  return cluster !== undefined && str(prop(cluster, "storageType")) === "aurora-iopt1";
}

const auroraClusterStorage: Rule = (r, ctx) => {
  const engine = str(prop(r, "engine")) ?? "aurora-mysql";
  if (!engine.startsWith("aurora")) {
    return {
      kind: "skip",
      reason: `engine ${engine}: Multi-AZ DB clusters are not priced (Aurora only)`,
    };
  }
  const iopt = isIoOptimized(r);
  const lines = [
    ctx.usageLine(
      r,
      `Storage (${iopt ? "I/O-Optimized" : "Standard"})`,
      "storage_gb",
      iopt ? "aurora-storage-gb-month-iopt" : "aurora-storage-gb-month",
      { unit: "GB-months" },
    ),
  ];
  // I/O-Optimized has no per-request charge; that is what its higher storage and instance rates buy.
  if (!iopt) {
    lines.push(
      ctx.usageLine(r, "I/O requests", "monthly_io_requests_millions", "aurora-io-million", {
        unit: "1M requests",
      }),
    );
  }
  // Backup storage up to the cluster's size is free; only the excess is billed.
  lines.push(
    ctx.usageLine(
      r,
      "Backup storage beyond the free allowance",
      "backup_storage_gb",
      "aurora-backup-gb-month",
      { unit: "GB-months" },
    ),
  );
  if (bool(prop(r, "manageMasterUserPassword")) === true) {
    // RDS keeps the master password in a Secrets Manager secret it creates and bills as one secret.
    lines.push(
      ctx.line("Managed master user secret (Secrets Manager)", 1, "secret-month", {
        unit: "months",
      }),
    );
  }
  return priced(lines, [
    `engine ${engine}${iopt ? ", storageType aurora-iopt1" : ""}; instances are priced on their own resources`,
  ]);
};

const auroraInstanceCapacity: Rule = (r, ctx) => {
  const cluster = ctx.graph.follow(r, "clusterIdentifier", ["aws:rds/cluster:Cluster"]);
  const notes: string[] = [];
  if (!cluster)
    notes.push("cluster not found in the deployment: Standard storage configuration assumed");
  const iopt = isIoOptimized(cluster);
  const cls = str(prop(r, "instanceClass"));
  if (!cls) return { kind: "skip", reason: "instanceClass unknown" };
  if (cls !== "db.serverless") {
    const explicit = iopt ? ctx.price(`aurora-instance-hour-iopt:${cls}`) : undefined;
    if (iopt && !explicit) {
      const multiplier = ctx.price("aurora-iopt-instance-multiplier")?.usd ?? 1;
      return priced(
        [
          ctx.line(
            `Database instance (${cls}, I/O-Optimized)`,
            HOURS_PER_MONTH,
            `aurora-instance-hour:${cls}`,
            {
              unit: "hours",
              factor: multiplier,
              note: `Standard rate × ${multiplier} (aurora-iopt-instance-multiplier)`,
            },
          ),
        ],
        notes,
      );
    }
    return priced(
      [
        ctx.hourly(
          `Database instance (${cls}${iopt ? ", I/O-Optimized" : ""})`,
          1,
          iopt ? `aurora-instance-hour-iopt:${cls}` : `aurora-instance-hour:${cls}`,
        ),
      ],
      notes,
    );
  }
  // Serverless v2: billed per ACU-hour between the cluster's minCapacity and maxCapacity.
  const acuKey = iopt ? "aurora-acu-hour-iopt" : "aurora-acu-hour";
  const scaling = cluster ? obj(prop(cluster, "serverlessv2ScalingConfiguration")) : undefined;
  const min = num(scaling?.minCapacity);
  const max = num(scaling?.maxCapacity);
  if (min === undefined || max === undefined) {
    return priced(
      [
        ctx.usageLine(r, "Serverless v2 capacity", "average_acu", acuKey, {
          unit: "ACU-hours",
          scale: HOURS_PER_MONTH,
        }),
      ],
      [...notes, "cluster has no serverlessv2ScalingConfiguration: capacity from average_acu only"],
    );
  }
  const average = ctx.usageOf(r, "average_acu");
  if (min === 0) {
    // minCapacity 0 turns on auto-pause: after secondsUntilAutoPause without connections the
    // instance pauses and instance capacity is not billed; resumed, it runs at >= 0.5 ACU.
    // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html
    const hours = ctx.usageOf(r, "monthly_active_hours");
    const pause = num(scaling?.secondsUntilAutoPause);
    const pauseNote = `minCapacity 0: pauses after ${pause ?? 300} s idle, paused hours not billed`;
    if (average.value === null || hours.value === null) {
      const missing = [
        average.value === null ? "average_acu" : undefined,
        hours.value === null ? "monthly_active_hours" : undefined,
      ]
        .filter((x) => x)
        .join(" and ");
      const line = ctx.line("Serverless v2 capacity while resumed", 0, acuKey, {
        unit: "ACU-hours",
      });
      return priced([ctx.usageUnknown(r, line, missing)], [...notes, pauseNote]);
    }
    const acu = clamp(average.value, 0.5, max);
    const activeHours = Math.min(hours.value, HOURS_PER_MONTH);
    const line = ctx.line(
      `Serverless v2 capacity while resumed (${fmt(acu)} ACU × ${fmt(activeHours)} h)`,
      acu * activeHours,
      acuKey,
      { unit: "ACU-hours" },
    );
    return priced(
      [
        {
          ...line,
          usageKey: "average_acu, monthly_active_hours",
          usageSource: uniq([average.source, hours.source]),
        },
      ],
      [...notes, pauseNote],
    );
  }
  // minCapacity > 0: the floor runs all month whatever the load (a known baseline); capacity
  // above it depends on load (usage).
  const lines = [
    ctx.line(
      `Serverless v2 minimum capacity (${fmt(min)} ACU × 730 h)`,
      min * HOURS_PER_MONTH,
      acuKey,
      { unit: "ACU-hours" },
    ),
  ];
  if (average.value === null) {
    const line = ctx.line("Serverless v2 capacity above minimum", 0, acuKey, { unit: "ACU-hours" });
    lines.push(ctx.usageUnknown(r, line, "average_acu"));
  } else {
    const above = clamp(average.value, min, max) - min;
    const line = ctx.line(
      `Serverless v2 capacity above minimum (average ${fmt(clamp(average.value, min, max))} ACU)`,
      above * HOURS_PER_MONTH,
      acuKey,
      { unit: "ACU-hours" },
    );
    lines.push({
      ...line,
      usageKey: "average_acu",
      ...(average.source ? { usageSource: average.source } : {}),
    });
  }
  return priced(lines, notes);
};

const auroraInstance: Rule = (r, ctx) => {
  const result = auroraInstanceCapacity(r, ctx);
  if (result.kind !== "priced") return result;
  const retention = num(prop(r, "performanceInsightsRetentionPeriod"));
  if (
    bool(prop(r, "performanceInsightsEnabled")) === true &&
    retention !== undefined &&
    retention > 7
  ) {
    // The last 7 days of Performance Insights are free; longer retention bills per vCPU (or
    // ACU) per month, which the price table does not have.
    result.lines.push(
      ctx.line(
        `Performance Insights retention (${retention} days, beyond the free 7)`,
        0,
        "rds-performance-insights-retention",
        { unit: "months" },
      ),
    );
  }
  return result;
};

const auroraCluster: Rule = (r, ctx) => {
  const result = auroraClusterStorage(r, ctx);
  if (result.kind !== "priced") return result;
  const scaling = ctx.graph
    .ofType("aws:appautoscaling/target:Target")
    .find(
      (t) =>
        str(prop(t, "serviceNamespace")) === "rds" &&
        ((t.propertyDependencies?.resourceId ?? []).includes(r.urn) ||
          str(prop(t, "resourceId")) === `cluster:${str(prop(r, "clusterIdentifier")) ?? r.id}`),
    );
  if (scaling) {
    // Aurora Auto Scaling adds replicas beyond the declared instances only under load; the
    // declared instances are the floor the estimate prices.
    result.notes.push(
      `reader auto scaling ${num(prop(scaling, "minCapacity")) ?? "?"}-${num(prop(scaling, "maxCapacity")) ?? "?"} replicas: replicas added under load are not priced`,
    );
  }
  return result;
};

// ---------------------------------------------------------------------------------------------
// Logs, keys, secrets, registries

const logGroup: Rule = (r, ctx) => {
  const ia = str(prop(r, "logGroupClass")) === "INFREQUENT_ACCESS";
  return priced([
    ctx.usageLine(
      r,
      `Data ingested${ia ? " (Infrequent Access)" : ""}`,
      "monthly_data_ingested_gb",
      ia ? "logs-ingest-gb-ia" : "logs-ingest-gb",
      { unit: "GB" },
    ),
    ctx.usageLine(r, "Storage", "storage_gb", "logs-storage-gb-month", { unit: "GB-months" }),
  ]);
};

const kmsKey: Rule = (_r, ctx) =>
  // AWS-managed keys (aws/rds, aws/secretsmanager) are free; only customer managed keys bill.
  priced([ctx.line("Customer managed key", 1, "kms-key-month", { unit: "months" })]);

const secret: Rule = (_r, ctx) =>
  priced([ctx.line("Secret", 1, "secret-month", { unit: "months" })]);

// ---------------------------------------------------------------------------------------------
// Office VPN (infra/vpn)

const vpnConnection: Rule = (r, ctx) => {
  // Billed per connection-hour while provisioned, tunnels up or not; the virtual private gateway
  // itself has no charge ("AWS Site-to-Site VPN pricing", https://aws.amazon.com/vpn/pricing/).
  // Traffic from AWS to the office is billed as data transfer out to the internet (the tunnels
  // run over it); traffic in is free. With presharedKeyStorage SecretsManager, AWS keeps the
  // connection's keys in one secret, billed like any other.
  const lines = [
    ctx.hourly("Site-to-Site VPN connection", 1, "vpn-connection-hour"),
    ctx.usageLine(r, "Data transfer out (AWS to the office)", "monthly_data_transfer_out_gb", "data-transfer-out-gb", { unit: "GB" }),
  ];
  if (str(prop(r, "presharedKeyStorage")) === "SecretsManager") {
    lines.push(ctx.line("Pre-shared key secret (Secrets Manager)", 1, "secret-month", { unit: "months" }));
  }
  return priced(lines);
};

const s3Bucket: Rule = (r, ctx) =>
  // Storage only; requests and transfer are not priced (ALB access logs are PUT-heavy but small).
  priced([
    ctx.usageLine(r, "Storage (S3 Standard)", "storage_gb", "s3-standard-gb-month", {
      unit: "GB-months",
    }),
  ]);

const ecsCluster: Rule = (r, ctx) => {
  const insights = (list(prop(r, "settings")) ?? [])
    .map((s) => obj(s))
    .find((s) => s?.name === "containerInsights");
  const value = str(insights?.value) ?? "disabled";
  if (value === "disabled") return priced([]);
  // Container Insights publishes CloudWatch custom metrics per cluster, service and task, and
  // performance log events; the price table has no CloudWatch metrics entry.
  return priced([
    ctx.line(
      `Container Insights (${value}): metrics and performance logs`,
      0,
      "cloudwatch-container-insights",
      {
        unit: "months",
      },
    ),
  ]);
};

// Standard-resolution metric alarms (period >= 60 s): $0.10 per alarm-month; the account's first
// 10 are free and not deducted (an estimate per stack cannot know the account's other alarms).
const metricAlarm: Rule = (r, ctx) => {
  const period = num(prop(r, "period"));
  return priced(
    [ctx.line("Alarm (standard resolution)", 1, "cloudwatch-alarm-month", { unit: "alarm-months" })],
    [period !== undefined && period < 60 ? "period under 60 s: a high-resolution alarm costs 3x the standard price priced here" : undefined],
  );
};

const ecrRepository: Rule = (r, ctx) =>
  priced([
    ctx.usageLine(r, "Image storage", "storage_gb", "ecr-storage-gb-month", { unit: "GB-months" }),
  ]);

export const RULES: Readonly<Record<string, Rule>> = {
  "aws:ec2/natGateway:NatGateway": natGateway,
  "aws:ec2/eip:Eip": eip,
  "aws:ec2/vpcEndpoint:VpcEndpoint": vpcEndpoint,
  "aws:ec2/instance:Instance": instance,
  "aws:autoscaling/group:Group": autoscalingGroup,
  "aws:lb/loadBalancer:LoadBalancer": loadBalancer,
  "aws:alb/loadBalancer:LoadBalancer": loadBalancer,
  "aws:ecs/service:Service": ecsService,
  "aws:rds/cluster:Cluster": auroraCluster,
  "aws:rds/clusterInstance:ClusterInstance": auroraInstance,
  "aws:elasticache/replicationGroup:ReplicationGroup": elasticacheReplicationGroup,
  "aws:cloudwatch/logGroup:LogGroup": logGroup,
  "aws:cloudwatch/metricAlarm:MetricAlarm": metricAlarm,
  "aws:kms/key:Key": kmsKey,
  "aws:secretsmanager/secret:Secret": secret,
  "aws:ecr/repository:Repository": ecrRepository,
  "aws:s3/bucket:Bucket": s3Bucket,
  "aws:ecs/cluster:Cluster": ecsCluster,
  "aws:ec2/vpnConnection:VpnConnection": vpnConnection,
  // awsx's ECR repository is a remote component: under the mock runtime its children are not
  // evaluated, so the component itself stands for the repository (see estimate.ts).
  "awsx:ecr:Repository": ecrRepository,
  // Standard-tier parameters are free; Advanced ones bill per parameter-month (not in the table).
  "aws:ssm/parameter:Parameter": (r) =>
    str(prop(r, "tier")) === "Advanced"
      ? { kind: "skip", reason: "Advanced-tier SSM parameters are not priced" }
      : priced([]),
  ...EDGE_RULES,
};

/**
 * Custom resource types AWS does not bill for by themselves. Their cost, if any, shows up on
 * another resource: a flow log's on its log group, a launch template's on its Auto Scaling group,
 * a task definition's on its service.
 */
export const FREE_TYPES: ReadonlySet<string> = new Set([
  "aws:ec2/vpc:Vpc",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/route:Route",
  "aws:ec2/routeTableAssociation:RouteTableAssociation",
  "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
  "aws:ec2/defaultRouteTable:DefaultRouteTable",
  "aws:ec2/networkAcl:NetworkAcl",
  "aws:ec2/networkAclRule:NetworkAclRule",
  "aws:ec2/networkAclAssociation:NetworkAclAssociation",
  "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  "aws:ec2/securityGroupRule:SecurityGroupRule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
  "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter",
  "aws:ec2/peeringConnectionOptions:PeeringConnectionOptions",
  "aws:ec2/flowLog:FlowLog",
  "aws:ec2/launchTemplate:LaunchTemplate",
  "aws:ec2/keyPair:KeyPair",
  "aws:ec2/eipAssociation:EipAssociation",
  "aws:ec2/vpcDhcpOptions:VpcDhcpOptions",
  "aws:ec2/vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation",
  "aws:ec2/networkInterface:NetworkInterface",
  "aws:iam/role:Role",
  "aws:iam/policy:Policy",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/instanceProfile:InstanceProfile",
  "aws:lb/targetGroup:TargetGroup",
  "aws:lb/listener:Listener",
  "aws:lb/listenerRule:ListenerRule",
  "aws:alb/targetGroup:TargetGroup",
  "aws:alb/listener:Listener",
  "aws:alb/listenerRule:ListenerRule",
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
  "aws:ecs/taskDefinition:TaskDefinition",
  "aws:appautoscaling/target:Target",
  "aws:appautoscaling/policy:Policy",
  "aws:autoscaling/policy:Policy",
  "aws:rds/subnetGroup:SubnetGroup",
  "aws:rds/clusterParameterGroup:ClusterParameterGroup",
  "aws:rds/parameterGroup:ParameterGroup",
  "aws:kms/alias:Alias",
  "aws:secretsmanager/secretVersion:SecretVersion",
  "aws:secretsmanager/secretPolicy:SecretPolicy",
  "aws:ecr/lifecyclePolicy:LifecyclePolicy",
  "aws:ecr/repositoryPolicy:RepositoryPolicy",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:s3/bucketVersioning:BucketVersioning",
  // Public ACM certificates are free; DNS records bill per query (negligible) and per hosted
  // zone (the zone is not created here); a WAF association bills on the web ACL it names.
  "aws:acm/certificate:Certificate",
  "aws:acm/certificateValidation:CertificateValidation",
  "aws:route53/record:Record",
  "aws:wafv2/webAclAssociation:WebAclAssociation",
  // The office VPN bills per connection-hour (on the VpnConnection); the virtual private gateway,
  // customer gateways, static routes and route propagation have no charge of their own
  // (https://aws.amazon.com/vpn/pricing/).
  "aws:ec2/vpnGateway:VpnGateway",
  "aws:ec2/customerGateway:CustomerGateway",
  "aws:ec2/vpnConnectionRoute:VpnConnectionRoute",
  "aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation",
  "aws:ec2/vpnGatewayAttachment:VpnGatewayAttachment",
  ...ELASTICACHE_FREE_TYPES,
  ...EDGE_FREE_TYPES,
  // awsx's image build and push: its storage bills on the repository (awsx:ecr:Repository).
  "awsx:ecr:Image",
]);

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), Math.max(lo, hi));
}

function fmt(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

function uniq(values: Array<string | undefined>): string {
  return [...new Set(values.filter((v): v is string => v !== undefined))].join(", ");
}
